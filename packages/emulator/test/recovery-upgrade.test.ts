// Recovery of a dropped reliable session (recover(), on fake sockets): the upgrade is always accepted; the session
// resumes only when it exists, has not ended, is reliable, the reconnection token is its own, the client offers the
// session's subprotocol and reached an endpoint that speaks it. Every other recovery is closed with 1008.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebPubSubSubprotocol } from "@webpubsub/core";
import { describe, expect, it, vi } from "vitest";
import type { WebSocket, WebSocketServer } from "ws";
import { Connection } from "../src/connection.ts";
import type { Hub } from "../src/hub.ts";
import { CLIENT_ENDPOINT, MQTT_ENDPOINT } from "../src/protocols/endpoints.ts";
import { PROTOCOLS } from "../src/protocols/index.ts";
import type { Service } from "../src/service.ts";
import { recover } from "../src/ws/recovery.ts";
import { Upgrade } from "../src/ws/upgrade.ts";
import type { UpgradeTarget } from "../src/ws/upgrade-target.ts";

const RELIABLE = WebPubSubSubprotocol.ReliableJson;
const PLAIN = WebPubSubSubprotocol.Json;
const TOKEN = "reconnection-token-0123456789";

class FakeSocket {
  closed: { code: number; reason: string }[] = [];
  events: string[] = [];
  close(code: number, reason: string) {
    this.closed.push({ code, reason });
  }
  terminate() {}
  on(event: string) {
    this.events.push(event);
  }
}

function sessionOf(subprotocol: string, { token = TOKEN as string | null } = {}): Connection {
  const hub = { name: "chat", groupsOf: () => null } as unknown as Hub<Connection>;
  return new Connection({
    id: "c1",
    hub,
    userId: null,
    protocol: PROTOCOLS.get(subprotocol)!,
    subprotocol,
    roles: [],
    serial: 1,
    events: { overflow: vi.fn() },
    maxBufferedBytes: 1024,
    reconnectionToken: token ?? undefined,
  });
}

interface Attempt {
  offered?: string[];
  token?: string;
  connectionId?: string;
  hubName?: string;
  endpoint?: UpgradeTarget["endpoint"];
  /** runs between the check and the upgrade's completion */
  meanwhile?: () => void;
}

function attempt(conn: Connection | undefined, a: Attempt = {}) {
  const ws = new FakeSocket();
  const resume = vi.fn();
  const connections = new Map(conn === undefined ? [] : [["c1", conn]]);
  const service = {
    findHub: (name: string) => (name === "chat" ? { connections } : undefined),
    resume,
  } as unknown as Service;
  const wss = {
    handleUpgrade: (_req: unknown, _socket: unknown, _head: unknown, done: (ws: WebSocket) => void) => {
      a.meanwhile?.();
      done(ws as unknown as WebSocket);
    },
  } as unknown as WebSocketServer;
  const target: UpgradeTarget = {
    endpoint: a.endpoint ?? CLIENT_ENDPOINT,
    hubName: a.hubName ?? "chat",
    url: new URL("ws://localhost/client/hubs/chat"),
    origin: { scheme: "http", host: "localhost", origin: "http://localhost" },
    offered: a.offered ?? [RELIABLE],
    recovery: { connectionId: a.connectionId ?? "c1", token: a.token ?? TOKEN },
  };
  const upgrade = new Upgrade({
    service,
    wss,
    req: {} as IncomingMessage,
    socket: {} as Duplex,
    head: Buffer.alloc(0),
    target,
  });
  const select = vi.spyOn(upgrade, "select");
  recover(upgrade, target.recovery!);
  return { ws, resume, select };
}

function expectRefused(r: ReturnType<typeof attempt>) {
  expect(r.ws.closed).toEqual([{ code: 1008, reason: "The connection cannot be recovered." }]);
  expect(r.resume).not.toHaveBeenCalled();
  expect(r.ws.events).toEqual([]);
}

describe("recovering a reliable session", () => {
  it("resumes the session on the new socket, bound to its events, under the session's subprotocol", () => {
    const conn = sessionOf(RELIABLE);
    const r = attempt(conn, { offered: [PLAIN, RELIABLE] });
    expect(r.select).toHaveBeenCalledWith(RELIABLE);
    expect(r.ws.closed).toEqual([]);
    expect(r.resume).toHaveBeenCalledWith(conn, r.ws);
    expect(r.ws.events).toEqual(expect.arrayContaining(["message", "pong", "error", "close"]));
  });

  it("resumes a reliable protobuf session", () => {
    const conn = sessionOf(WebPubSubSubprotocol.ReliableProtobuf);
    const r = attempt(conn, { offered: [WebPubSubSubprotocol.ReliableProtobuf] });
    expect(r.resume).toHaveBeenCalledTimes(1);
  });

  it("refuses a token that differs from the session's, in one character or in length", () => {
    const last = TOKEN.at(-1) === "A" ? "B" : "A";
    expectRefused(attempt(sessionOf(RELIABLE), { token: `${TOKEN.slice(0, -1)}${last}` }));
    expectRefused(attempt(sessionOf(RELIABLE), { token: `${TOKEN}x` }));
    expectRefused(attempt(sessionOf(RELIABLE), { token: "" }));
  });

  it("refuses a session that has no reconnection token", () => {
    expectRefused(attempt(sessionOf(RELIABLE, { token: null }), { token: "" }));
  });

  it("refuses an unknown connection or hub, answering with the first offered subprotocol", () => {
    const unknown = attempt(sessionOf(RELIABLE), { connectionId: "c2", offered: [PLAIN, RELIABLE] });
    expectRefused(unknown);
    expect(unknown.select).toHaveBeenCalledWith(PLAIN);
    expectRefused(attempt(sessionOf(RELIABLE), { hubName: "other" }));
    expectRefused(attempt(undefined));
  });

  it("refuses a session that is not reliable", () => {
    expectRefused(attempt(sessionOf(PLAIN), { offered: [PLAIN] }));
  });

  it("refuses a session that has ended, before or while the upgrade completes", () => {
    const ended = sessionOf(RELIABLE);
    ended.end();
    expectRefused(attempt(ended));
    const ending = sessionOf(RELIABLE);
    expectRefused(attempt(ending, { meanwhile: () => ending.end() }));
  });

  it("refuses a client that does not offer the session's subprotocol, answering with its first offer", () => {
    const r = attempt(sessionOf(RELIABLE), { offered: [WebPubSubSubprotocol.ReliableProtobuf, PLAIN] });
    expectRefused(r);
    expect(r.select).toHaveBeenCalledWith(WebPubSubSubprotocol.ReliableProtobuf);
    const none = attempt(sessionOf(RELIABLE), { offered: [] });
    expectRefused(none);
    expect(none.select).toHaveBeenCalledWith(undefined);
  });

  it("refuses a recovery at an endpoint that does not speak the session's protocol", () => {
    expectRefused(attempt(sessionOf(RELIABLE), { endpoint: MQTT_ENDPOINT }));
  });
});
