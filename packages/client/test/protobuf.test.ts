// The protobuf subprotocols against a scripted service that speaks core's protobuf codec.
import { Deferred } from "@webpubsub/async";
import { type DownstreamMessage, protobufCodec } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import { WebPubSubClient, WebPubSubJsonReliableProtocol } from "../src/index.ts";
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

// The protobuf protocols load their codec on first use (protobuf-protocols.ts): a protocol's load() is awaited by the
// client before it opens a connection, and a failed load fails start().
describe("a protocol's load()", () => {
  /** A macrotask: long enough for start() to open its socket when nothing holds it back (a string URL resolves at once). */
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it("holds the first connection until load() resolves", async () => {
    const server = new FakeServer();
    const loading = new Deferred<void>();
    let calls = 0;
    const protocol = {
      ...WebPubSubJsonReliableProtocol(),
      load: () => {
        calls++;
        return loading.promise;
      },
    };
    const client = new WebPubSubClient(URL1, { webSocketFactory: server.factory, protocol });
    expect(calls).toBe(0); // not at construction
    const start = server.start(client);
    await turn();
    expect(calls).toBe(1);
    expect(server.sockets).toHaveLength(0);
    loading.resolve();
    await start;
    expect(server.sockets).toHaveLength(1);
    expect(client.state).toBe("Connected");
    await client.stop();
  });

  it("fails start() with load()'s error and opens no connection", async () => {
    const server = new FakeServer();
    const failure = new Error("no codec here");
    const protocol = { ...WebPubSubJsonReliableProtocol(), load: () => Promise.reject(failure) };
    const client = new WebPubSubClient(URL1, { webSocketFactory: server.factory, protocol });
    await expect(client.start()).rejects.toBe(failure);
    expect(server.sockets).toHaveLength(0);
    expect(client.state).toBe("Stopped");
  });

  it("must be a function when present: a TypeError at construction", () => {
    const protocol = { ...WebPubSubJsonReliableProtocol(), load: "soon" } as never;
    expect(() => new WebPubSubClient(URL1, { protocol })).toThrow(
      new TypeError("options.protocol.load must be a function or absent"),
    );
    expect(
      () => new WebPubSubClient(URL1, { protocol: { ...WebPubSubJsonReliableProtocol(), load: undefined } }),
    ).not.toThrow();
  });
});
