// The connection lifecycle as event handlers see it: connect decisions, connected/disconnected exactly once (also
// across a reliable recovery), user events with replies before acks, failures, state, and per-connection ordering.
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { Recording } from "@webpubsub/test-kit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { clientToken, connect, JSON_PROTOCOL, RELIABLE_PROTOCOL, rest, TestClient } from "./helpers/clients.ts";
import {
  defaultResponder,
  type HandlerServer,
  type Responder,
  startHandlerServer,
} from "./upstream-fixtures/handler-server.ts";

interface Seen {
  event: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Answer = (e: Seen, res: ServerResponse) => void | Promise<void>;

let answer: Answer;
const seen = new Recording<Seen>();
/** The app's event handler: validation answered as usual, every event recorded and answered by `answer`. */
const respond: Responder = (req, res) => {
  if (req.method === "OPTIONS") return defaultResponder(req, res);
  const e = { event: String(req.headers["ce-eventname"]), headers: req.headers, body: req.text };
  seen.push(e);
  void Promise.resolve(answer(e, res)).catch(() => res.writeHead(500).end());
};
let handler: HandlerServer;

function eventSeen(pred: (e: Seen) => boolean, what: string): Promise<Seen> {
  return seen.waitFor(pred, what);
}

const ok: Answer = (_e, res) => {
  res.writeHead(204).end();
};

let emu: RunningEmulator;
beforeAll(async () => {
  handler = await startHandlerServer(respond);
  emu = await startEmulator({
    recoveryWindowMs: 2000,
    hubs: {
      life: {
        eventHandlers: [
          {
            urlTemplate: `${handler.base}/events/{hub}/{event}`,
            userEventPattern: "*",
            systemEvents: ["connect", "connected", "disconnected"],
          },
        ],
      },
    },
  });
});
afterAll(async () => {
  await emu.close();
  await handler.close();
});
beforeEach(() => {
  answer = ok;
});

const of = (id: string, event: string) => (e: Seen) => e.headers["ce-connectionid"] === id && e.event === event;
const count = (id: string, event: string) => seen.items.filter(of(id, event)).length;

async function handshakeStatus(claims = {}): Promise<number> {
  const c = new TestClient(
    `${emu.endpoint.replace("http", "ws")}/client/hubs/life?access_token=${clientToken(emu, "life", claims)}`,
    JSON_PROTOCOL,
  );
  try {
    await c.opened;
    return 101;
  } catch (e) {
    return Number(/HTTP (\d+)/.exec(String(e))?.[1]);
  }
}

describe("connect", () => {
  it("propagates a 4xx rejection to the handshake and turns 5xx into 500", async () => {
    answer = (e, res) => void res.writeHead(e.event === "connect" ? 403 : 204).end("no");
    expect(await handshakeStatus()).toBe(403);
    answer = (e, res) => void res.writeHead(e.event === "connect" ? 400 : 204).end("retry later");
    expect(await handshakeStatus()).toBe(400);
  });

  it("applies userId, groups and roles from a 200 answer, and the connection state header", async () => {
    answer = (e, res) => {
      if (e.event !== "connect") return void res.writeHead(204).end();
      res.writeHead(200, { "content-type": "application/json", "ce-connectionState": "c3RhdGU=" });
      res.end(JSON.stringify({ userId: "overridden", groups: ["from-handler"], roles: ["webpubsub.sendToGroup"] }));
    };
    const c = await connect(emu, "life", { claims: { sub: "original" } });
    expect(c.messages[0]).toMatchObject({ userId: "overridden" });
    const connectEvent = await eventSeen(of(c.connectionId, "connect"), "connect");
    expect(JSON.parse(connectEvent.body)).toMatchObject({
      claims: { sub: ["original"] },
      subprotocols: [JSON_PROTOCOL],
    });
    expect(connectEvent.headers["ce-id"]).toBe("0");
    expect((await rest(emu, "HEAD", "/api/hubs/life/groups/from-handler")).status).toBe(200);
    c.send({ type: "sendToGroup", group: "any", ackId: 1, data: 1 });
    expect(await c.message((m) => m.ackId === 1)).toMatchObject({ success: true });
    const connected = await eventSeen(of(c.connectionId, "connected"), "connected");
    expect(connected.headers["ce-connectionstate"]).toBe("c3RhdGU=");
    expect(connected.headers["ce-userid"]).toBe("overridden");
    expect(connected.headers["ce-id"]).toBe("1");
    await c.close();
  });
});

describe("user events", () => {
  it("delivers the handler's reply as a server message before the ack, and round-trips connection state", async () => {
    answer = (e, res) => {
      if (e.event !== "echo") return void res.writeHead(204).end();
      res.writeHead(200, {
        "content-type": "application/json",
        "ce-connectionState": Buffer.from(e.body).toString("base64"),
      });
      res.end(JSON.stringify({ got: JSON.parse(e.body) }));
    };
    const c = await connect(emu, "life");
    c.send({ type: "event", event: "echo", ackId: 1, dataType: "json", data: { n: 1 } });
    await c.message((m) => m.ackId === 1);
    const idx = (p: (m: Record<string, unknown>) => boolean) => c.messages.findIndex(p);
    expect(idx((m) => m.from === "server")).toBeLessThan(idx((m) => m.ackId === 1));
    expect(c.messages.find((m) => m.from === "server")).toEqual({
      type: "message",
      from: "server",
      dataType: "json",
      data: { got: { n: 1 } },
    });
    c.send({ type: "event", event: "echo", ackId: 2, dataType: "text", data: "2" });
    await c.message((m) => m.ackId === 2);
    const second = seen.items.filter(of(c.connectionId, "echo"))[1]!;
    expect(second.headers["ce-connectionstate"]).toBe(Buffer.from('{"n":1}').toString("base64"));
    await c.close();
  });

  it("answers InternalServerError when the handler fails, and closes a simple client with 1011", async () => {
    answer = (e, res) =>
      void res.writeHead(e.event === "connect" || e.event.includes("connected") ? 204 : 400).end("bad");
    const c = await connect(emu, "life");
    c.send({ type: "event", event: "boom", ackId: 1, dataType: "text", data: "x" });
    expect(await c.message((m) => m.ackId === 1)).toMatchObject({
      success: false,
      error: { name: "InternalServerError" },
    });
    const simple = await connect(emu, "life", { protocol: null });
    simple.ws.send("hello");
    expect(await simple.closed).toBe(1011);
    await c.close();
  });

  it("sends a simple client's frames as the message event and its reply back as a raw frame", async () => {
    answer = (e, res) => {
      if (e.event !== "message") return void res.writeHead(204).end();
      res.writeHead(200, { "content-type": "text/plain" }).end(`re:${e.body}`);
    };
    const simple = await connect(emu, "life", { protocol: null });
    simple.ws.send("ping-text");
    await simple.until(() => simple.frames.length === 1);
    expect(simple.frames[0]).toEqual({ data: "re:ping-text", binary: false });
    const ev = await eventSeen(
      of(
        (await eventSeen((e) => e.event === "message" && e.body === "ping-text", "message")).headers[
          "ce-connectionid"
        ] as string,
        "message",
      ),
      "message",
    );
    expect(ev.headers["content-type"]).toMatch(/^text\/plain/);
    await simple.close();
  });

  it("keeps one connection's messages in order behind a slow event, without blocking other connections", async () => {
    let release: (() => void) | undefined;
    answer = (e, res) => {
      if (e.event !== "slow") return void res.writeHead(204).end();
      release = () => res.writeHead(204).end();
    };
    const a = await connect(emu, "life", { claims: { role: ["webpubsub.joinLeaveGroup"] } });
    const b = await connect(emu, "life");
    a.send({ type: "event", event: "slow", ackId: 1, dataType: "text", data: "x" });
    a.send({ type: "joinGroup", group: "g", ackId: 2 });
    b.send({ type: "event", event: "fast", ackId: 1, dataType: "text", data: "y" });
    expect(await b.message((m) => m.ackId === 1)).toMatchObject({ success: true });
    expect(a.messages.some((m) => m.type === "ack")).toBe(false);
    await eventSeen((e) => e.event === "slow", "slow");
    release!();
    await a.message((m) => m.ackId === 2);
    expect(a.messages.filter((m) => m.type === "ack").map((m) => m.ackId)).toEqual([1, 2]);
    await a.close();
    await b.close();
  });
});

describe("connected / disconnected", () => {
  it("fire once per session: not again on a reliable recovery, disconnected once when it really ends", async () => {
    const c = await connect(emu, "life", { protocol: RELIABLE_PROTOCOL });
    const token = c.messages[0]!.reconnectionToken as string;
    await eventSeen(of(c.connectionId, "connected"), "connected");
    c.ws.terminate();
    await c.closed;
    const url = `${emu.endpoint.replace("http", "ws")}/client/hubs/life?awps_connection_id=${c.connectionId}&awps_reconnection_token=${encodeURIComponent(token)}`;
    const r = new TestClient(url, RELIABLE_PROTOCOL);
    await r.opened;
    r.send({ type: "ping" });
    await r.message((m) => m.type === "pong");
    expect(count(c.connectionId, "disconnected")).toBe(0);
    await r.close();
    const d = await eventSeen(of(c.connectionId, "disconnected"), "disconnected");
    expect(JSON.parse(d.body)).toHaveProperty("reason");
    // a REST close of an already ended session changes nothing
    await rest(emu, "DELETE", `/api/hubs/life/connections/${c.connectionId}`);
    const marker = await connect(emu, "life");
    await marker.close();
    await eventSeen(of(marker.connectionId, "disconnected"), "marker disconnected");
    expect(count(c.connectionId, "connect")).toBe(1);
    expect(count(c.connectionId, "connected")).toBe(1);
    expect(count(c.connectionId, "disconnected")).toBe(1);
  });

  it("fire disconnected once for an unrecovered drop and for a REST close", async () => {
    const dropped = await connect(emu, "life", { protocol: RELIABLE_PROTOCOL });
    const closed = await connect(emu, "life");
    dropped.ws.terminate();
    await rest(emu, "DELETE", `/api/hubs/life/connections/${closed.connectionId}?reason=admin`);
    const d = await eventSeen(of(closed.connectionId, "disconnected"), "disconnected after REST close");
    expect(JSON.parse(d.body)).toEqual({ reason: "admin" });
    await eventSeen(of(dropped.connectionId, "disconnected"), "disconnected after the recovery window");
    expect(count(dropped.connectionId, "disconnected")).toBe(1);
    expect(count(closed.connectionId, "disconnected")).toBe(1);
  });
});
