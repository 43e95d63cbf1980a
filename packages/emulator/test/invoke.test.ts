// `invoke` / `cancelInvocation` / `invokeResponse` on the JSON subprotocols, on the wire (raw WebSocket frames): the
// invocation is the blocking user event of its name, its outcome the invokeResponse, cancelling aborts the upstream
// request, an answer survives a reliable recovery, and ids and counts are bounded.
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { ID_LIMIT, MAX_OPEN_INVOCATIONS } from "../src/session-limits.ts";
import { connect, hubNames, JSON_PROTOCOL, RELIABLE_PROTOCOL, TestClient } from "./helpers/clients.ts";
import { defaultResponder, type HandlerServer, startHandlerServer } from "./upstream-fixtures/handler-server.ts";

let emu: RunningEmulator;
let hs: HandlerServer;
const logs: string[] = [];
let logged: (() => void) | undefined;
/** Resolves once the emulator logged a line matching `re`. */
async function logLine(re: RegExp): Promise<void> {
  while (!logs.some((l) => re.test(l))) await new Promise<void>((resolve) => (logged = resolve));
}
beforeAll(async () => {
  hs = await startHandlerServer();
  emu = await startEmulator({
    log: (line) => {
      logs.push(line);
      logged?.();
    },
    recoveryWindowMs: 5000,
    // long enough that requests held by a test are never cut short on a busy machine; the Timeout test uses its own
    upstreamTimeoutMs: 120_000,
    hubs: { _default: { eventHandlers: [{ urlTemplate: `${hs.base}/{hub}/{event}`, userEventPattern: "*" }] } },
  });
});
afterAll(async () => {
  await emu.close();
  await hs.close();
});
beforeEach(() => {
  hs.respond = defaultResponder;
});

const hub = hubNames("invoke");
const responses = (c: TestClient) => c.messages.filter((m) => m.type === "invokeResponse");
const responseFor = (c: TestClient, id: string) =>
  c.message((m) => m.type === "invokeResponse" && m.invocationId === id, `invokeResponse ${id}`);

/** Answers events with `status`, `contentType` and `body`; validation passes. */
function answer(status: number, contentType: string | undefined, body: string) {
  hs.respond = (req, res) => {
    if (req.method === "OPTIONS") return defaultResponder(req, res);
    res.statusCode = status;
    if (contentType !== undefined) res.setHeader("Content-Type", contentType);
    res.end(body);
  };
}

/** Holds every event request until `release()`; `held` resolves with each request's response object. */
function hold() {
  const pending: ServerResponse[] = [];
  const waiting: ((res: ServerResponse) => void)[] = [];
  hs.respond = (req, res) => {
    if (req.method === "OPTIONS") return defaultResponder(req, res);
    const w = waiting.shift();
    if (w !== undefined) w(res);
    else pending.push(res);
  };
  return {
    next: () =>
      new Promise<ServerResponse>((resolve) => {
        const p = pending.shift();
        if (p !== undefined) resolve(p);
        else waiting.push(resolve);
      }),
  };
}

describe.each([JSON_PROTOCOL, RELIABLE_PROTOCOL])("invoke over %s", (protocol) => {
  it("raises the user event like an `event` frame and answers with the handler's reply", async () => {
    const h = hub();
    answer(200, "application/json", '{"echo":[1,2]}');
    const c = await connect(emu, h, { protocol });
    c.send({
      type: "invoke",
      invocationId: "inv-1",
      target: "event",
      event: "compute",
      dataType: "json",
      data: { a: 1 },
    });
    const r = await responseFor(c, "inv-1");
    expect(r).toEqual({
      type: "invokeResponse",
      invocationId: "inv-1",
      success: true,
      dataType: "json",
      data: { echo: [1, 2] },
    });
    const req = await hs.waitFor((q) => q.url === `/${h}/compute`);
    expect(req.headers["ce-type"]).toBe("azure.webpubsub.user.compute");
    expect(req.headers["ce-eventname"]).toBe("compute");
    expect(req.headers["ce-connectionid"]).toBe(c.connectionId);
    expect(req.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(req.text).toBe('{"a":1}');
    await c.close();
  });
});

describe("invoke", () => {
  it("answers success without payload when the handler replies with no body; no payload sends an empty text body", async () => {
    const h = hub();
    answer(204, undefined, "");
    const c = await connect(emu, h);
    c.send({ type: "invoke", invocationId: "a", target: "event", event: "ping" });
    expect(await responseFor(c, "a")).toEqual({ type: "invokeResponse", invocationId: "a", success: true });
    const req = await hs.waitFor((q) => q.url === `/${h}/ping`);
    expect(req.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(req.text).toBe("");
    await c.close();
  });

  it("passes binary replies as base64 and text replies as text", async () => {
    const h = hub();
    const c = await connect(emu, h);
    answer(200, "application/octet-stream", "\u0001\u0002");
    c.send({ type: "invoke", invocationId: "b", target: "event", event: "bin", dataType: "binary", data: "AAE=" });
    expect(await responseFor(c, "b")).toMatchObject({ success: true, dataType: "binary", data: "AQI=" });
    answer(200, "text/plain", "hi");
    c.send({ type: "invoke", invocationId: "t", target: "event", event: "txt", dataType: "text", data: "x" });
    expect(await responseFor(c, "t")).toMatchObject({ success: true, dataType: "text", data: "hi" });
    await c.close();
  });

  it("answers a failing handler with success false and InternalServerError", async () => {
    const h = hub();
    answer(400, "text/plain", "bad input");
    const c = await connect(emu, h);
    c.send({ type: "invoke", invocationId: "f", target: "event", event: "fails", dataType: "text", data: "x" });
    const r = await responseFor(c, "f");
    expect(r).toMatchObject({ type: "invokeResponse", invocationId: "f", success: false });
    expect(r.error).toEqual({
      name: "InternalServerError",
      message: expect.stringContaining("answered 400: bad input"),
    });
    await c.close();
  });

  it("answers a handler that does not answer in time with Timeout", async () => {
    const h = hub();
    hold(); // never released: this emulator's upstreamTimeoutMs ends it
    const quick = await startEmulator({
      upstreamTimeoutMs: 300,
      hubs: { _default: { eventHandlers: [{ urlTemplate: `${hs.base}/{hub}/{event}`, userEventPattern: "*" }] } },
    });
    try {
      const c = await connect(quick, h);
      c.send({ type: "invoke", invocationId: "slow", target: "event", event: "slow", dataType: "text", data: "x" });
      const r = await responseFor(c, "slow");
      expect(r).toMatchObject({ success: false, error: { name: "Timeout" } });
      await c.close();
    } finally {
      await quick.close();
    }
  });

  it("answers an event no handler subscribes to with InternalServerError, without an upstream call", async () => {
    const h = "invokeNoHandler";
    const other = await startEmulator({ hubs: { elsewhere: { eventHandlers: [{ urlTemplate: `${hs.base}/x` }] } } });
    try {
      const c = await connect(other, h);
      const before = hs.events().length;
      c.send({ type: "invoke", invocationId: "n", target: "event", event: "nobody", dataType: "text", data: "x" });
      const r = await responseFor(c, "n");
      expect(r).toEqual({
        type: "invokeResponse",
        invocationId: "n",
        success: false,
        error: { name: "InternalServerError", message: "No event handler is configured for event 'nobody'." },
      });
      expect(hs.events().length).toBe(before);
      await c.close();
    } finally {
      await other.close();
    }
  });

  it("does not hold the connection's other frames while the handler works", async () => {
    const h = hub();
    const held = hold();
    const c = await connect(emu, h, { claims: { role: ["webpubsub.joinLeaveGroup"] } });
    c.send({ type: "invoke", invocationId: "w", target: "event", event: "wait", dataType: "text", data: "x" });
    const res = await held.next();
    c.send({ type: "joinGroup", group: "g", ackId: 1 });
    expect(await c.message((m) => m.type === "ack" && m.ackId === 1)).toMatchObject({ success: true });
    expect(responses(c)).toEqual([]);
    res.end();
    expect(await responseFor(c, "w")).toMatchObject({ success: true });
    await c.close();
  });

  it("cancelInvocation aborts the upstream request and answers Cancelled; an unknown id is ignored", async () => {
    const h = hub();
    const held = hold();
    const c = await connect(emu, h);
    c.send({ type: "cancelInvocation", invocationId: "never-started" });
    c.send({ type: "invoke", invocationId: "c1", target: "event", event: "long", dataType: "text", data: "x" });
    const res = await held.next();
    const aborted = new Promise<void>((resolve) => res.on("close", () => resolve()));
    c.send({ type: "cancelInvocation", invocationId: "c1" });
    await aborted;
    expect(await responseFor(c, "c1")).toEqual({
      type: "invokeResponse",
      invocationId: "c1",
      success: false,
      error: { name: "Cancelled", message: "The invocation was cancelled." },
    });
    expect(responses(c)).toHaveLength(1);
    expect(c.closeCode).toBeUndefined();
    await c.close();
  });

  it("aborts the upstream request when the session ends", async () => {
    const h = hub();
    const held = hold();
    const c = await connect(emu, h);
    c.send({ type: "invoke", invocationId: "e", target: "event", event: "long", dataType: "text", data: "x" });
    const res = await held.next();
    const aborted = new Promise<void>((resolve) => res.on("close", () => resolve()));
    await c.close();
    await aborted;
  });

  it("answers an invalid invoke whose invocationId is valid with BadRequest, keeping the connection", async () => {
    const h = hub();
    const c = await connect(emu, h);
    c.send({
      type: "invoke",
      invocationId: "bad",
      target: "event",
      event: "no spaces allowed",
      dataType: "text",
      data: "x",
    });
    const r = await responseFor(c, "bad");
    expect(r).toMatchObject({ success: false, error: { name: "BadRequest" } });
    c.send({ type: "invoke", invocationId: "bad2", target: "server", event: "e" });
    expect(await responseFor(c, "bad2")).toMatchObject({ success: false, error: { name: "BadRequest" } });
    c.send({ type: "ping" });
    await c.message((m) => m.type === "pong");
    expect(c.closeCode).toBeUndefined();
    await c.close();
  });

  it(`accepts an invocationId of ${ID_LIMIT} characters and closes with 1007 for a longer one, without echoing it`, async () => {
    const h = hub();
    answer(204, undefined, "");
    const c = await connect(emu, h);
    const longest = "i".repeat(ID_LIMIT);
    c.send({ type: "invoke", invocationId: longest, target: "event", event: "e", dataType: "text", data: "x" });
    expect(await responseFor(c, longest)).toMatchObject({ success: true });
    c.send({
      type: "invoke",
      invocationId: "j".repeat(ID_LIMIT + 1),
      target: "event",
      event: "e",
      dataType: "text",
      data: "x",
    });
    expect(await c.closed).toBe(1007);
    expect(c.closeReason).toContain(`longer than ${ID_LIMIT}`);
    expect(c.closeReason).not.toContain("jjjj");
    const disconnected = c.messages.find((m) => m.type === "system" && m.event === "disconnected");
    expect(JSON.stringify(disconnected)).not.toContain("jjjj");
  });

  it(`keeps at most ${MAX_OPEN_INVOCATIONS} invocations in progress per connection, and refuses a repeated id in progress`, async () => {
    const h = hub();
    const held = hold();
    const c = await connect(emu, h);
    for (let i = 0; i < MAX_OPEN_INVOCATIONS; i++) {
      c.send({ type: "invoke", invocationId: `p${i}`, target: "event", event: "e", dataType: "text", data: "x" });
    }
    const first: ServerResponse[] = [];
    for (let i = 0; i < MAX_OPEN_INVOCATIONS; i++) first.push(await held.next());
    c.send({ type: "invoke", invocationId: "p0", target: "event", event: "e", dataType: "text", data: "x" });
    c.send({ type: "invoke", invocationId: "over", target: "event", event: "e", dataType: "text", data: "x" });
    expect(await responseFor(c, "over")).toMatchObject({
      success: false,
      error: { name: "BadRequest", message: expect.stringContaining(`limit ${MAX_OPEN_INVOCATIONS}`) },
    });
    expect(responses(c)).toEqual([
      expect.objectContaining({
        invocationId: "p0",
        success: false,
        error: expect.objectContaining({ name: "BadRequest" }),
      }),
      expect.objectContaining({ invocationId: "over" }),
    ]);
    for (const r of first) r.end();
    await c.until(() => responses(c).length === MAX_OPEN_INVOCATIONS + 2, 5000, "every answer");
    // with the slots free again, a new invocation is accepted
    answer(204, undefined, "");
    c.send({ type: "invoke", invocationId: "after", target: "event", event: "e", dataType: "text", data: "x" });
    expect(await responseFor(c, "after")).toMatchObject({ success: true });
    await c.close();
  });

  it("delivers the answer on the recovered socket of a reliable session", async () => {
    const h = hub();
    const held = hold();
    const c = await connect(emu, h, { protocol: RELIABLE_PROTOCOL });
    const token = c.messages[0]!.reconnectionToken as string;
    c.send({ type: "invoke", invocationId: "r", target: "event", event: "e", dataType: "text", data: "x" });
    const res = await held.next();
    // a network drop (no close frame): the session waits for its recovery
    c.ws.terminate();
    await c.closed;
    await logLine(new RegExp(`connection ${c.connectionId} dropped`));
    res.setHeader("Content-Type", "text/plain");
    res.end("done while away");
    await hs.waitFor((q) => q.url === `/${h}/e`);
    const url =
      `${emu.endpoint.replace("http", "ws")}/client/hubs/${h}?awps_connection_id=${encodeURIComponent(c.connectionId)}` +
      `&awps_reconnection_token=${encodeURIComponent(token)}`;
    const again = new TestClient(url, RELIABLE_PROTOCOL);
    await again.opened;
    expect(await responseFor(again, "r")).toEqual({
      type: "invokeResponse",
      invocationId: "r",
      success: true,
      dataType: "text",
      data: "done while away",
    });
    await again.close();
  });
});
