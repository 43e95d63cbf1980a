// Outside browsers the protobuf codec loads when a protobuf protocol is first chosen (the default condition of
// "#protobuf-codec"): what an app does before that load finished must behave as if the codec were there. Each test
// imports the client afresh (vi.resetModules), so that the codec is really not loaded when it starts; another test
// file having loaded it would otherwise hide a client that encodes too early. And a protocol's load() that never
// settles must not keep start() or the operations waiting past an abort or stop().
import { Deferred } from "@webpubsub/async";
import { type DownstreamMessage, protobufCodec } from "@webpubsub/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeServer, URL1 } from "./fake-socket.ts";

const down = (m: DownstreamMessage) => protobufCodec.encodeDownstream(m).slice().buffer;
type ClientModule = typeof import("../src/index.ts");
let mod: ClientModule;

beforeEach(async () => {
  vi.resetModules();
  mod = await import("../src/index.ts");
});

afterEach(() => {
  vi.useRealTimers();
});

describe("the lazily loaded protobuf codec", () => {
  it.each(["WebPubSubProtobufProtocol", "WebPubSubProtobufReliableProtocol"] as const)(
    "%s: operations called before start() resolves wait for the codec, then are written and acked",
    async (factory) => {
      const server = new FakeServer();
      const client = new mod.WebPubSubClient(URL1, { webSocketFactory: server.factory, protocol: mod[factory]() });
      const start = client.start();
      // not awaited: the codec's import is still running
      const join = client.joinGroup("g");
      const send = client.sendToGroup("g", "hi", "text");
      const socket = await server.socket(0);
      socket.open();
      socket.onmessage?.({ data: down({ type: "system", event: "connected", connectionId: "c1", userId: "u" }) });
      await start;
      expect(socket.sent).toHaveLength(2); // written by the connection, before start() resolved
      expect(socket.sent.map((f) => protobufCodec.decodeUpstream(f as Uint8Array))).toMatchObject([
        { type: "joinGroup", group: "g", ackId: 1 },
        { type: "sendToGroup", group: "g", ackId: 2, dataType: "text", data: "hi" },
      ]);
      socket.onmessage?.({ data: down({ type: "ack", ackId: 1, success: true }) });
      socket.onmessage?.({ data: down({ type: "ack", ackId: 2, success: true }) });
      expect(await join).toEqual({ ackId: 1, isDuplicated: false });
      expect(await send).toEqual({ ackId: 2, isDuplicated: false });
      await client.stop();
    },
  );
});

describe("a protocol's load() that has not settled", () => {
  /** A scripted service, and a client whose (JSON) protocol has this load(). */
  const withLoad = (load: () => Promise<void>, options: { ackTimeoutInMs?: number } = {}) => {
    const server = new FakeServer();
    const protocol = { ...mod.WebPubSubJsonReliableProtocol(), load };
    return {
      server,
      client: new mod.WebPubSubClient(URL1, { webSocketFactory: server.factory, protocol, ...options }),
    };
  };
  /** A load() that never settles. */
  const never = () => new Promise<void>(() => {});

  it("an abort of start() ends it with the AbortError at once, and no connection opens", async () => {
    const { server, client } = withLoad(never);
    const controller = new AbortController();
    const start = client.start({ abortSignal: controller.signal }).catch((e: unknown) => e);
    const send = client.sendToGroup("g", "hi", "text").catch((e: unknown) => e);
    controller.abort(new Error("user gave up"));
    const error = await start;
    expect(error).toBeInstanceOf(mod.AbortError);
    expect(error).toMatchObject({ cause: { message: "user gave up" } });
    expect(client.state).toBe("Stopped");
    expect(server.sockets).toHaveLength(0);
    // the operation that waited for the load fails, naming why, instead of waiting forever; sending it again cannot
    // help (no connection will carry it)
    const failed = await send;
    expect(failed).toBeInstanceOf(mod.SendMessageError);
    expect(failed).toMatchObject({
      message: "The client did not connect: its protocol's load() failed or start() was aborted",
      retryable: false,
    });
  });

  it("stop() ends start() and the operations waiting for the load", async () => {
    const { server, client } = withLoad(never);
    const start = client.start().catch((e: unknown) => e);
    const join = client.joinGroup("g").catch((e: unknown) => e);
    await client.stop();
    expect(await start).toBeInstanceOf(Error);
    expect(await join).toBeInstanceOf(mod.SendMessageError);
    expect(client.state).toBe("Stopped");
    expect(server.sockets).toHaveLength(0);
  });

  it("a failed load fails start() with its error and the waiting operations with a SendMessageError naming load()", async () => {
    const loading = new Deferred<void>();
    const { server, client } = withLoad(() => loading.promise);
    const start = client.start().catch((e: unknown) => e);
    const send = client.sendEvent("e", "x", "text").catch((e: unknown) => e);
    const failure = new Error("no codec here");
    loading.reject(failure);
    expect(await start).toBe(failure);
    const error = await send;
    expect(error).toBeInstanceOf(mod.SendMessageError);
    expect((error as Error).message).toMatch(/load\(\) failed/);
    expect(server.sockets).toHaveLength(0);
  });

  it("an operation waiting for it ends with its own abort, at once, while start() goes on waiting", async () => {
    const { client } = withLoad(never);
    const start = client.start().catch((e: unknown) => e);
    const controller = new AbortController();
    const send = client.sendToGroup("g", "hi", "text", { abortSignal: controller.signal }).catch((e: unknown) => e);
    controller.abort(new Error("this send only"));
    const error = await send;
    expect(error).toBeInstanceOf(mod.AbortError);
    expect(error).toMatchObject({ cause: { message: "this send only" } });
    expect(client.state).toBe("Connecting");
    await client.stop();
    expect(await start).toBeInstanceOf(Error);
  });

  it("an operation waiting for it fails at the ack timeout, not a millisecond before", async () => {
    vi.useFakeTimers();
    const { client } = withLoad(never, { ackTimeoutInMs: 1000 });
    const start = client.start().catch((e: unknown) => e);
    let outcome: unknown = "pending";
    const join = client.joinGroup("g").then(
      () => "joined",
      (e: unknown) => e,
    );
    void join.then((o) => {
      outcome = o;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(outcome).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toBeInstanceOf(mod.SendMessageError);
    expect((outcome as Error).message).toBe("The protocol's load() did not finish within the ack timeout (1000 ms)");
    expect((outcome as { retryable?: unknown }).retryable).toBe(false);
    await client.stop();
    expect(await start).toBeInstanceOf(Error);
  });

  it("a load that resolves lets the waiting operation through (the other side of the boundary)", async () => {
    const loading = new Deferred<void>();
    const { server, client } = withLoad(() => loading.promise);
    const start = server.start(client);
    const send = client.sendEvent("e", "x", "text");
    loading.resolve();
    const socket = await start;
    expect(socket.sent).toHaveLength(1);
    expect(JSON.parse(socket.sent[0] as string)).toMatchObject({ type: "event", event: "e", ackId: 1 });
    socket.onmessage?.({ data: JSON.stringify({ type: "ack", ackId: 1, success: true }) });
    expect(await send).toEqual({ ackId: 1, isDuplicated: false });
    await client.stop();
  });
});
