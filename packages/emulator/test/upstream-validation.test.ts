import { describe, expect, it } from "vitest";
import { allowedOriginMatches } from "../src/upstream/index.ts";
import { upstreamHarness } from "./helpers/upstream.ts";
import { makeContext, ORIGIN } from "./upstream-fixtures/handler-server.ts";

const { server, invokerFor } = upstreamHarness();

describe("abuse-protection validation", () => {
  it("matches WebHook-Allowed-Origin: *, the origin case-insensitively, or a list holding it", () => {
    expect(allowedOriginMatches("*", "a:1")).toBe(true);
    expect(allowedOriginMatches("LOCALHOST:8080", "localhost:8080")).toBe(true);
    expect(allowedOriginMatches("x.com, localhost:8080", "localhost:8080")).toBe(true);
    expect(allowedOriginMatches("localhost:8081", "localhost:8080")).toBe(false);
    expect(allowedOriginMatches(null, "localhost:8080")).toBe(false);
  });

  it("sends OPTIONS with WebHook-Request-Origin to the {event}=validate URL before the first event, once", async () => {
    const hs = await server();
    const { invoker } = invokerFor(hs);
    const ctx = makeContext();
    const results = await Promise.all([
      invoker.connect(ctx, { claims: {}, query: {}, headers: {}, subprotocols: [], clientCertificates: [] }),
      invoker.userEvent(ctx, "a", { dataType: "text", data: "1" }),
      invoker.userEvent(makeContext(), "b", { dataType: "text", data: "2" }),
    ]);
    expect(results.map((r) => r.kind)).toEqual(["accept", "ok", "ok"]);
    await invoker.userEvent(makeContext(), "c", { dataType: "text", data: "3" });
    const options = hs.requests.filter((r) => r.method === "OPTIONS");
    expect(options).toHaveLength(1);
    expect(options[0]!.url).toBe("/api/chat/validate");
    expect(options[0]!.headers["webhook-request-origin"]).toBe(ORIGIN);
    expect(options[0]!.headers["ce-awpsversion"]).toBe("1.0");
    expect(hs.requests[0]!.method).toBe("OPTIONS");
    expect(hs.events()).toHaveLength(4);
  });

  it("validates each expanded handler URL separately ({hub} in the template)", async () => {
    const hs = await server();
    const { invoker } = invokerFor(hs);
    await invoker.userEvent(makeContext({ hub: "h1" }), "a", { dataType: "text", data: "1" });
    await invoker.userEvent(makeContext({ hub: "h2" }), "a", { dataType: "text", data: "1" });
    await invoker.userEvent(makeContext({ hub: "h1" }), "a", { dataType: "text", data: "1" });
    expect(hs.requests.filter((r) => r.method === "OPTIONS").map((r) => r.url)).toEqual([
      "/api/h1/validate",
      "/api/h2/validate",
    ]);
  });

  it("accepts the exact origin in another letter case", async () => {
    const hs = await server((req, res) => {
      if (req.method === "OPTIONS") res.setHeader("WebHook-Allowed-Origin", ORIGIN.toUpperCase());
      res.statusCode = req.method === "OPTIONS" ? 200 : 204;
      res.end();
    });
    const { invoker } = invokerFor(hs);
    expect((await invoker.userEvent(makeContext(), "a", { dataType: "text", data: "1" })).kind).toBe("ok");
  });

  it("falls back to GET when OPTIONS answers 404", async () => {
    const hs = await server((req, res) => {
      if (req.method === "OPTIONS") {
        res.statusCode = 404;
      } else if (req.method === "GET") {
        res.setHeader("WebHook-Allowed-Origin", "*");
        res.statusCode = 200;
      } else {
        res.statusCode = 204;
      }
      res.end();
    });
    const { invoker } = invokerFor(hs);
    expect((await invoker.userEvent(makeContext(), "a", { dataType: "text", data: "1" })).kind).toBe("ok");
    expect(hs.requests.map((r) => r.method)).toEqual(["OPTIONS", "GET", "POST"]);
    expect(hs.requests[1]!.headers["webhook-request-origin"]).toBe(ORIGIN);
  });

  it.each([
    ["a wrong origin", 200, "other.example.com", /allows neither "\*" nor "127.0.0.1:7777"/],
    ["no header", 200, undefined, /no WebHook-Allowed-Origin header/],
    ["a 403 answer", 403, "*", /OPTIONS answered 403/],
  ])("gives a handler failing with %s no events, and logs why", async (_, status, header, why) => {
    const hs = await server((req, res) => {
      if (header !== undefined) res.setHeader("WebHook-Allowed-Origin", header);
      res.statusCode = req.method === "POST" ? 204 : status;
      res.end();
    });
    const { invoker, logs, waitForLog } = invokerFor(hs);
    const ctx = makeContext();
    const connect = await invoker.connect(ctx, {
      claims: {},
      query: {},
      headers: {},
      subprotocols: [],
      clientCertificates: [],
    });
    expect(connect).toMatchObject({ kind: "reject", status: 500 });
    const user = await invoker.userEvent(ctx, "a", { dataType: "text", data: "x" });
    expect(user).toMatchObject({ kind: "error", message: expect.stringMatching(/abuse-protection/) });
    invoker.connected(ctx);
    invoker.disconnected(ctx, "bye");
    await waitForLog(/connected event of connection .* not sent: the event handler failed abuse-protection/);
    await waitForLog(/disconnected event of connection .* not sent: the event handler failed abuse-protection/);
    expect(hs.events()).toHaveLength(0);
    expect(hs.requests.filter((r) => r.method === "OPTIONS")).toHaveLength(1);
    const text = logs.join("\n");
    expect(text).toMatch(why);
    expect(text).toMatch(/validation of http:\/\/127\.0\.0\.1:\d+\/api\/chat\/validate failed/);
    expect(text).toMatch(/connected event of connection .* not sent: the event handler failed abuse-protection/);
  });

  it("reports a handler that cannot be reached", async () => {
    const hs = await server();
    await hs.close();
    const { invoker, logs } = invokerFor(hs);
    const r = await invoker.userEvent(makeContext(), "a", { dataType: "text", data: "x" });
    expect(r.kind).toBe("error");
    expect(logs.join("\n")).toMatch(/OPTIONS request failed: fetch failed: ECONNREFUSED/);
  });

  it("times out a validation that never answers", async () => {
    const hs = await server((req, res) => {
      if (req.method !== "OPTIONS") {
        res.statusCode = 204;
        res.end();
      }
    });
    const { invoker, logs } = invokerFor(hs, { validationTimeoutMs: 100 });
    const r = await invoker.userEvent(makeContext(), "a", { dataType: "text", data: "x" });
    expect(r.kind).toBe("error");
    expect(logs.join("\n")).toMatch(/timed out after 100 ms/);
  });

  it("remembers a failure for validationFailureTtlMs, then validates again", async () => {
    let allow = false;
    const hs = await server((req, res) => {
      if (req.method === "OPTIONS" && allow) res.setHeader("WebHook-Allowed-Origin", "*");
      res.statusCode = req.method === "OPTIONS" ? 200 : 204;
      res.end();
    });
    const { invoker } = invokerFor(hs, { validationFailureTtlMs: 150 });
    const send = () => invoker.userEvent(makeContext(), "a", { dataType: "text", data: "x" });
    expect((await send()).kind).toBe("error");
    allow = true;
    expect((await send()).kind).toBe("error"); // still remembered
    expect(hs.requests.filter((r) => r.method === "OPTIONS")).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 200)); // let the failure TTL (not an event) pass
    expect((await send()).kind).toBe("ok");
    expect(hs.requests.filter((r) => r.method === "OPTIONS")).toHaveLength(2);
  });
});
