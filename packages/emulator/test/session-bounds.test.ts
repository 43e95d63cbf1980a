// Per-connection state is bounded: the ackId history keeps a window of the last ACK_HISTORY_LIMIT successes, and the
// frames queued behind a slow upstream call are capped (the connection is closed with 1008 beyond the cap).
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACK_HISTORY_LIMIT } from "../src/connection.ts";
import { MAX_QUEUED_BYTES, MAX_QUEUED_FRAMES } from "../src/inbound-queue.ts";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { connect, rest } from "./helpers/clients.ts";
import { type HandlerServer, startHandlerServer } from "./upstream-fixtures/handler-server.ts";

let emu: RunningEmulator;
let hs: HandlerServer;
/** responses of held `event` calls, answered at the end of each test */
const held: ServerResponse[] = [];
let onHeld: (() => void) | undefined;

/** Resolves when the next `slow` event reaches the handler (and is being held). */
function nextHeld(): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("the slow event never reached the handler")), 5000);
    onHeld = () => {
      clearTimeout(t);
      onHeld = undefined;
      resolve();
    };
  });
}

beforeAll(async () => {
  hs = await startHandlerServer((req, res) => {
    if (req.method === "OPTIONS") {
      res.writeHead(200, { "WebHook-Allowed-Origin": "*" }).end();
      return;
    }
    if (req.headers["ce-eventname"] === "slow") {
      held.push(res); // the event handler takes its time: every later frame of that connection waits
      onHeld?.();
      return;
    }
    res.writeHead(204).end();
  });
  emu = await startEmulator({
    hubs: { bounds: { eventHandlers: [{ urlTemplate: `${hs.base}/{event}`, userEventPattern: "*" }] } },
  });
});

afterAll(async () => {
  for (const r of held.splice(0)) r.writeHead(204).end();
  await emu.close();
  await hs.close();
});

function release(): void {
  for (const r of held.splice(0)) r.writeHead(204).end();
}

describe("ackId history", () => {
  it(`remembers the last ${ACK_HISTORY_LIMIT} successful ackIds and forgets older ones`, async () => {
    const c = await connect(emu, "bounds", { claims: { role: ["webpubsub.joinLeaveGroup"] } });
    const last = ACK_HISTORY_LIMIT + 1;
    for (let id = 1; id <= last; id++) c.send(`{"type":"joinGroup","group":"g","ackId":${id}}`);
    await c.until(() => c.messages.some((m) => m.type === "ack" && m.ackId === last), 15_000, "the last ack");
    expect(c.messages.filter((m) => m.type === "ack" && m.success === true)).toHaveLength(last);
    // the most recent one is still known ...
    c.send({ type: "leaveGroup", group: "g", ackId: last });
    await c.until(() => c.messages.filter((m) => m.ackId === last).length === 2, 3000, "the duplicate ack");
    expect(c.messages.filter((m) => m.ackId === last)[1]).toMatchObject({
      success: false,
      error: { name: "Duplicate" },
    });
    // ... and so is the oldest one inside the window, while the one that fell out is executed again
    c.send({ type: "leaveGroup", group: "g", ackId: 2 });
    c.send({ type: "leaveGroup", group: "g", ackId: 1 });
    await c.until(() => c.messages.filter((m) => m.ackId === 1).length === 2, 3000, "the ack of the forgotten id");
    expect(c.messages.filter((m) => m.ackId === 2)[1]).toMatchObject({ success: false, error: { name: "Duplicate" } });
    expect(c.messages.filter((m) => m.ackId === 1)[1]).toEqual({ type: "ack", ackId: 1, success: true });
    await c.close();
  }, 30_000);
});

describe("frames queued behind a slow event handler", () => {
  it(`closes with 1008 beyond ${MAX_QUEUED_FRAMES} queued frames, and keeps serving others`, async () => {
    const flooder = await connect(emu, "bounds");
    const other = await connect(emu, "bounds");
    const reached = nextHeld();
    flooder.send({ type: "event", event: "slow", ackId: 1, dataType: "text", data: "x" });
    await reached;
    for (let i = 0; i < MAX_QUEUED_FRAMES; i++) flooder.send('{"type":"ping"}');
    flooder.send('{"type":"ping"}');
    expect(await flooder.closed).toBe(1008);
    expect(flooder.closeReason).toMatch(/Too many messages are waiting/);
    expect(flooder.messages.filter((m) => m.type === "pong")).toEqual([]);
    other.send({ type: "ping" });
    await other.message((m) => m.type === "pong");
    expect((await rest(emu, "HEAD", `/api/hubs/bounds/connections/${flooder.connectionId}`)).status).toBe(404);
    release();
    await other.close();
  });

  it("closes with 1008 when the queued frames exceed the byte limit", async () => {
    const c = await connect(emu, "bounds");
    const reached = nextHeld();
    c.send({ type: "event", event: "slow", ackId: 1, dataType: "text", data: "x" });
    await reached;
    const big = JSON.stringify({ type: "ping", pad: "x".repeat(1_000_000) });
    const fit = Math.floor(MAX_QUEUED_BYTES / big.length);
    for (let i = 0; i < fit; i++) c.send(big);
    c.send({ type: "ping" });
    c.send(big);
    expect(await c.closed).toBe(1008);
    release();
  });

  it("runs every queued frame in order once the handler answers", async () => {
    const c = await connect(emu, "bounds", { claims: { role: ["webpubsub.joinLeaveGroup"] } });
    const reached = nextHeld();
    c.send({ type: "event", event: "slow", ackId: 1, dataType: "text", data: "x" });
    await reached;
    for (let id = 2; id <= 101; id++) c.send({ type: "joinGroup", group: "g", ackId: id });
    expect(c.messages.some((m) => m.type === "ack")).toBe(false);
    release();
    await c.until(() => c.messages.filter((m) => m.type === "ack").length === 101, 5000, "all acks");
    expect(c.messages.filter((m) => m.type === "ack").map((m) => m.ackId)).toEqual(
      Array.from({ length: 101 }, (_, i) => i + 1),
    );
    await c.close();
  });
});
