import { describe, expect, it } from "vitest";
import { noContent, upstreamHarness } from "./helpers/upstream.ts";
import { allEvents, connectBody, makeContext, makeInvoker } from "./upstream-fixtures/handler-server.ts";

const { defer, handler, invokerFor } = upstreamHarness();

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
}

describe("connected and disconnected", () => {
  it("sends connected with {} and disconnected with the reason, state and subprotocol included", async () => {
    const hs = await handler(noContent);
    const { invoker } = invokerFor(hs);
    const ctx = makeContext({ subprotocol: "json.webpubsub.azure.v1", connectionState: "e30=" });
    expect(await invoker.connect(ctx, connectBody())).toEqual({ kind: "accept" });
    invoker.connected(ctx);
    invoker.disconnected(ctx, "Connection closed by the client");
    const disc = await hs.waitFor((r) => r.headers["ce-eventname"] === "disconnected");
    const conn = hs.events().find((r) => r.headers["ce-eventname"] === "connected")!;
    expect(conn.url).toBe("/api/chat/connected");
    expect(conn.headers["ce-type"]).toBe("azure.webpubsub.sys.connected");
    expect(conn.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(conn.text)).toEqual({});
    expect(disc.url).toBe("/api/chat/disconnected");
    expect(disc.headers["ce-type"]).toBe("azure.webpubsub.sys.disconnected");
    expect(JSON.parse(disc.text)).toEqual({ reason: "Connection closed by the client" });
    for (const r of [conn, disc]) {
      expect(r.headers["ce-subprotocol"]).toBe("json.webpubsub.azure.v1");
      expect(r.headers["ce-connectionstate"]).toBe("e30=");
      expect(r.headers["ce-signature"]).toMatch(/^sha256=[0-9a-f]{64},sha256=[0-9a-f]{64}$/);
    }
    expect([conn.headers["ce-id"], disc.headers["ce-id"]]).toEqual(["1", "2"]);
  });

  it("sends disconnected only after the connection's earlier events, retries included, have finished", async () => {
    let connectedCalls = 0;
    const hs = await handler((req, res) => {
      if (req.headers["ce-eventname"] === "connected" && ++connectedCalls < 3) res.statusCode = 503;
      else res.statusCode = 204;
      res.end();
    });
    const { invoker } = invokerFor(hs, { retryDelaysMs: [40, 40, 40] });
    const ctx = makeContext();
    invoker.connected(ctx);
    invoker.disconnected(ctx, "bye");
    await hs.waitFor((r) => r.headers["ce-eventname"] === "disconnected");
    expect(hs.events().map((r) => r.headers["ce-eventname"])).toEqual([
      "connected",
      "connected",
      "connected",
      "disconnected",
    ]);
  });

  it("logs failures of fire-and-forget events", async () => {
    const hs = await handler((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const { invoker, waitForLog } = invokerFor(hs, { retryDelaysMs: [] });
    invoker.connected(makeContext());
    expect(await waitForLog(/connected event of connection conn-\d+ \(hub chat\) -> POST .*: 500/)).toBeTruthy();
  });

  it("does nothing without a subscribed handler", async () => {
    const hs = await handler(noContent);
    const { invoker } = makeInvoker([allEvents(hs.base, { systemEvents: [] })]);
    let ids = 0;
    const ctx = { ...makeContext(), nextEventId: () => ids++ };
    invoker.connected(ctx);
    invoker.disconnected(ctx, "x");
    await invoker.close();
    expect(hs.requests).toHaveLength(0);
    expect(ids).toBe(0);
  });
});

describe("delivery", () => {
  it("retries network errors (a dropped connection) and then succeeds", async () => {
    let calls = 0;
    const hs = await handler((_req, res) => {
      if (++calls === 1) {
        // the first attempt: drop the socket without an answer
        res.socket?.destroy();
        return;
      }
      res.statusCode = 204;
      res.end();
    });
    const { invoker, logs } = invokerFor(hs);
    expect(await invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" })).toEqual({ kind: "ok" });
    expect(calls).toBe(2);
    expect(logs.join("\n")).toMatch(/attempt 1 to .* failed \(fetch failed.*\); retrying in 10 ms/);
  });

  it("stops after the configured number of retries", async () => {
    const hs = await handler((_req, res) => {
      res.statusCode = 502;
      res.end();
    });
    const { invoker } = invokerFor(hs, { retryDelaysMs: [5] });
    expect(await invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" })).toMatchObject({
      kind: "error",
      status: 502,
    });
    expect(hs.events()).toHaveLength(2);
  });

  it("never lets a slow handler block other connections' events", async () => {
    const release = gate();
    const hs = await handler(async (req, res) => {
      if (req.headers["ce-connectionid"] === slow.connectionId) await release.opened;
      res.statusCode = 204;
      res.end();
    });
    const slow = makeContext();
    const { invoker } = invokerFor(hs);
    const slowEvent = invoker.userEvent(slow, "e", { dataType: "text", data: "slow" });
    await hs.waitFor((r) => r.headers["ce-connectionid"] === slow.connectionId);
    const fast = await Promise.all(
      Array.from({ length: 20 }, () => invoker.userEvent(makeContext(), "e", { dataType: "text", data: "fast" })),
    );
    expect(fast.every((r) => r.kind === "ok")).toBe(true);
    let slowDone = false;
    void slowEvent.then(() => {
      slowDone = true;
    });
    await Promise.resolve();
    expect(slowDone).toBe(false);
    release.open();
    expect(await slowEvent).toEqual({ kind: "ok" });
  });

  it("close() cancels requests in flight and pending retries at once", async () => {
    const hs = await handler((req, res) => {
      if (req.headers["ce-eventname"] === "stuck") return; // never answers
      res.statusCode = 503;
      res.end();
    });
    const { invoker } = makeInvoker([allEvents(hs.base)], { timeoutMs: 60_000, retryDelaysMs: [60_000] });
    const stuck = invoker.userEvent(makeContext(), "stuck", { dataType: "text", data: "x" });
    const retrying = invoker.connect(makeContext(), connectBody());
    const ctx = makeContext();
    invoker.connected(ctx);
    await hs.waitFor((r) => r.headers["ce-eventname"] === "stuck");
    await hs.waitFor((r) => r.headers["ce-eventname"] === "connect");
    await hs.waitFor((r) => r.headers["ce-eventname"] === "connected");
    const started = Date.now();
    await invoker.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await stuck).toEqual({
      kind: "error",
      message: 'event handler for "stuck" failed: the emulator is closing',
    });
    expect(await retrying).toEqual({ kind: "reject", status: 503, message: "the emulator is closing" });
    expect(await invoker.connect(makeContext(), connectBody())).toEqual({
      kind: "reject",
      status: 503,
      message: "the emulator is closing",
    });
    const after = hs.requests.length;
    invoker.disconnected(ctx, "late");
    expect(await invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" })).toMatchObject({
      kind: "error",
    });
    await invoker.close();
    expect(hs.requests.length).toBe(after);
  });

  it("reads the handler list on every event, so configuration changes apply at once", async () => {
    const a = await handler(noContent);
    const b = await handler(noContent);
    let current = [allEvents(a.base)];
    const { invoker } = makeInvoker(() => current);
    defer(() => invoker.close());
    await invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" });
    current = [allEvents(b.base)];
    await invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" });
    expect(a.events()).toHaveLength(1);
    expect(b.events()).toHaveLength(1);
  });

  it("does not send an event whose handler URL template is invalid, and says why", async () => {
    const { invoker, logs } = makeInvoker([{ urlTemplate: "not a url", userEventPattern: "*" }]);
    defer(() => invoker.close());
    const r = await invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" });
    expect(r).toMatchObject({ kind: "error", message: expect.stringMatching(/urlTemplate must be an absolute/) });
    expect(logs.join("\n")).toMatch(/not sent: event handler.urlTemplate must be an absolute/);
  });

  it("does not send a user id that cannot travel in a header", async () => {
    const hs = await handler(noContent);
    const { invoker } = invokerFor(hs);
    const r = await invoker.userEvent(makeContext({ userId: "a\r\nX-Injected: 1" }), "e", {
      dataType: "text",
      data: "x",
    });
    expect(r).toMatchObject({ kind: "error", message: expect.stringMatching(/control character/) });
    expect(hs.events()).toHaveLength(0);
  });

  it("masks a code query parameter in log lines", async () => {
    const hs = await handler(noContent);
    const { invoker, logs } = makeInvoker([
      { urlTemplate: `${hs.base}/api/{event}?code=s3cret`, userEventPattern: "*" },
    ]);
    defer(() => invoker.close());
    await invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" });
    expect(hs.events()[0]!.url).toBe("/api/e?code=s3cret");
    expect(logs.join("\n")).not.toMatch(/s3cret/);
    expect(logs.join("\n")).toMatch(/code=\*\*\*/);
  });
});
