// The protobuf subprotocols against a scripted service that speaks core's protobuf codec.
import { type DownstreamMessage, protobufCodec } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import { WebPubSubClient } from "../src/index.ts";
import { FakeServer, nextEvent, URL1 } from "./fake-socket.ts";
import { protocolOption } from "./protocol-names.ts";

const down = (m: DownstreamMessage) => protobufCodec.encodeDownstream(m).slice().buffer; // as an ArrayBuffer frame

describe.each(["protobuf", "protobuf.reliable"] as const)("%s", (protocol) => {
  it("writes binary frames, reads binary frames, acks and sequence ids", async () => {
    const server = new FakeServer();
    const client = new WebPubSubClient(URL1, { webSocketFactory: server.factory, protocol: protocolOption(protocol) });
    const start = client.start();
    const socket = await server.socket(0);
    expect(socket.protocols).toEqual([
      protocol === "protobuf" ? "protobuf.webpubsub.azure.v1" : "protobuf.reliable.webpubsub.azure.v1",
    ]);
    socket.open();
    socket.onmessage?.({
      data: down({ type: "system", event: "connected", connectionId: "c1", userId: "u", reconnectionToken: "r" }),
    });
    await start;
    expect(client.connectionId).toBe("c1");

    const send = client.sendToGroup("g", { a: 1 }, "json", { noEcho: true });
    const frame = socket.sent[0];
    expect(frame).toBeInstanceOf(Uint8Array);
    expect(protobufCodec.decodeUpstream(frame as Uint8Array)).toMatchObject({
      type: "sendToGroup",
      group: "g",
      ackId: 1,
      noEcho: true,
      dataType: "json",
      data: { a: 1 },
    });
    socket.onmessage?.({ data: down({ type: "ack", ackId: 1, success: true }) });
    expect(await send).toEqual({ ackId: 1, isDuplicated: false });

    const got = nextEvent(client, "group-message");
    socket.onmessage?.({
      data: down({
        type: "message",
        from: "group",
        group: "g",
        fromUserId: "x",
        dataType: "binary",
        data: new Uint8Array([5, 6]),
        sequenceId: 1,
      }),
    });
    const { message } = await got;
    expect([message.group, message.dataType, message.data]).toEqual(["g", "binary", new Uint8Array([5, 6])]);
    socket.onmessage?.({ data: "a text frame is not protobuf" }); // ignored, not fatal
    if (protocol === "protobuf.reliable") {
      for (let i = 2; i <= 100; i++) {
        socket.onmessage?.({
          data: down({ type: "message", from: "server", dataType: "text", data: `m${i}`, sequenceId: i }),
        });
      }
      const acks = socket.sent.slice(1).map((f) => protobufCodec.decodeUpstream(f as Uint8Array));
      expect(acks).toEqual([{ type: "sequenceAck", sequenceId: 100 }]);
    }
    expect(client.state).toBe("Connected");
    await client.stop();
  });
});
