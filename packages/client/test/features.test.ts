// The feature seam (features.ts, useFeature): a feature installed on a client gets its lifecycle hooks at each step,
// before the public event of the same moment; it can take over downstream message types the client does not know,
// write, and run acked operations the way the client's own methods do.
import type { DownstreamMessage } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import { useFeature } from "../src/client.ts";
import type { ClientFeature, FeatureHost } from "../src/features.ts";
import {
  type WebPubSubClient,
  type WebPubSubClientOptions,
  type WebPubSubClientProtocol,
  WebPubSubJsonReliableProtocol,
} from "../src/index.ts";
import { FAST_RETRY, type FakeSocket, nextEvent, startedClient } from "./fake-socket.ts";

/** JSON reliable, plus one message type the client does not know: `invokeResponse`, passed through as it is. */
function protocolWithInvokeResponse(): WebPubSubClientProtocol {
  const json = WebPubSubJsonReliableProtocol();
  return {
    ...json,
    decode(frame) {
      if (typeof frame === "string" && frame.includes('"invokeResponse"')) {
        return JSON.parse(frame) as DownstreamMessage;
      }
      return json.decode(frame);
    },
  };
}

const started = (options: WebPubSubClientOptions = {}) =>
  startedClient({ reconnectRetryOptions: FAST_RETRY, ...options });

const RECORDER = Symbol("recorder");

/** A feature that records its hooks into `log`. */
function recorder(log: string[]): ClientFeature {
  return {
    connected: (args) => log.push(`hook:connected:${args.connectionId}`),
    recovering: () => log.push("hook:recovering"),
    recovered: () => log.push("hook:recovered"),
    disconnected: (args) => log.push(`hook:disconnected:${args.code}`),
    stopped: () => log.push("hook:stopped"),
    data: (message) => log.push(`hook:data:${String(message.data)}`),
  };
}

describe("the feature seam", () => {
  it("calls each lifecycle hook before the public event of the same moment, and data hooks after the message event", async () => {
    const { server, client } = await started();
    const log: string[] = [];
    useFeature(client, RECORDER, () => recorder(log));
    client.on("connected", (e) => log.push(`event:connected:${e.connectionId}`));
    client.on("disconnected", (e) => log.push(`event:disconnected:${e.code}`));
    for (const event of ["recovering", "recovered", "stopped"] as const)
      client.on(event, () => log.push(`event:${event}`));
    client.on("server-message", (e) => log.push(`event:server-message:${String(e.message.data)}`));
    const first = server.sockets[0] as FakeSocket;
    first.push({ type: "message", from: "server", dataType: "text", data: "a", sequenceId: 1 });
    first.push({ type: "message", from: "server", dataType: "text", data: "a", sequenceId: 1 }); // a duplicate

    const recovered = nextEvent(client, "recovered");
    first.serverClose(1006);
    const recovery = await server.socket(1);
    recovery.open();
    recovery.push({ type: "pong" });
    await recovered;

    const connected = nextEvent(client, "connected");
    recovery.serverClose(1008); // not recoverable: disconnected, then a new connection
    (await server.socket(2)).connected("conn2");
    await connected;
    await client.stop();

    expect(log).toEqual([
      "event:server-message:a",
      "hook:data:a",
      "hook:recovering",
      "event:recovering",
      "hook:recovered",
      "event:recovered",
      "hook:disconnected:1008",
      "event:disconnected:1008",
      "hook:connected:conn2",
      "event:connected:conn2",
      "hook:stopped",
      "event:stopped",
    ]);
  });

  it("installs a feature once per client, and refuses what is not a client", async () => {
    const { client } = await started();
    let created = 0;
    const make = () => {
      created++;
      return {};
    };
    const key = Symbol("once");
    expect(useFeature(client, key, make)).toBe(useFeature(client, key, make));
    expect(created).toBe(1);
    expect(() => useFeature({} as WebPubSubClient, key, make)).toThrow(/client must be a WebPubSubClient/);
    await client.stop();
  });

  it("routes a downstream type the client does not know to the feature that took it over; without one it is ignored", async () => {
    const { server, client } = await started({ protocol: protocolWithInvokeResponse() });
    const socket = server.sockets[0] as FakeSocket;
    const frame = { type: "invokeResponse", invocationId: "1", success: true };
    socket.push(frame); // nobody handles it: ignored, the client goes on
    expect(client.state).toBe("Connected");

    const received: unknown[] = [];
    useFeature(client, Symbol("invoke"), (host: FeatureHost) => {
      host.handle("invokeResponse" as DownstreamMessage["type"], (message) => received.push(message));
      return {};
    });
    socket.push(frame);
    expect(received).toEqual([frame]);

    // One owner per type: the client's own types and a type already taken cannot be taken again.
    useFeature(client, Symbol("greedy"), (host: FeatureHost) => {
      expect(() => host.handle("ack", () => {})).toThrow(/"ack" already have a handler/);
      expect(() => host.handle("invokeResponse" as DownstreamMessage["type"], () => {})).toThrow(/already/);
      return {};
    });
    await client.stop();
  });

  it("the host writes only while Connected, and runs acked operations with the client's ackIds and retries", async () => {
    const { server, client } = await started({ messageRetryOptions: { retryDelayInMs: 1, jitter: false } });
    let host!: FeatureHost;
    useFeature(client, Symbol("host"), (h) => {
      host = h;
      return {};
    });
    const socket = server.sockets[0] as FakeSocket;
    expect(host.state()).toBe("Connected");
    expect(host.connectionId()).toBe("conn1");
    expect(host.write({ type: "ping" })).toBe(true);
    expect(socket.framesOf("ping")).toHaveLength(1);

    const operation = host.operation({ type: "joinGroup", group: "g" }, {});
    const attempt = await socket.waitForFrame((f) => f.type === "joinGroup");
    socket.push({
      type: "ack",
      ackId: attempt.ackId,
      success: false,
      error: { name: "InternalServerError", message: "" },
    });
    await socket.waitForFrame(() => socket.framesOf("joinGroup").length === 2);
    expect(socket.framesOf("joinGroup")[1]?.ackId).toBe(attempt.ackId); // the retry reuses the ackId
    socket.push({ type: "ack", ackId: attempt.ackId, success: true });
    expect(await operation).toEqual({ ackId: attempt.ackId, isDuplicated: false });

    await client.stop();
    expect(host.state()).toBe("Stopped");
    expect(host.write({ type: "ping" })).toBe(false);
  });
});
