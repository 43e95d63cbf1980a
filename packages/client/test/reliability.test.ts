import { describe, expect, it, vi } from "vitest";
import { WebPubSubClient } from "../src/index.ts";
import { dropAndRecover, FakeServer, type FakeSocket, joinAcked, nextEvent, URL1 } from "./fake-socket.ts";
import { started } from "./features/started.ts";

const msg = (sequenceId: number, data = `m${sequenceId}`) => ({
  type: "message",
  from: "group",
  group: "g",
  dataType: "text",
  data,
  sequenceId,
});

/** The session on `socket` numbers from 1: sequence id 1 is delivered as new, not dropped as a duplicate. */
function expectNumberedFromOne(client: WebPubSubClient, socket: FakeSocket): void {
  const seen: unknown[] = [];
  client.on("group-message", (e) => seen.push(e.message.sequenceId));
  socket.push(msg(1));
  expect(seen).toEqual([1]);
}

/**
 * Drops `socket` with a code that starts a new connection (socket number `index` of `server`) and returns the groups
 * the client joins again on it, as it sent them before `connected` (which comes at once without a group to rejoin,
 * else only after the rejoin's ack).
 */
async function groupsRejoinedAfterDrop(
  server: FakeServer,
  client: WebPubSubClient,
  socket: FakeSocket,
  index: number,
): Promise<unknown[]> {
  socket.serverClose(1006);
  const next = await server.socket(index);
  const connected = nextEvent(client, "connected");
  next.connected(`conn${index + 1}`);
  await Promise.race([connected, next.waitForFrame((f) => f.type === "joinGroup")]);
  return next.framesOf("joinGroup").map((f) => f.group);
}

describe("sequence acks", () => {
  it("acks cumulatively on a short timer and drops duplicates", async () => {
    const { client, socket } = await started();
    const seen: unknown[] = [];
    client.on("group-message", (e) => seen.push(e.message.data));
    socket.push(msg(1));
    socket.push(msg(2));
    socket.push(msg(2)); // duplicate
    socket.push(msg(1)); // duplicate
    socket.push(msg(3));
    expect(seen).toEqual(["m1", "m2", "m3"]);
    expect(socket.framesOf("sequenceAck")).toEqual([]);
    const ack = await socket.waitForFrame((f) => f.type === "sequenceAck");
    expect(ack).toEqual({ type: "sequenceAck", sequenceId: 3 });
    await client.stop();
  });

  it("acks at once when many messages are unacknowledged", async () => {
    const { client, socket } = await started();
    for (let i = 1; i <= 100; i++) socket.push(msg(i));
    expect(socket.framesOf("sequenceAck")).toEqual([{ type: "sequenceAck", sequenceId: 100 }]);
    await client.stop();
  });

  it("re-acks when the service replays messages it thinks we missed", async () => {
    const { client, socket } = await started();
    for (let i = 1; i <= 100; i++) socket.push(msg(i));
    socket.push(msg(50));
    await socket.waitForFrame(() => socket.framesOf("sequenceAck").length === 2);
    expect(socket.framesOf("sequenceAck").at(-1)).toEqual({ type: "sequenceAck", sequenceId: 100 });
    await client.stop();
  });

  it("non-reliable protocols never send sequenceAck", async () => {
    const { client, socket } = await started({ protocol: "json" });
    for (let i = 1; i <= 150; i++) socket.push(msg(i));
    await new Promise((r) => setTimeout(r, 600));
    expect(socket.framesOf("sequenceAck")).toEqual([]);
    await client.stop();
  });
});

describe("recovery", () => {
  it("recovers after an abnormal drop with awps_connection_id/awps_reconnection_token, without a new URL", async () => {
    const { server, client, socket, getClientAccessUrl } = await started();
    const events: string[] = [];
    for (const e of ["connected", "disconnected", "recovering", "recovered"] as const)
      client.on(e, () => events.push(e));
    socket.push(msg(1));
    socket.push(msg(2));
    const pending = client.sendToGroup("g", "x", "text"); // in flight when the connection drops
    const recovered = nextEvent(client, "recovered");
    socket.serverClose(1006);
    expect(client.state).toBe("Recovering");
    const s2 = await server.socket(1);
    const url = new URL(s2.url);
    expect(url.searchParams.get("awps_connection_id")).toBe("conn1");
    expect(url.searchParams.get("awps_reconnection_token")).toBe("token1");
    expect(url.searchParams.get("access_token")).toBe("t1");
    s2.open();
    // An open socket is not a recovery yet (the service rejects one by closing after the upgrade): only a ping goes
    // out, nothing pending is written, no event fires until the service answers.
    expect(s2.frames).toEqual([{ type: "ping" }]);
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(["recovering"]);
    expect(client.state).toBe("Recovering");
    s2.push({ type: "pong" });
    expect(await recovered).toEqual({ connectionId: "conn1" });
    expect(events).toEqual(["recovering", "recovered"]);
    expect(getClientAccessUrl).toHaveBeenCalledTimes(1);
    // The pending operation is written again with the same ackId; the service deduplicates it.
    expect(s2.framesOf("sendToGroup")).toEqual([
      { type: "sendToGroup", group: "g", ackId: 1, dataType: "text", data: "x" },
    ]);
    expect(s2.framesOf("sequenceAck")).toEqual([{ type: "sequenceAck", sequenceId: 2 }]);
    s2.push({ type: "ack", ackId: 1, success: false, error: { name: "Duplicate", message: "" } });
    expect(await pending).toEqual({ ackId: 1, isDuplicated: true });
    // Replayed messages are dropped, new ones delivered.
    const seen: unknown[] = [];
    client.on("group-message", (e) => seen.push(e.message.sequenceId));
    s2.push(msg(2));
    s2.push(msg(3));
    expect(seen).toEqual([3]);
    // A connected frame on the recovered socket with the same id only refreshes the token.
    s2.push({ type: "system", event: "connected", connectionId: "conn1", userId: "u1", reconnectionToken: "token2" });
    expect(events).toEqual(["recovering", "recovered"]);
    const recovered2 = nextEvent(client, "recovered");
    s2.serverClose(1001);
    const s3 = await server.socket(2);
    expect(new URL(s3.url).searchParams.get("awps_reconnection_token")).toBe("token2");
    s3.open();
    s3.push({ type: "pong" });
    await recovered2;
    await client.stop();
  });

  it("a recovered socket that announces a different connection is treated as a new connection", async () => {
    const { server, client, socket } = await started();
    socket.push(msg(7));
    const s2 = await dropAndRecover(server, client, socket);
    const connected = nextEvent(client, "connected");
    s2.connected("conn-new", "tok-new");
    expect(await connected).toEqual({ connectionId: "conn-new", userId: "u1" });
    expect(client.connectionId).toBe("conn-new");
    const seen: unknown[] = [];
    client.on("group-message", (e) => seen.push(e.message.sequenceId));
    s2.push(msg(1)); // the new session's numbering starts again
    expect(seen).toEqual([1]);
    await client.stop();
  });

  // Rule: a socket carries each pending operation once. When the service announces a new session on a recovered
  // socket, the client flushes what waits for its ack, but an operation already written on that socket (the one
  // resent by the recovery, or one sent after it) is not written on it a second time.
  it("a new session announced on a recovered socket does not write again the operations that socket already carried", async () => {
    const { server, client, socket } = await started();
    const before = client.sendToGroup("g", "before", "text"); // written on the first socket, then lost with it
    const s2 = await dropAndRecover(server, client, socket);
    const after = client.sendToGroup("g", "after", "text"); // written on the recovered socket
    const sent = () => s2.framesOf("sendToGroup").map((f) => `${f.data}#${f.ackId}`);
    expect(sent()).toEqual(["before#1", "after#2"]);
    const connected = nextEvent(client, "connected");
    s2.connected("conn-new", "tok-new");
    await connected;
    expect(sent()).toEqual(["before#1", "after#2"]);
    s2.push({ type: "ack", ackId: 1, success: true });
    s2.push({ type: "ack", ackId: 2, success: true });
    expect(await before).toEqual({ ackId: 1, isDuplicated: false });
    expect(await after).toEqual({ ackId: 2, isDuplicated: false });
    await client.stop();
  });

  it("keeps retrying recovery while attempts fail, then opens a new connection after the window", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0.5); // every wait is 75% of its nominal value
    try {
      const { server, client, socket, getClientAccessUrl } = await started({ recoveryWindowInMs: 300 });
      await joinAcked(client, socket);
      const disconnected = nextEvent(client, "disconnected");
      const t0 = Date.now();
      socket.serverClose(1006);
      // Fail every recovery attempt (e.g. HTTP 502 on the handshake), on a fake clock.
      const nextSocket = async (index: number) => {
        while (!server.sockets[index]) await vi.advanceTimersToNextTimerAsync();
        return server.sockets[index] as (typeof server.sockets)[number];
      };
      const attemptsAt: number[] = [];
      let i = 1;
      let next = await nextSocket(i);
      while (new URL(next.url).searchParams.has("awps_connection_id")) {
        attemptsAt.push(Date.now() - t0);
        next.serverClose(1006);
        next = await nextSocket(++i);
      }
      // Waits of 75 and 150 ms fit in the 300 ms window; the next one (300 ms) would not: a new connection instead.
      expect(attemptsAt).toEqual([75, 225]);
      expect(await disconnected).toMatchObject({ connectionId: "conn1" });
      expect(getClientAccessUrl).toHaveBeenCalledTimes(2);
      const connected = nextEvent(client, "connected");
      next.connected("conn2", "tokenB");
      const rejoin = await next.waitForFrame((f) => f.type === "joinGroup" && f.group === "room");
      next.push({ type: "ack", ackId: rejoin.ackId, success: true });
      // connected fires after the rejoin completed
      expect(await connected).toEqual({ connectionId: "conn2", userId: "u1" });
      const stopping = client.stop();
      await vi.advanceTimersByTimeAsync(10);
      await stopping;
    } finally {
      vi.useRealTimers();
      vi.restoreAllMocks();
    }
  });

  it("a 1008 close skips recovery: disconnected, new connection, groups rejoined, sequence reset", async () => {
    const { server, client, socket } = await started();
    await joinAcked(client, socket);
    socket.push(msg(5));
    socket.push({ type: "system", event: "disconnected", message: "buffer overflow" });
    const disconnected = nextEvent(client, "disconnected");
    socket.serverClose(1008);
    expect(await disconnected).toEqual({ connectionId: "conn1", message: "buffer overflow", code: 1008 });
    const s2 = await server.socket(1);
    expect(new URL(s2.url).searchParams.has("awps_connection_id")).toBe(false);
    const connected = nextEvent(client, "connected");
    s2.connected("conn2");
    const rejoin = await s2.waitForFrame((f) => f.type === "joinGroup");
    expect(rejoin.group).toBe("room");
    s2.push({ type: "ack", ackId: rejoin.ackId, success: true });
    await connected;
    expectNumberedFromOne(client, s2); // a new session counts from 1 again
    await client.stop();
  });

  it("a group joined fire-and-forget (an option a JavaScript caller may pass) is rejoined on a new connection", async () => {
    // nothing acks such a join: its group goes into the rejoin set once written, as it did before the bookkeeping
    // moved to the ack; a fire-and-forget leave takes it out again (the other side)
    const { server, client, socket } = await started({ protocol: "json" });
    await client.joinGroup("kept", { fireAndForget: true } as never);
    await client.joinGroup("gone", { fireAndForget: true } as never);
    await client.leaveGroup("gone", { fireAndForget: true } as never);
    expect(socket.framesOf("joinGroup").map((f) => [f.group, f.ackId])).toEqual([
      ["kept", undefined],
      ["gone", undefined],
    ]);
    expect(await groupsRejoinedAfterDrop(server, client, socket, 1)).toEqual(["kept"]);
    await client.stop();
  });

  it("a recovery the service rejects after the upgrade (open, then 1008) is not reported as recovered", async () => {
    const { server, client, socket, getClientAccessUrl } = await started();
    const events: string[] = [];
    for (const e of ["connected", "disconnected", "recovering", "recovered"] as const)
      client.on(e, () => events.push(e));
    await joinAcked(client, socket);
    socket.push(msg(4));
    const pending = client.sendToGroup("g", "x", "text");
    const disconnected = nextEvent(client, "disconnected");
    socket.serverClose(1006);
    const s2 = await server.socket(1);
    expect(new URL(s2.url).searchParams.get("awps_connection_id")).toBe("conn1");
    s2.open(); // the upgrade is accepted...
    s2.serverClose(1008, "The connection cannot be recovered."); // ...and the session refused
    expect(await disconnected).toEqual({
      connectionId: "conn1",
      message: "The connection cannot be recovered.",
      code: 1008,
    });
    expect(s2.frames).toEqual([{ type: "ping" }]); // nothing pending was written to the refused socket
    const s3 = await server.socket(2);
    expect(new URL(s3.url).searchParams.has("awps_connection_id")).toBe(false); // no more recovery attempts
    expect(getClientAccessUrl).toHaveBeenCalledTimes(2);
    const connected = nextEvent(client, "connected");
    s3.connected("conn2", "token2");
    const rejoin = await s3.waitForFrame((f) => f.type === "joinGroup");
    expect(rejoin.group).toBe("room");
    expect(s3.framesOf("sendToGroup")).toEqual([
      { type: "sendToGroup", group: "g", ackId: 2, dataType: "text", data: "x" },
    ]);
    s3.push({ type: "ack", ackId: rejoin.ackId, success: true });
    s3.push({ type: "ack", ackId: 2, success: true });
    expect(await connected).toEqual({ connectionId: "conn2", userId: "u1" });
    expect(await pending).toEqual({ ackId: 2, isDuplicated: false });
    expect(events).toEqual(["recovering", "disconnected", "connected"]);
    expectNumberedFromOne(client, s3); // a new session counts from 1 again
    await client.stop();
  });

  it("a recovery socket that closes before the service answers is a failed attempt, retried with backoff", async () => {
    const { server, client, socket } = await started({ recoveryWindowInMs: 5000 });
    const events: string[] = [];
    for (const e of ["disconnected", "recovering", "recovered"] as const) client.on(e, () => events.push(e));
    socket.serverClose(1006);
    const s2 = await server.socket(1);
    s2.open();
    s2.serverClose(1006); // opened, then lost before any frame
    const s3 = await server.socket(2);
    expect(new URL(s3.url).searchParams.get("awps_connection_id")).toBe("conn1");
    expect(events).toEqual(["recovering"]);
    const recovered = nextEvent(client, "recovered");
    s3.open();
    // Replayed messages confirm the session as well as a pong, and are delivered after "recovered", in order.
    const seen: unknown[] = [];
    client.on("group-message", (e) => seen.push(`${events.at(-1)}:${e.message.sequenceId}`));
    s3.push(msg(1));
    s3.push(msg(2));
    await recovered;
    expect(seen).toEqual(["recovered:1", "recovered:2"]);
    await s3.waitForFrame((f) => f.type === "sequenceAck");
    await client.stop();
  });

  it("a failed rejoin emits rejoin-group-failed and the group is forgotten", async () => {
    const { server, client, socket } = await started({ protocol: "json" });
    await joinAcked(client, socket);
    socket.serverClose(1006);
    const s2 = await server.socket(1);
    const failed = nextEvent(client, "rejoin-group-failed");
    const connected = nextEvent(client, "connected");
    s2.connected("conn2");
    const rejoin = await s2.waitForFrame((f) => f.type === "joinGroup");
    s2.push({ type: "ack", ackId: rejoin.ackId, success: false, error: { name: "Forbidden", message: "no" } });
    const args = await failed;
    expect(args.group).toBe("room");
    await connected;
    await client.stop();
  });

  it.each([
    ["with a joinGroup acked in the same tick, the group is remembered", true, ["room"]],
    ["without one, the group is forgotten", false, []],
  ] as const)(
    "a failed automatic rejoin forgets its group as its refusal is handled, not after a later ack (%s)",
    async (_, joinAgain, rejoined) => {
      const { server, client, socket } = await started({ protocol: "json" });
      await joinAcked(client, socket);
      socket.serverClose(1006);
      const s2 = await server.socket(1);
      const failed = nextEvent(client, "rejoin-group-failed");
      s2.connected("conn2");
      const rejoin = await s2.waitForFrame((f) => f.type === "joinGroup");
      const join = joinAgain ? client.joinGroup("room") : undefined;
      const again = joinAgain
        ? await s2.waitForFrame((f) => f.type === "joinGroup" && f.ackId !== rejoin.ackId)
        : undefined;
      // both acks in one tick (ws emits the messages of one chunk synchronously): the refusal first, then the join
      s2.push({ type: "ack", ackId: rejoin.ackId, success: false, error: { name: "Forbidden", message: "no" } });
      if (again) s2.push({ type: "ack", ackId: again.ackId, success: true });
      await failed;
      await join;
      expect(await groupsRejoinedAfterDrop(server, client, s2, 2)).toEqual(rejoined);
      await client.stop();
    },
  );

  it.each([
    ["leave, then join: the group is rejoined", ["leaveGroup", "joinGroup"], ["room"]],
    ["join, then leave: the group is not rejoined", ["joinGroup", "leaveGroup"], []],
  ] as const)(
    "the groups to rejoin follow the service's acks in their order, however late the callers' promises settle (%s)",
    async (_, order, rejoined) => {
      // The first operation carries an abort signal, which settles its promise a few microtasks after the second's: the
      // group set must not depend on that.
      const { server, client, socket } = await started({ protocol: "json" });
      await joinAcked(client, socket);
      const [first, second] = order;
      const run = (type: string, options = {}) =>
        type === "joinGroup" ? client.joinGroup("room", options) : client.leaveGroup("room", options);
      const done = [run(first, { abortSignal: new AbortController().signal }), run(second)];
      for (const type of order) socket.push({ type: "ack", ackId: socket.framesOf(type).at(-1)?.ackId, success: true });
      await Promise.all(done);
      expect(await groupsRejoinedAfterDrop(server, client, socket, 1)).toEqual(rejoined);
      await client.stop();
    },
  );

  it("autoRejoinGroups: false does not rejoin", async () => {
    const { server, client, socket } = await started({ protocol: "json", autoRejoinGroups: false });
    await joinAcked(client, socket);
    socket.serverClose(1006);
    const s2 = await server.socket(1);
    const connected = nextEvent(client, "connected");
    s2.connected("conn2");
    await connected;
    expect(s2.framesOf("joinGroup")).toEqual([]);
    await client.stop();
  });

  it("non-reliable protocols never recover: a drop means a new connection (after its backoff)", async () => {
    const { server, client, socket } = await started({ protocol: "json" });
    const events: string[] = [];
    for (const e of ["connected", "disconnected", "recovering"] as const) client.on(e, () => events.push(e));
    socket.serverClose(1006);
    const s2 = await server.socket(1);
    expect(new URL(s2.url).searchParams.has("awps_connection_id")).toBe(false);
    const connected = nextEvent(client, "connected");
    s2.connected("c2");
    await connected;
    expect(events).toEqual(["disconnected", "connected"]);
    await client.stop();
  });

  it("autoReconnect: false stops after the connection is lost", async () => {
    const { server, client, socket } = await started({ protocol: "json", autoReconnect: false });
    const order: string[] = [];
    client.on("disconnected", () => order.push("disconnected"));
    const stopped = nextEvent(client, "stopped");
    client.on("stopped", () => order.push("stopped"));
    socket.serverClose(1006);
    const args = await stopped;
    expect(args.error).toBeInstanceOf(Error);
    expect(order).toEqual(["disconnected", "stopped"]);
    expect(client.state).toBe("Stopped");
    expect(server.sockets).toHaveLength(1);
  });

  it("reconnect backoff grows exponentially, is capped, and stops after maxRetries", async () => {
    vi.useFakeTimers();
    try {
      const server = new FakeServer();
      const opened: number[] = [];
      const client = new WebPubSubClient(URL1, {
        protocol: "json",
        webSocketFactory: (url, p) => {
          opened.push(Date.now());
          return server.factory(url, p);
        },
        reconnectRetryOptions: { maxRetries: 4, retryDelayInMs: 20, maxRetryDelayInMs: 80, jitter: false },
        stableConnectionInMs: 0, // the first connection counts as stable: the waits start from the base
      });
      await server.start(client);
      const stopped = nextEvent(client, "stopped");
      server.sockets[0]?.serverClose(1006);
      for (let i = 1; i <= 5; i++) {
        const next = server.socket(i);
        await vi.advanceTimersToNextTimerAsync();
        (await next).serverClose(1006);
      }
      await stopped;
      expect(server.sockets).toHaveLength(6); // initial + first try + 4 retries
      const gaps = opened.slice(1).map((t, i) => t - (opened[i] as number));
      expect(gaps).toEqual([20, 40, 80, 80, 80]); // the first try waits too; then doubling, capped
    } finally {
      vi.useRealTimers();
    }
  });

  it("stop() during recovery ends it: no more sockets, stopped emitted", async () => {
    const { server, client, socket } = await started({ recoveryWindowInMs: 5000 });
    socket.serverClose(1006);
    (await server.socket(1)).serverClose(1006);
    await client.stop();
    const count = server.sockets.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(server.sockets.length).toBe(count);
    expect(client.state).toBe("Stopped");
  });
});

describe("keep-alive", () => {
  it("pings when nothing was received for keepAliveIntervalInMs", async () => {
    const { client, socket } = await started({ keepAliveIntervalInMs: 30, keepAliveTimeoutInMs: 0 });
    await socket.waitForFrame((f) => f.type === "ping");
    await client.stop();
  });

  it("drops a half-open connection after keepAliveTimeoutInMs and recovers", async () => {
    const { server, client, socket } = await started({ keepAliveIntervalInMs: 20, keepAliveTimeoutInMs: 80 });
    socket.close = (code, reason) => socket.closeCalls.push({ code, reason }); // no close event ever comes
    const recovering = nextEvent(client, "recovering");
    await recovering;
    expect(socket.framesOf("ping").length).toBeGreaterThan(0);
    expect(socket.closeCalls[0]?.code).toBe(4000); // not 1000: a normal close would end the session
    const s2 = await server.socket(1);
    expect(new URL(s2.url).searchParams.get("awps_connection_id")).toBe("conn1");
    const recovered = nextEvent(client, "recovered");
    s2.open();
    s2.push({ type: "pong" });
    await recovered;
    // frames from the abandoned socket are ignored
    socket.push({ type: "message", from: "server", dataType: "text", data: "ghost" });
    await client.stop();
  });

  it("pongs keep the connection alive; it drops at the first check after keepAliveTimeoutInMs of silence", async () => {
    vi.useFakeTimers();
    try {
      const { client, socket } = await started({ keepAliveIntervalInMs: 50, keepAliveTimeoutInMs: 250 });
      for (let t = 0; t < 600; t += 10) {
        socket.push({ type: "pong" });
        await vi.advanceTimersByTimeAsync(10);
      }
      expect(client.state).toBe("Connected");
      expect(socket.framesOf("ping").length).toBe(0); // never idle for the 50 ms interval
      // The last pong came at 590 ms; the checks run every 50 ms: at 800 ms 210 ms of silence, at 850 ms 260 ms.
      await vi.advanceTimersByTimeAsync(849 - 600);
      expect(client.state).toBe("Connected");
      expect(socket.framesOf("ping").length).toBeGreaterThan(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(client.state).toBe("Recovering");
      expect(socket.closeCalls[0]?.code).toBe(4000);
      await client.stop().catch(() => {});
    } finally {
      vi.useRealTimers();
    }
  });
});
