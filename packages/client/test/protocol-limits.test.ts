// What the client refuses from a service that breaks the protocol: sequence ids that would poison duplicate detection,
// a second session announced on one socket, frames over the size limit. Each is refused without side effects on the
// session it would corrupt, and the app hears about it through the usual events.
import type { AddressInfo } from "node:net";
import { MAX_JSON_ARRAY_ELEMENTS, MAX_JSON_DEPTH, MAX_JSON_ENVELOPE_NODES, MAX_JSON_NODES } from "@webpubsub/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocketServer } from "ws";
import { ConnectionError, WebPubSubClient, type WebPubSubClientOptions } from "../src/index.ts";
import { WebPubSubProtobufReliableProtocol } from "../src/protobuf-protocols.ts";
import { MAX_SEQUENCE_GAP } from "../src/sequence-tracker.ts";
import { defaultMaxFrameBytes, frameExceeds } from "../src/socket.ts";
import { dropAndRecover, FAST_RETRY, FakeServer, joinAcked, nextEvent, startedClient, URL1 } from "./fake-socket.ts";

const MiB = 1024 * 1024;
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function started(options: WebPubSubClientOptions = {}) {
  const started = await startedClient({
    reconnectRetryOptions: FAST_RETRY,
    messageRetryOptions: FAST_RETRY,
    ...options,
  });
  cleanup.push(() => started.client.stop());
  return started;
}

const msg = (sequenceId: number | string, data: unknown = `m${sequenceId}`) =>
  `{"type":"message","from":"server","dataType":"text","data":${JSON.stringify(data)},"sequenceId":${sequenceId}}`;

describe("sequence ids", () => {
  it("one at most MAX_SEQUENCE_GAP ahead is delivered; one further (2^53-1) closes with 1002 and starts a new session instead of poisoning the old one", async () => {
    const { server, client, socket } = await started();
    const seen: unknown[] = [];
    client.on("server-message", (e) => seen.push(e.message.sequenceId));
    socket.push(msg(1));
    socket.push(msg(1 + MAX_SEQUENCE_GAP)); // the largest jump a session can take: accepted
    expect(seen).toEqual([1, 1 + MAX_SEQUENCE_GAP]);
    const disconnected = nextEvent(client, "disconnected");
    socket.push(msg(Number.MAX_SAFE_INTEGER));
    expect(seen).toEqual([1, 1 + MAX_SEQUENCE_GAP]); // never delivered
    expect(socket.closeCalls[0]?.code).toBe(1002);
    const d = await disconnected;
    expect(d.code).toBe(1002);
    expect(d.message).toMatch(/sequenceId 9007199254740991 after 10001/);
    // The session's numbering cannot be trusted any more: a new connection, not a recovery.
    const s2 = await server.socket(1);
    expect(new URL(s2.url).searchParams.has("awps_connection_id")).toBe(false);
    const connected = nextEvent(client, "connected");
    s2.connected("conn2", "token2");
    await connected;
    s2.push(msg(1));
    s2.push(msg(2));
    expect(seen).toEqual([1, 1 + MAX_SEQUENCE_GAP, 1, 2]);
  });

  it("one step past MAX_SEQUENCE_GAP from the last id is refused (the boundary's other side)", async () => {
    const { client, socket } = await started();
    const seen: unknown[] = [];
    client.on("server-message", (e) => seen.push(e.message.sequenceId));
    socket.push(msg(5));
    socket.push(msg(5 + MAX_SEQUENCE_GAP + 1));
    expect(seen).toEqual([5]);
    expect(socket.closeCalls[0]?.code).toBe(1002);
  });

  it("ids that are not safe integers are ignored like any invalid frame: the tracker is untouched", async () => {
    const { client, socket } = await started();
    const seen: unknown[] = [];
    client.on("server-message", (e) => seen.push(e.message.sequenceId));
    socket.push(msg(1));
    for (const bad of ["9007199254740993", "1.5", "-3", '"7"', "1e400"]) socket.push(msg(bad));
    socket.push(msg(2));
    expect(seen).toEqual([1, 2]);
    expect(socket.closeCalls).toEqual([]);
    expect(client.state).toBe("Connected");
  });

  it("non-reliable protocols do not track ids: any id is delivered", async () => {
    const { client, socket } = await started({ protocol: "json" });
    const seen: unknown[] = [];
    client.on("server-message", (e) => seen.push(e.message.sequenceId));
    socket.push(msg(Number.MAX_SAFE_INTEGER));
    socket.push(msg(1));
    expect(seen).toEqual([Number.MAX_SAFE_INTEGER, 1]);
  });
});

describe("one session per socket", () => {
  it("200 more connected frames on a socket start no new session: no rejoin, no connected event, same connection", async () => {
    const { server, client, socket } = await started();
    for (const group of ["a", "b"]) {
      const join = client.joinGroup(group);
      const frame = await socket.waitForFrame((f) => f.type === "joinGroup" && f.group === group);
      socket.push({ type: "ack", ackId: frame.ackId, success: true });
      await join;
    }
    let connectedEvents = 0;
    client.on("connected", () => connectedEvents++);
    for (let i = 0; i < 200; i++) socket.connected(`other-${i}`, `t-${i}`);
    for (let i = 0; i < 200; i++) socket.connected("conn1", `fresh-${i}`); // the same id: a token refresh, idempotent
    await new Promise((r) => setTimeout(r, 10));
    expect(socket.framesOf("joinGroup")).toHaveLength(2);
    expect(connectedEvents).toBe(0);
    expect(client.connectionId).toBe("conn1");
    // The latest token of the real session is what a recovery uses.
    socket.serverClose(1006);
    const s2 = await server.socket(1);
    expect(new URL(s2.url).searchParams.get("awps_reconnection_token")).toBe("fresh-199");
  });

  it("a recovered socket may announce a new session once; later announcements on it are ignored", async () => {
    const { server, client, socket } = await started();
    await joinAcked(client, socket);
    const s2 = await dropAndRecover(server, client, socket);
    let connectedEvents = 0;
    client.on("connected", () => connectedEvents++);
    s2.connected("conn-new", "tok-new");
    const rejoin = await s2.waitForFrame((f) => f.type === "joinGroup");
    s2.push({ type: "ack", ackId: rejoin.ackId, success: true });
    for (let i = 0; i < 50; i++) s2.connected(`again-${i}`, "x");
    await new Promise((r) => setTimeout(r, 10));
    expect(s2.framesOf("joinGroup")).toHaveLength(1);
    expect(connectedEvents).toBe(1);
    expect(client.connectionId).toBe("conn-new");
  });
});

describe("frame size limit", () => {
  it("validates maxMessageSizeInBytes, naming the option", () => {
    const f = new FakeServer().factory;
    for (const bad of [0, -1, 1.5, "1", Number.POSITIVE_INFINITY]) {
      expect(() => new WebPubSubClient(URL1, { webSocketFactory: f, maxMessageSizeInBytes: bad as number })).toThrow(
        /options.maxMessageSizeInBytes must be a positive integer/,
      );
    }
  });

  it("defaults to what a 1 MiB message can become: 6 MiB + 64 KiB in JSON, 1 MiB + 64 KiB in protobuf", () => {
    expect(defaultMaxFrameBytes(false)).toBe(6 * MiB + 64 * 1024);
    expect(defaultMaxFrameBytes(true)).toBe(MiB + 64 * 1024);
  });

  it("measures text frames in UTF-8 bytes, exactly at the limit and one past it", () => {
    for (const [char, bytes] of [
      ["a", 1],
      ["é", 2],
      ["€", 3],
      ["😀", 4],
    ] as const) {
      const frame = char.repeat(30);
      expect(frameExceeds(frame, 30 * bytes), `${char} at the limit`).toBe(false);
      expect(frameExceeds(frame, 30 * bytes - 1), `${char} one byte over`).toBe(true);
    }
    expect(frameExceeds("\ud800x", 4)).toBe(false); // a lone surrogate is written as 3 bytes (U+FFFD)
    expect(frameExceeds("\ud800x", 3)).toBe(true);
    expect(frameExceeds(new Uint8Array(10), 10)).toBe(false);
    expect(frameExceeds(new Uint8Array(11), 10)).toBe(true);
  });

  it("a frame of exactly the limit is delivered; one byte more closes with 1009 and is never delivered", async () => {
    const limit = 4096;
    const { server, client, socket } = await started({ maxMessageSizeInBytes: limit, protocol: "json" });
    const seen: unknown[] = [];
    client.on("server-message", (e) => seen.push((e.message.data as string).length));
    const shell = '{"type":"message","from":"server","dataType":"text","data":""}';
    const frameOf = (bytes: number) => `${shell.slice(0, -2)}${"x".repeat(bytes - shell.length)}"}`;
    expect(new TextEncoder().encode(frameOf(limit)).length).toBe(limit);
    socket.push(frameOf(limit));
    expect(seen).toHaveLength(1);
    const disconnected = nextEvent(client, "disconnected");
    socket.push(frameOf(limit + 1));
    expect(seen).toHaveLength(1);
    expect(socket.closeCalls[0]?.code).toBe(1009);
    const d = await disconnected;
    expect(d).toMatchObject({ connectionId: "conn1", code: 1009 });
    expect(d.message).toMatch(/larger than maxMessageSizeInBytes \(4096 bytes\)/);
    await server.socket(1); // and a new connection follows
  });

  it("a 64 MiB frame on a reliable session closes with 1009 and opens a new session: recovery would replay it", async () => {
    const { server, client, socket } = await started();
    const disconnected = nextEvent(client, "disconnected");
    socket.push(msg(1, "x".repeat(64 * MiB)));
    expect(socket.closeCalls[0]?.code).toBe(1009);
    expect((await disconnected).code).toBe(1009);
    const s2 = await server.socket(1);
    expect(new URL(s2.url).searchParams.has("awps_connection_id")).toBe(false);
  });

  it("with autoReconnect: false the client stops with a ConnectionError naming the limit", async () => {
    const { client, socket } = await started({ autoReconnect: false, maxMessageSizeInBytes: 300 });
    const stopped = nextEvent(client, "stopped");
    socket.push(msg(1, "y".repeat(300)));
    const { error } = await stopped;
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe(1009);
    expect((error as Error).message).toMatch(/code 1009/);
  });

  it("before `connected`, an oversized frame fails start() with ConnectionError 1009", async () => {
    const server = new FakeServer();
    const client = new WebPubSubClient(URL1, { webSocketFactory: server.factory, maxMessageSizeInBytes: 100 });
    const start = client.start();
    const socket = await server.socket(0);
    socket.open();
    socket.push(msg(1, "z".repeat(200)));
    const error = await start.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 1009 });
    expect(socket.closeCalls[0]?.code).toBe(1009);
    expect(client.state).toBe("Stopped");
  });

  it("protobuf protocols check binary frames against 1 MiB + 64 KiB by default", async () => {
    const server = new FakeServer();
    const client = new WebPubSubClient(URL1, {
      webSocketFactory: server.factory,
      protocol: WebPubSubProtobufReliableProtocol(),
    });
    cleanup.push(() => client.stop());
    const start = client.start();
    const socket = await server.socket(0);
    socket.open();
    socket.onmessage?.({ data: new Uint8Array(MiB + 64 * 1024 + 1).buffer });
    await expect(start).rejects.toMatchObject({ code: 1009 });
  });

  it.each([
    ["the ws package", 1009],
    ["the global WebSocket (it may only send 1000 and 3000-4999)", 4009],
  ] as const)(
    "over a real socket with %s: the service sees close code %i, the client reports 1009 and keeps nothing of the frame",
    async (factory, wireCode) => {
      const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
      await new Promise<void>((resolve) => wss.once("listening", resolve));
      cleanup.push(() => new Promise((resolve) => wss.close(resolve)));
      const closeCode = new Promise<number>((resolve) => {
        wss.on("connection", (ws) => {
          ws.on("close", (code) => resolve(code));
          ws.send(JSON.stringify({ type: "system", event: "connected", connectionId: "c", reconnectionToken: "t" }));
          ws.send(msg(1, "q".repeat(2 * MiB)));
        });
      });
      const { default: WS } = await import("ws");
      const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/client/hubs/h?access_token=t`;
      const client = new WebPubSubClient(url, {
        autoReconnect: false,
        maxMessageSizeInBytes: MiB,
        ...(factory === "the ws package" ? { webSocketFactory: (u, p) => new WS(u, p) } : {}),
      });
      cleanup.push(() => client.stop());
      let delivered = 0;
      client.on("server-message", () => delivered++);
      const stopped = nextEvent(client, "stopped", 10_000);
      await client.start();
      expect(await closeCode).toBe(wireCode);
      expect((await stopped).error).toMatchObject({ code: 1009 });
      expect(delivered).toBe(0);
    },
  );
});

// Rule: JSON from the service is held to core's bounds on JSON from a peer (nesting depth, nodes, with room for the
// envelope) before JSON.parse, as what a service receives is: no single frame blocks the app's event loop. A frame past
// them is ignored unparsed like any invalid frame: its sequence id is never tracked, the session goes on.
describe("JSON bounds", () => {
  const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
  /** An array of `nodes` arrays in all (itself included). */
  const arrays = (nodes: number) => `[${"[],".repeat(nodes - 2)}[]]`;
  /** A server message whose data is the JSON text `data`: the message object and its 5 members are 6 nodes more. */
  const jsonMsg = (sequenceId: number, data: string) =>
    `{"type":"message","from":"server","dataType":"json","data":${data},"sequenceId":${sequenceId}}`;

  /** Pushes `frames`, then one more; returns the sequence ids delivered and which frames (1-based) reached JSON.parse. */
  async function deliveredOf(frames: string[]) {
    const { client, socket } = await started();
    const seen: unknown[] = [];
    client.on("server-message", (e) => seen.push(e.message.sequenceId));
    const parse = vi.spyOn(JSON, "parse");
    try {
      for (const frame of frames) socket.push(frame);
      const parsed = frames.flatMap((frame, i) => (parse.mock.calls.some(([text]) => text === frame) ? [i + 1] : []));
      socket.push(jsonMsg(frames.length + 1, "1")); // the session goes on
      expect(client.state).toBe("Connected");
      expect(socket.closeCalls).toEqual([]);
      return { seen, parsed };
    } finally {
      parse.mockRestore();
    }
  }

  it(`data nested ${MAX_JSON_DEPTH} levels deep is delivered; ${MAX_JSON_DEPTH + 1} levels are ignored before JSON.parse`, async () => {
    const frames = [jsonMsg(1, nested(MAX_JSON_DEPTH)), jsonMsg(2, nested(MAX_JSON_DEPTH + 1))];
    expect(await deliveredOf(frames)).toEqual({ seen: [1, 3], parsed: [1] });
  });

  it(`a frame of ${MAX_JSON_NODES} + ${MAX_JSON_ENVELOPE_NODES} (the envelope's room) objects, arrays and members is delivered; one more is ignored before JSON.parse`, async () => {
    const most = MAX_JSON_NODES + MAX_JSON_ENVELOPE_NODES;
    const frames = [jsonMsg(1, arrays(most - 6)), jsonMsg(2, arrays(most - 5))];
    expect(await deliveredOf(frames)).toEqual({ seen: [1, 3], parsed: [1] });
  });

  it(`data of ${MAX_JSON_ARRAY_ELEMENTS} numbers is delivered; one more is ignored before JSON.parse`, async () => {
    const numbers = (n: number) => `[${"1,".repeat(n - 1)}1]`;
    const frames = [jsonMsg(1, numbers(MAX_JSON_ARRAY_ELEMENTS)), jsonMsg(2, numbers(MAX_JSON_ARRAY_ELEMENTS + 1))];
    expect(await deliveredOf(frames)).toEqual({ seen: [1, 3], parsed: [1] });
  });

  it("6 MiB frames of 3,000,000 levels, 2,000,000 empty objects, 3,000,000 numbers or 2,000,000 empty strings (within the frame size limit) are ignored unparsed", async () => {
    const frames = [
      jsonMsg(1, nested(3_000_000)),
      jsonMsg(2, `[${"{},".repeat(2_000_000 - 1)}{}]`),
      jsonMsg(3, `[${"1,".repeat(3_000_000 - 1)}1]`),
      jsonMsg(4, `[${'"",'.repeat(2_000_000 - 1)}""]`),
    ];
    for (const frame of frames) expect(frameExceeds(frame, defaultMaxFrameBytes(false))).toBe(false);
    expect(await deliveredOf(frames)).toEqual({ seen: [5], parsed: [] });
  });
});
