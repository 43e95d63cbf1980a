// One client session (Connection) on a fake socket and fake timers: its permissions (roles, runtime grants and
// revocations), the ackId history, sending (reliable numbering, the unacked buffer, slow consumers), replay on
// recovery, the recovery window, keep-alive rounds and the end of the session.
import type { JsonDownstreamMessage } from "@webpubsub/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { WebSocket } from "ws";
import { ACK_HISTORY_LIMIT, Connection, type ConnectionInit } from "../src/connection.ts";
import type { Hub } from "../src/hub.ts";
import { Outgoing } from "../src/outgoing.ts";
import { NO_FRAME, type WireFormat } from "../src/protocols/wire-format.ts";
import { RELIABLE_MAX_BYTES, RELIABLE_MAX_MESSAGES } from "../src/reliable-buffer.ts";
import type { SessionExtension } from "../src/session-extension.ts";
import { frameBudget, TURN_BUDGET_MS } from "../src/turn-budget.ts";

const MAX_BUFFERED = 1000;

/** A WebSocket stand-in that records what was done to it. */
class FakeSocket {
  readyState = 1;
  bufferedAmount = 0;
  sent: { data: string; binary: boolean }[] = [];
  closed: { code: number; reason: string }[] = [];
  terminated = 0;
  pings = 0;
  /** ws's flag: true while the session's frames wait for a later turn (inbound-queue.ts) */
  isPaused = false;
  send(data: Buffer, opts: { binary: boolean }) {
    this.sent.push({ data: data.toString(), binary: opts.binary });
  }
  close(code: number, reason: string) {
    this.closed.push({ code, reason });
  }
  terminate() {
    this.terminated++;
  }
  ping() {
    this.pings++;
  }
}
const asWs = (s: FakeSocket) => s as unknown as WebSocket;

/** A wire format whose frames are readable text: `<sequenceId>:<text>` and `control:<json>`. */
function wire(reliable: boolean, { binary = false, controls = true, size = 10 } = {}): WireFormat {
  return {
    name: reliable ? "json.reliable.webpubsub.azure.v1" : "json.webpubsub.azure.v1",
    reliable,
    binary,
    encodeData: (msg, seq) => ({ data: Buffer.from(`${seq}:${textOf(msg)}`), binary }),
    dataSize: () => size,
    encodeControl: (msg: JsonDownstreamMessage) =>
      controls ? { data: Buffer.from(`control:${JSON.stringify(msg)}`), binary } : undefined,
  };
}
const textOf = (msg: Outgoing) => (msg.payload.kind === "text" ? msg.payload.text : "?");
const msg = (text: string, ttlSeconds?: number) =>
  new Outgoing({ payload: { kind: "text", text }, from: "server", ...(ttlSeconds ? { ttlSeconds } : {}) });

const fakeHub = { name: "chat", groupsOf: () => null } as unknown as Hub<Connection>;

function session(init: Partial<ConnectionInit> = {}) {
  const overflow = vi.fn();
  const conn = new Connection({
    id: "c1",
    hub: fakeHub,
    userId: "u",
    protocol: wire(false),
    subprotocol: undefined,
    roles: [],
    serial: 1,
    events: { overflow },
    maxBufferedBytes: MAX_BUFFERED,
    ...init,
  });
  return { conn, overflow };
}
function attached(init: Partial<ConnectionInit> = {}) {
  const s = session(init);
  const ws = new FakeSocket();
  s.conn.attach(asWs(ws));
  return { ...s, ws };
}
const reliable = (init: Partial<ConnectionInit> = {}) => attached({ protocol: wire(true), ...init });
const texts = (ws: FakeSocket) => ws.sent.map((f) => f.data);

function extension() {
  return { resumed: vi.fn<() => void>(), ended: vi.fn<() => void>() } satisfies SessionExtension;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("permissions", () => {
  it("allows what the roles grant and nothing else", () => {
    const { conn } = session({ roles: ["webpubsub.joinLeaveGroup.a", "webpubsub.sendToGroup"] });
    expect(conn.allowed("joinLeaveGroup", "a")).toBe(true);
    expect(conn.allowed("joinLeaveGroup", "b")).toBe(false);
    expect(conn.allowed("sendToGroup", "any")).toBe(true);
    expect(session().conn.allowed("sendToGroup", "a")).toBe(false);
  });

  it("grant adds a group's permission; revoke takes it away again", () => {
    const { conn } = session();
    conn.grant("sendToGroup", "g");
    expect(conn.allowed("sendToGroup", "g")).toBe(true);
    expect(conn.allowed("sendToGroup", "h")).toBe(false);
    expect(conn.allowed("joinLeaveGroup", "g")).toBe(false);
    conn.revoke("sendToGroup", "g");
    expect(conn.allowed("sendToGroup", "g")).toBe(false);
  });

  it("revoking one group under a broader role denies that group only, until it is granted again", () => {
    const { conn } = session({ roles: ["webpubsub.joinLeaveGroup"] });
    conn.revoke("joinLeaveGroup", "g");
    expect(conn.allowed("joinLeaveGroup", "g")).toBe(false);
    expect(conn.allowed("joinLeaveGroup", "h")).toBe(true);
    conn.grant("joinLeaveGroup", "g");
    expect(conn.allowed("joinLeaveGroup", "g")).toBe(true);
  });

  it("revoking one group under a wildcard role denies that group only; the pattern keeps granting the others", () => {
    const { conn } = session({ roles: ["webpubsub.sendToGroups.room.*"] });
    expect(conn.allowed("sendToGroup", "room.a")).toBe(true);
    conn.revoke("sendToGroup", "room.a");
    expect(conn.allowed("sendToGroup", "room.a")).toBe(false);
    expect(conn.allowed("sendToGroup", "room.b")).toBe(true);
    expect(conn.allowed("sendToGroup", "hall.a")).toBe(false);
    conn.grant("sendToGroup", "room.a");
    expect(conn.allowed("sendToGroup", "room.a")).toBe(true);
  });

  it("a revocation is of one permission: the other one on the same group stays", () => {
    const { conn } = session({ roles: ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"] });
    conn.revoke("sendToGroup", "g");
    expect(conn.allowed("sendToGroup", "g")).toBe(false);
    expect(conn.allowed("joinLeaveGroup", "g")).toBe(true);
  });

  it("revoking a permission that only its own role granted leaves later grants working", () => {
    const { conn } = session({ roles: ["webpubsub.sendToGroup.g"] });
    conn.revoke("sendToGroup", "g");
    expect(conn.allowed("sendToGroup", "g")).toBe(false);
    conn.grant("sendToGroup", "g");
    expect(conn.allowed("sendToGroup", "g")).toBe(true);
  });
});

describe("ackId history", () => {
  it("remembers the ackIds of operations that succeeded", () => {
    const { conn } = session();
    expect(conn.hasSucceeded(1)).toBe(false);
    conn.recordSuccess(1);
    expect(conn.hasSucceeded(1)).toBe(true);
    expect(conn.hasSucceeded(2)).toBe(false);
  });

  it("keeps the last 10,000 ackIds and forgets the oldest beyond them", () => {
    const { conn } = session();
    for (let id = 1; id <= ACK_HISTORY_LIMIT; id++) conn.recordSuccess(id);
    expect(conn.hasSucceeded(1)).toBe(true);
    conn.recordSuccess(ACK_HISTORY_LIMIT + 1);
    expect(conn.hasSucceeded(1)).toBe(false);
    expect(conn.hasSucceeded(2)).toBe(true);
    expect(conn.hasSucceeded(ACK_HISTORY_LIMIT + 1)).toBe(true);
  });
});

describe("sending", () => {
  it("sends nothing for a message its wire format has no frame for now (NO_FRAME), and the next one as usual", () => {
    let none = true;
    const base = wire(false);
    const protocol: WireFormat = { ...base, encodeData: (m, seq) => (none ? NO_FRAME : base.encodeData(m, seq)) };
    const { conn, ws } = attached({ protocol });
    conn.deliver(msg("a"));
    expect(ws.sent).toEqual([]);
    none = false;
    conn.deliver(msg("b"));
    expect(texts(ws)).toEqual(["0:b"]);
  });

  it("sends data messages of an unreliable protocol unnumbered, in the protocol's frame kind", () => {
    const { conn, ws } = attached({ protocol: wire(false, { binary: true }) });
    conn.deliver(msg("a"));
    expect(ws.sent).toEqual([{ data: "0:a", binary: true }]);
    expect(conn.unackedCount).toBe(0);
    expect(conn.reliable).toBe(false);
  });

  it("numbers the data messages of a reliable protocol from 1 and keeps them until acked", () => {
    const { conn, ws } = reliable();
    expect(conn.reliable).toBe(true);
    conn.deliver(msg("a"));
    conn.deliver(msg("b"));
    expect(ws.sent).toEqual([
      { data: "1:a", binary: false },
      { data: "2:b", binary: false },
    ]);
    expect(conn.unackedCount).toBe(2);
    conn.acknowledge(1);
    expect(conn.unackedCount).toBe(1);
    conn.acknowledge(2);
    expect(conn.unackedCount).toBe(0);
  });

  it("keeps a reliable message without building its frame while no socket is attached", () => {
    const protocol = wire(true);
    const encodeData = vi.spyOn(protocol, "encodeData");
    const { conn } = session({ protocol });
    conn.deliver(msg("a"));
    expect(conn.unackedCount).toBe(1);
    expect(encodeData).not.toHaveBeenCalled();
  });

  it("sends no control frame and replays nothing while no socket is attached", () => {
    const { conn } = session({ protocol: wire(true) });
    conn.deliver(msg("a"));
    expect(() => conn.sendControl({ type: "pong" } as JsonDownstreamMessage)).not.toThrow();
    expect(conn.replay()).toBe(1);
  });

  it("ignores a sequence ack on a connection whose protocol is not reliable", () => {
    const { conn, ws } = attached();
    expect(() => conn.acknowledge(1)).not.toThrow();
    conn.deliver(msg("a"));
    expect(texts(ws)).toEqual(["0:a"]);
  });

  it("counts the bytes of each reliable frame as the protocol sizes it for its sequence id", () => {
    const protocol = wire(true, { size: RELIABLE_MAX_BYTES + 1 });
    const dataSize = vi.spyOn(protocol, "dataSize");
    const { conn, overflow } = attached({ protocol });
    const m = msg("huge");
    conn.deliver(m);
    expect(dataSize).toHaveBeenCalledWith(m, 1);
    expect(overflow).toHaveBeenCalledWith(conn, expect.stringContaining("reliable message buffer is full"), 1008);
  });

  it("ends the session (overflow, 1008) when more than 1000 messages stay unacked, and does not send that one", () => {
    const { conn, ws, overflow } = reliable();
    for (let i = 0; i < RELIABLE_MAX_MESSAGES; i++) conn.deliver(msg(`m${i}`));
    expect(overflow).not.toHaveBeenCalled();
    expect(ws.sent).toHaveLength(RELIABLE_MAX_MESSAGES);
    conn.deliver(msg("over"));
    expect(overflow).toHaveBeenCalledWith(
      conn,
      "The reliable message buffer is full (too many unacknowledged messages).",
      1008,
    );
    expect(ws.sent).toHaveLength(RELIABLE_MAX_MESSAGES);
  });

  it("sends nothing on a socket that is not open", () => {
    const { conn, ws } = attached();
    ws.readyState = 2;
    conn.deliver(msg("a"));
    conn.sendControl({ type: "pong" } as JsonDownstreamMessage);
    expect(ws.sent).toEqual([]);
  });

  it("accepts a message while the queued bytes are at the limit; over it, the connection is a slow consumer", () => {
    const { conn, ws, overflow } = attached();
    ws.bufferedAmount = MAX_BUFFERED;
    conn.deliver(msg("a"));
    expect(texts(ws)).toEqual(["0:a"]);
    ws.bufferedAmount = MAX_BUFFERED + 1;
    conn.deliver(msg("b"));
    expect(texts(ws)).toEqual(["0:a"]);
    expect(overflow).toHaveBeenCalledWith(conn, "The connection is too slow to receive its messages.", 1008);
  });

  it("sends control frames, skips those the protocol has none for, and sends nothing once ended", () => {
    const { conn, ws } = attached();
    conn.sendControl({ type: "pong" } as JsonDownstreamMessage);
    expect(texts(ws)).toEqual(['control:{"type":"pong"}']);
    const quiet = attached({ protocol: wire(false, { controls: false }) });
    quiet.conn.sendControl({ type: "pong" } as JsonDownstreamMessage);
    expect(quiet.ws.sent).toEqual([]);
    conn.end();
    conn.sendControl({ type: "pong" } as JsonDownstreamMessage);
    conn.deliver(msg("late"));
    expect(texts(ws)).toEqual(['control:{"type":"pong"}']);
  });
});

describe("replay after a recovery", () => {
  it("sends the unacked messages again in order with their sequence ids, skipping expired ones", () => {
    const { conn, ws } = reliable();
    conn.deliver(msg("a"));
    conn.deliver(msg("short", 1));
    conn.deliver(msg("c", 60));
    conn.acknowledge(0);
    const next = new FakeSocket();
    conn.detach(asWs(ws));
    vi.advanceTimersByTime(1001);
    conn.attach(asWs(next));
    expect(conn.replay()).toBe(3);
    expect(texts(next)).toEqual(["1:a", "3:c"]);
  });

  it("replays from the first unacked message, and nothing once everything was acked", () => {
    const { conn, ws } = reliable();
    conn.deliver(msg("a"));
    conn.deliver(msg("b"));
    conn.acknowledge(1);
    ws.sent = [];
    expect(conn.replay()).toBe(1);
    expect(texts(ws)).toEqual(["2:b"]);
    conn.acknowledge(2);
    ws.sent = [];
    expect(conn.replay()).toBe(0);
    expect(ws.sent).toEqual([]);
    expect(session().conn.replay()).toBe(0);
  });

  it("tells the session's extensions it resumed, after the replay", () => {
    const { conn, ws } = reliable();
    conn.deliver(msg("a"));
    const x = extension();
    x.resumed.mockImplementation(() => expect(texts(ws)).toContain("1:a"));
    conn.extension({}, () => x);
    ws.sent = [];
    conn.replay();
    expect(x.resumed).toHaveBeenCalledTimes(1);
    expect(x.ended).not.toHaveBeenCalled();
  });
});

describe("sockets and the recovery window", () => {
  it("attaching a new socket drops the old one; re-attaching the same one does not", () => {
    const { conn, ws } = attached();
    conn.attach(asWs(ws));
    expect(ws.terminated).toBe(0);
    const next = new FakeSocket();
    conn.attach(asWs(next));
    expect(ws.terminated).toBe(1);
    expect(conn.socket).toBe(next);
  });

  it("detach forgets the attached socket only", () => {
    const { conn, ws } = attached();
    expect(conn.detach(asWs(new FakeSocket()))).toBe(false);
    expect(conn.socket).toBe(ws);
    expect(conn.detach(asWs(ws))).toBe(true);
    expect(conn.socket).toBeNull();
  });

  it("the recovery window expires after exactly its length", () => {
    const { conn } = session({ protocol: wire(true) });
    const expired = vi.fn();
    conn.awaitRecovery(1000, expired);
    vi.advanceTimersByTime(999);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it("the recovery window does not keep the process alive", () => {
    const setTimer = vi.spyOn(globalThis, "setTimeout");
    const { conn } = session({ protocol: wire(true) });
    conn.awaitRecovery(1000, () => {});
    const timer = setTimer.mock.results.at(-1)?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    setTimer.mockRestore();
  });

  it("a new window replaces the old one", () => {
    const { conn } = session({ protocol: wire(true) });
    const first = vi.fn();
    const second = vi.fn();
    conn.awaitRecovery(1000, first);
    conn.awaitRecovery(2000, second);
    vi.advanceTimersByTime(5000);
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
  });

  it("attaching a socket (the recovery) cancels the window", () => {
    const { conn } = session({ protocol: wire(true) });
    const expired = vi.fn();
    conn.awaitRecovery(1000, expired);
    conn.attach(asWs(new FakeSocket()));
    vi.advanceTimersByTime(5000);
    expect(expired).not.toHaveBeenCalled();
    // a window that expired is gone: a later attach and a new window work as usual
    conn.awaitRecovery(10, expired);
    vi.advanceTimersByTime(10);
    expect(expired).toHaveBeenCalledTimes(1);
    conn.attach(asWs(new FakeSocket()));
    expect(vi.getTimerCount()).toBe(0);
  });

  it("ending the session cancels the window, drops the unacked messages and ends the extensions once", () => {
    const { conn } = reliable();
    conn.deliver(msg("a"));
    const x = extension();
    conn.extension({}, () => x);
    const expired = vi.fn();
    conn.awaitRecovery(1000, expired);
    expect(conn.ended).toBe(false);
    expect(conn.end()).toBe(true);
    expect(conn.ended).toBe(true);
    expect(conn.end()).toBe(false);
    vi.advanceTimersByTime(5000);
    expect(expired).not.toHaveBeenCalled();
    expect(conn.unackedCount).toBe(0);
    expect(x.ended).toHaveBeenCalledTimes(1);
    expect(conn.replay()).toBe(0);
    expect(x.resumed).not.toHaveBeenCalled();
  });

  it("ending the session drops the frames waiting for a later turn: none is handled, its socket reads again", () => {
    vi.useFakeTimers({ toFake: ["setImmediate", "clearImmediate", "performance"] });
    const { conn } = attached();
    frameBudget.charge(() => vi.advanceTimersByTime(TURN_BUDGET_MS)); // other frames spent this turn
    const source = { pause: vi.fn(), resume: vi.fn() };
    const handled = vi.fn(() => undefined);
    conn.inbound.run(1, handled, source);
    expect(source.pause).toHaveBeenCalledTimes(1);
    conn.end();
    expect(source.resume).toHaveBeenCalledTimes(1);
    vi.runAllTimers(); // the budget's reset (the shared budget must not stay spent) and nothing else
    expect(vi.getTimerCount()).toBe(0);
    expect(handled).not.toHaveBeenCalled();
  });
});

describe("session extensions", () => {
  it("creates an extension on first use and returns the same one later", () => {
    const { conn } = session();
    const key = {};
    const create = vi.fn(extension);
    const x = conn.extension(key, create);
    expect(conn.extension(key, create)).toBe(x);
    expect(create).toHaveBeenCalledTimes(1);
    expect(conn.extension({}, extension)).not.toBe(x);
  });

  it("an extension created after the session ended is ended at once and not kept", () => {
    const { conn } = session();
    conn.end();
    const key = {};
    const x = conn.extension(key, extension);
    expect(x.ended).toHaveBeenCalledTimes(1);
    const y = conn.extension(key, extension);
    expect(y).not.toBe(x);
  });
});

describe("keep-alive", () => {
  it("pings a socket that answered, drops one that did not", () => {
    const { conn, ws } = attached();
    expect(conn.keepAliveRound()).toBe("pinged");
    expect(ws.pings).toBe(1);
    expect(conn.keepAliveRound()).toBe("dropped");
    expect(ws.terminated).toBe(1);
  });

  it("a frame or pong between rounds keeps it alive", () => {
    const { conn, ws } = attached();
    conn.keepAliveRound();
    conn.markAlive();
    expect(conn.keepAliveRound()).toBe("pinged");
    expect(ws.terminated).toBe(0);
  });

  it("a newly attached socket starts alive", () => {
    const { conn } = attached();
    conn.keepAliveRound();
    conn.attach(asWs(new FakeSocket()));
    expect(conn.keepAliveRound()).toBe("pinged");
  });

  it("pings, and does not drop, a silent socket paused while its frames wait for a later turn", () => {
    const { conn, ws } = attached();
    conn.keepAliveRound();
    ws.isPaused = true; // its pong may sit unread behind the frames that paused it
    expect(conn.keepAliveRound()).toBe("pinged");
    expect(ws.pings).toBe(2);
    ws.isPaused = false; // read again, and still silent
    expect(conn.keepAliveRound()).toBe("dropped");
    expect(ws.terminated).toBe(1);
  });

  it("is idle without an open socket", () => {
    expect(session().conn.keepAliveRound()).toBe("idle");
    const { conn, ws } = attached();
    ws.readyState = 0;
    expect(conn.keepAliveRound()).toBe("idle");
    expect(ws.pings).toBe(0);
  });
});

describe("closing", () => {
  it("close() sends the disconnected system message, then the close frame", () => {
    const { conn, ws } = attached();
    conn.close(1000, "bye");
    expect(texts(ws)).toEqual(['control:{"type":"system","event":"disconnected","message":"bye"}']);
    expect(ws.closed).toEqual([{ code: 1000, reason: "bye" }]);
    session().conn.close(1000, "no socket"); // nothing to close
  });

  it("dropSocket closes a socket whose queue is at most half the limit and terminates a fuller one", () => {
    const { conn, ws } = attached();
    ws.bufferedAmount = MAX_BUFFERED / 2;
    conn.dropSocket(1008, "slow");
    expect(ws.closed).toEqual([{ code: 1008, reason: "slow" }]);
    expect(ws.terminated).toBe(0);
    ws.bufferedAmount = MAX_BUFFERED / 2 + 1;
    conn.dropSocket(1008, "slow");
    expect(ws.terminated).toBe(1);
    expect(ws.closed).toHaveLength(1);
    session().conn.dropSocket(1008, "no socket");
  });
});

describe("session state", () => {
  it("connection state: a new value replaces it, null clears it, undefined leaves it", () => {
    const { conn } = session({ connectionState: "s0" });
    expect(conn.connectionState).toBe("s0");
    conn.setConnectionState(undefined);
    expect(conn.connectionState).toBe("s0");
    conn.setConnectionState("s1");
    expect(conn.connectionState).toBe("s1");
    conn.setConnectionState(null);
    expect(conn.connectionState).toBeUndefined();
  });

  it("event ids go on from those the handshake used (0 when none)", () => {
    expect(session().conn.nextEventId()).toBe(0);
    const { conn } = session({ eventIds: 3 });
    expect(conn.nextEventId()).toBe(3);
    expect(conn.nextEventId()).toBe(4);
  });

  it("the upstream context names the hub, connection, user, and the subprotocol and state when there are any", () => {
    const plain = session().conn.upstreamContext();
    expect(plain).toEqual({ hub: "chat", connectionId: "c1", userId: "u", nextEventId: expect.any(Function) });
    expect(Object.keys(plain).sort()).toEqual(["connectionId", "hub", "nextEventId", "userId"]);
    const { conn } = session({ subprotocol: "json.webpubsub.azure.v1", connectionState: "st", eventIds: 5 });
    const ctx = conn.upstreamContext();
    expect(ctx).toMatchObject({ subprotocol: "json.webpubsub.azure.v1", connectionState: "st" });
    expect(ctx.nextEventId()).toBe(5);
    expect(conn.nextEventId()).toBe(6);
  });

  it("the upstream context carries what an MQTT protocol adds", () => {
    const mqtt = { physicalConnectionId: "p" } as never;
    const protocol = { ...wire(false), upstreamMqtt: () => mqtt };
    expect(session({ protocol }).conn.upstreamContext().mqtt).toBe(mqtt);
  });

  it("upstream `disconnected` is owed once after `connected` was sent, and not before", () => {
    const { conn } = session();
    expect(conn.takeUpstreamOpen()).toBe(false);
    conn.markUpstreamOpen();
    expect(conn.takeUpstreamOpen()).toBe(true);
    expect(conn.takeUpstreamOpen()).toBe(false);
  });

  it("simple clients' mode and the reconnection token are kept as given; noEcho defaults to off", () => {
    expect(session().conn.noEcho).toBe(false);
    const { conn } = session({ noEcho: true, publishGroup: "g", reconnectionToken: "t" });
    expect(conn).toMatchObject({ noEcho: true, publishGroup: "g", reconnectionToken: "t", serial: 1, userId: "u" });
  });

  it("its groups are the hub's record of it", () => {
    const mine = new Set(["g"]);
    const hub = {
      name: "chat",
      groupsOf: (c: Connection) => (c.id === "c1" ? mine : null),
    } as unknown as Hub<Connection>;
    expect(session({ hub }).conn.groups).toBe(mine);
  });
});
