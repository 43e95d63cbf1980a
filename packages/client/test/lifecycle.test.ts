import { describe, expect, it, vi } from "vitest";
import { AbortError, ConnectionError, SendMessageError, WebPubSubClient } from "../src/index.ts";
import { FakeServer, nextEvent, URL1 } from "./fake-socket.ts";

function setup(options: ConstructorParameters<typeof WebPubSubClient>[1] = {}) {
  const server = new FakeServer();
  const client = new WebPubSubClient(URL1, { webSocketFactory: server.factory, ...options });
  return { server, client };
}

async function started(options: ConstructorParameters<typeof WebPubSubClient>[1] = {}) {
  const ctx = setup(options);
  await ctx.server.start(ctx.client);
  return ctx;
}

describe("construction", () => {
  it("rejects bad URLs and credentials with TypeError before creating a socket", () => {
    const factory = vi.fn();
    expect(() => new WebPubSubClient("http://x/client", { webSocketFactory: factory })).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => new WebPubSubClient("not a url", { webSocketFactory: factory })).toThrow(TypeError);
    expect(() => new WebPubSubClient(42 as never, { webSocketFactory: factory })).toThrow(/credential/);
    expect(() => new WebPubSubClient({ getClientAccessUrl: 5 } as never, { webSocketFactory: factory })).toThrow(
      /getClientAccessUrl/,
    );
    expect(factory).not.toHaveBeenCalled();
  });

  it("validates options with errors naming the option", () => {
    const f = new FakeServer().factory;
    expect(() => new WebPubSubClient(URL1, { webSocketFactory: f, keepAliveTimeoutInMs: -1 })).toThrow(
      /keepAliveTimeoutInMs/,
    );
    expect(() => new WebPubSubClient(URL1, { webSocketFactory: f, ackTimeoutInMs: 0 })).toThrow(RangeError);
    expect(() => new WebPubSubClient(URL1, { webSocketFactory: f, protocol: "xml" as never })).toThrow(
      /options.protocol/,
    );
    // protobuf protocols are objects (so their codec stays out of bundles that do not use them); the names explain it
    expect(() => new WebPubSubClient(URL1, { webSocketFactory: f, protocol: "protobuf.reliable" as never })).toThrow(
      /WebPubSubProtobufReliableProtocol\(\)/,
    );
    expect(() => new WebPubSubClient(URL1, { webSocketFactory: f, autoReconnect: "yes" as never })).toThrow(
      /autoReconnect/,
    );
    expect(() => new WebPubSubClient(URL1, { webSocketFactory: f, messageRetryOptions: { maxRetries: 1.5 } })).toThrow(
      /messageRetryOptions.maxRetries/,
    );
    expect(() => new WebPubSubClient(URL1, { webSocketFactory: 1 as never })).toThrow(/webSocketFactory/);
    expect(
      () => new WebPubSubClient(URL1, { webSocketFactory: f, keepAliveIntervalInMs: 5000, keepAliveTimeoutInMs: 5000 }),
    ).toThrow(/must be 0 or more than options.keepAliveIntervalInMs/);
    expect(
      () => new WebPubSubClient(URL1, { webSocketFactory: f, keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 5000 }),
    ).not.toThrow();
  });

  it("does not mutate the caller's options", () => {
    const options = { webSocketFactory: new FakeServer().factory };
    new WebPubSubClient(URL1, options);
    expect(Object.keys(options)).toEqual(["webSocketFactory"]);
  });

  it("defaults to the reliable JSON subprotocol and accepts short names", async () => {
    const { server, client } = setup();
    expect(client.protocol).toBe("json.reliable.webpubsub.azure.v1");
    void client.start().catch(() => {});
    expect((await server.socket(0)).protocols).toEqual(["json.reliable.webpubsub.azure.v1"]);
    await client.stop();
    expect(setup({ protocol: "json" }).client.protocol).toBe("json.webpubsub.azure.v1");
  });
});

describe("start and stop", () => {
  it("start() resolves on the connected message, not on socket open", async () => {
    const { server, client } = setup();
    let resolved = false;
    const start = client.start().then(() => (resolved = true));
    const socket = await server.socket(0);
    socket.open();
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toBe(false);
    expect(client.state).toBe("Connecting");
    const connected = nextEvent(client, "connected");
    socket.connected("c-1", "tok", "alice");
    await start;
    expect(await connected).toEqual({ connectionId: "c-1", userId: "alice" });
    expect(client.state).toBe("Connected");
    expect(client.connectionId).toBe("c-1");
    expect(socket.binaryType).toBe("arraybuffer");
    await client.stop();
  });

  it("start() rejects with the reason when the first connection fails, and emits nothing", async () => {
    const { server, client } = setup();
    const events: string[] = [];
    for (const e of ["connected", "disconnected", "stopped"] as const) client.on(e, () => events.push(e));
    const start = client.start();
    const socket = await server.socket(0);
    socket.onerror?.({ message: "Unexpected server response: 401" });
    socket.serverClose(1006);
    const error = await start.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).message).toMatch(/401/);
    expect((error as ConnectionError).code).toBe(1006);
    expect(client.state).toBe("Stopped");
    expect(events).toEqual([]);
    expect(server.sockets).toHaveLength(1); // no reconnect after a failed start
  });

  it("start() rejects with an AbortError carrying the abort reason as its cause, and closes the socket", async () => {
    const { server, client } = setup();
    const controller = new AbortController();
    const start = client.start({ abortSignal: controller.signal });
    const socket = await server.socket(0);
    controller.abort(new Error("user gave up"));
    const error = await start.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ name: "AbortError", cause: { message: "user gave up" } });
    expect(socket.closeCalls.length).toBe(1);
    expect(client.state).toBe("Stopped");
  });

  it("start() twice throws; a stopped client can start again", async () => {
    const { server, client } = await started();
    await expect(client.start()).rejects.toThrow(/Stopped/);
    await client.stop();
    const again = client.start();
    (await server.socket(1)).connected("c2");
    await again;
    expect(client.connectionId).toBe("c2");
    await client.stop();
  });

  it("stop() resolves after the stopped event, closes with 1000 and rejects pending operations", async () => {
    const { server, client } = await started();
    const pending = client.sendToGroup("g", "hi", "text");
    const order: string[] = [];
    client.on("stopped", () => order.push("stopped"));
    const stop = client.stop().then(() => order.push("resolved"));
    expect(client.state).toBe("Stopping");
    await stop;
    expect(order).toEqual(["stopped", "resolved"]);
    expect(server.sockets[0]?.closeCalls[0]?.code).toBe(1000);
    await expect(pending).rejects.toBeInstanceOf(SendMessageError);
    expect(client.state).toBe("Stopped");
    await client.stop(); // idempotent
  });

  it("stop() does not hang on a socket that never finishes closing: it gives up after 3 s", async () => {
    vi.useFakeTimers();
    try {
      const { server, client } = await started();
      const socket = server.sockets[0];
      if (!socket) throw new Error("no socket");
      socket.close = (code, reason) => socket.closeCalls.push({ code, reason }); // half-open: no close event ever
      let stopped = false;
      const stop = client.stop().then(() => (stopped = true));
      await vi.advanceTimersByTimeAsync(2999);
      expect(stopped).toBe(false);
      expect(client.state).toBe("Stopping");
      await vi.advanceTimersByTimeAsync(1);
      await stop;
      expect(client.state).toBe("Stopped");
    } finally {
      vi.useRealTimers();
    }
  });

  it("calls getClientAccessUrl on every fresh connection", async () => {
    const server = new FakeServer();
    let n = 0;
    const getClientAccessUrl = vi.fn(async () => `ws://h/client/hubs/x?access_token=t${++n}`);
    const client = new WebPubSubClient(
      { getClientAccessUrl },
      { webSocketFactory: server.factory, protocol: "json", reconnectRetryOptions: { retryDelayInMs: 1 } },
    );
    await server.start(client, "c1");
    const reconnected = nextEvent(client, "connected");
    server.sockets[0]?.serverClose(1000);
    (await server.socket(1)).connected("c2");
    await reconnected;
    expect(server.sockets[1]?.url).toContain("access_token=t2");
    expect(getClientAccessUrl).toHaveBeenCalledTimes(2);
    await client.stop();
  });

  it("a getClientAccessUrl that never settles fails its attempt after connectTimeoutInMs, not a millisecond before: start() rejects, a reconnect attempt fails and the next one waits its backoff", async () => {
    vi.useFakeTimers();
    try {
      const server = new FakeServer();
      let calls = 0;
      const hanging = {
        getClientAccessUrl: () => (++calls === 2 ? Promise.resolve(URL1) : new Promise<string>(() => {})),
      };
      const client = new WebPubSubClient(hanging, {
        webSocketFactory: server.factory,
        protocol: "json",
        connectTimeoutInMs: 1000,
        stableConnectionInMs: 0,
        reconnectRetryOptions: { mode: "fixed", retryDelayInMs: 100, jitter: false, maxRetries: 1 },
      });
      let outcome: unknown = "pending";
      const start = client.start().then(
        () => "resolved",
        (e: unknown) => (outcome = e),
      );
      await vi.advanceTimersByTimeAsync(999);
      expect(outcome).toBe("pending");
      await vi.advanceTimersByTimeAsync(1);
      await start;
      expect(outcome).toBeInstanceOf(ConnectionError);
      expect((outcome as Error).message).toBe("getClientAccessUrl did not return a URL within 1000 ms");
      expect(client.state).toBe("Stopped");
      expect(server.sockets).toHaveLength(0);

      // Started (call 2); the connection drops; the reconnect's calls 3 and 4 never settle.
      const started = client.start();
      await vi.advanceTimersByTimeAsync(0);
      (await server.socket(0)).connected();
      await started;
      const stopped = nextEvent(client, "stopped", 60_000);
      server.sockets[0]?.serverClose(1006);
      await vi.advanceTimersByTimeAsync(100); // the first attempt's backoff
      expect(calls).toBe(3);
      await vi.advanceTimersByTimeAsync(1099); // its timeout and the next backoff, less a millisecond
      expect(calls).toBe(3);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls).toBe(4);
      await vi.advanceTimersByTimeAsync(1000);
      const { error } = await stopped;
      expect(error).toBeInstanceOf(ConnectionError);
      expect(server.sockets).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("rejects a getClientAccessUrl result that is not a ws URL", async () => {
    const client = new WebPubSubClient(
      { getClientAccessUrl: async () => "https://x" },
      { webSocketFactory: new FakeServer().factory },
    );
    await expect(client.start()).rejects.toThrow(TypeError);
  });

  it("a throwing or rejecting listener never breaks the client", async () => {
    const errors: string[] = [];
    const { server, client } = setup({ onListenerError: (event) => errors.push(event), protocol: "json" });
    const seen: string[] = [];
    client.on("connected", () => {
      throw new Error("boom");
    });
    client.on("connected", () => seen.push("second listener"));
    client.on("server-message", async () => {
      throw new Error("async boom");
    });
    await server.start(client);
    const msg = nextEvent(client, "server-message");
    server.last.push({ type: "message", from: "server", dataType: "text", data: "x" });
    await msg;
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual(["second listener"]);
    expect(errors).toEqual(["connected", "server-message"]);
    const send = client.sendToGroup("g", "y", "text");
    server.last.push({ type: "ack", ackId: 1, success: true });
    await expect(send).resolves.toEqual({ ackId: 1, isDuplicated: false });
    await client.stop();
  });

  it("off() and once() manage listeners", async () => {
    const { server, client } = await started({ protocol: "json" });
    const calls: string[] = [];
    const a = () => calls.push("a");
    client.on("server-message", a);
    client.once("server-message", () => calls.push("once"));
    server.last.push({ type: "message", from: "server", dataType: "text", data: "1" });
    client.off("server-message", a);
    server.last.push({ type: "message", from: "server", dataType: "text", data: "2" });
    expect(calls).toEqual(["a", "once"]);
    await client.stop();
  });
});
