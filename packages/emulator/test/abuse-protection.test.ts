// The abuse-protection validation of handler URLs (src/upstream/abuse-protection.ts) on its own: what is remembered and
// for how long (a hand-set clock), the bound of remembered URLs, and the judgement of a handler's answer (a local
// handler server). A validation under an aborted signal ends at once without a request: the memory tests use it.
import { afterEach, describe, expect, it } from "vitest";
import {
  AbuseProtection,
  type AbuseProtectionOptions,
  allowedOriginMatches,
  MAX_REMEMBERED_URLS,
} from "../src/upstream/abuse-protection.ts";
import { type HandlerServer, type Responder, startHandlerServer } from "./upstream-fixtures/handler-server.ts";

const ORIGIN = "emulator.example:8080";
const servers: HandlerServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

function protection(overrides: Partial<AbuseProtectionOptions> = {}) {
  const logs: string[] = [];
  const clock = { now: 1_000 };
  const ap = new AbuseProtection({
    origin: ORIGIN,
    timeoutMs: 5_000,
    failureTtlMs: 100,
    maxResponseBytes: 1024,
    signal: AbortSignal.abort(),
    log: (line) => logs.push(line),
    now: () => clock.now,
    ...overrides,
  });
  return { ap, logs, clock };
}

async function handler(respond: Responder): Promise<HandlerServer> {
  const hs = await startHandlerServer(respond);
  servers.push(hs);
  return hs;
}

/** Answers OPTIONS (and GET) with `status` and the given WebHook-Allowed-Origin. */
const answering =
  (status: number, allowed?: string, getToo = false): Responder =>
  (req, res) => {
    if (allowed !== undefined && (req.method === "OPTIONS" || getToo)) res.setHeader("WebHook-Allowed-Origin", allowed);
    res.statusCode = status;
    res.end();
  };

describe("what a validation remembers", () => {
  it("a validation in flight is shared by the events that wait on it", () => {
    const { ap } = protection();
    expect(ap.validate("http://h/a")).toBe(ap.validate("http://h/a"));
    expect(ap.validate("http://h/b")).not.toBe(ap.validate("http://h/a"));
  });

  it("a failure for failureTtlMs from when it ended: up to the last millisecond, then the URL is validated again", async () => {
    const { ap, clock } = protection({ failureTtlMs: 100 });
    const first = ap.validate("http://h/a");
    expect(await first).toEqual({ ok: false, reason: "OPTIONS request failed: the emulator is closing" });
    clock.now = 1_099;
    expect(ap.validate("http://h/a")).toBe(first);
    clock.now = 1_100;
    const second = ap.validate("http://h/a");
    expect(second).not.toBe(first);
    expect(ap.validate("http://h/a")).toBe(second);
  });

  it("the failure's time counts from its end, not its start", async () => {
    const { ap, clock } = protection({ failureTtlMs: 100 });
    const first = ap.validate("http://h/a");
    clock.now = 5_000; // the validation ends later than it began
    await first;
    clock.now = 5_099;
    expect(ap.validate("http://h/a")).toBe(first);
  });

  it("a success for good", async () => {
    const hs = await handler(answering(200, "*"));
    const { ap, clock } = protection({ signal: new AbortController().signal });
    const first = ap.validate(`${hs.base}/a`);
    expect(await first).toEqual({ ok: true });
    clock.now = Number.MAX_SAFE_INTEGER;
    expect(ap.validate(`${hs.base}/a`)).toBe(first);
    expect(hs.requests).toHaveLength(1);
  });

  it(`the last ${MAX_REMEMBERED_URLS} URLs: one more forgets the oldest only`, async () => {
    const { ap } = protection({ failureTtlMs: Number.POSITIVE_INFINITY });
    const url = (i: number) => `http://h/${i}`;
    const results = [];
    for (let i = 0; i < MAX_REMEMBERED_URLS; i++) results.push(ap.validate(url(i)));
    await Promise.all(results);
    for (let i = 0; i < MAX_REMEMBERED_URLS; i++) expect(ap.validate(url(i))).toBe(results[i]);
    ap.validate(url(MAX_REMEMBERED_URLS)); // one URL more: the oldest, url(0), is forgotten
    expect(ap.validate(url(1))).toBe(results[1]);
    expect(ap.validate(url(MAX_REMEMBERED_URLS - 1))).toBe(results[MAX_REMEMBERED_URLS - 1]);
    expect(ap.validate(url(0))).not.toBe(results[0]);
  });
});

describe("WebHook-Allowed-Origin", () => {
  it("allows *, or the origin in any letter case on either side, alone or in a comma list", () => {
    expect(allowedOriginMatches("*", ORIGIN)).toBe(true);
    expect(allowedOriginMatches("a.example, *", ORIGIN)).toBe(true);
    expect(allowedOriginMatches("Emulator.Example:8080", "emulator.example:8080")).toBe(true);
    expect(allowedOriginMatches(" a.example ,emulator.example:8080", "EMULATOR.example:8080")).toBe(true);
    expect(allowedOriginMatches("emulator.example:8081", "emulator.example:8080")).toBe(false);
    expect(allowedOriginMatches("", "emulator.example:8080")).toBe(false);
    expect(allowedOriginMatches(null, "emulator.example:8080")).toBe(false);
  });
});

describe("the validation request and the answer it needs", () => {
  it("is sent once, not retried: a 503 fails the validation", async () => {
    const hs = await handler(answering(503, "*"));
    const { ap } = protection({ signal: new AbortController().signal });
    expect(await ap.validate(`${hs.base}/a`)).toEqual({ ok: false, reason: "OPTIONS answered 503, expected 2xx" });
    expect(hs.requests).toHaveLength(1);
  });

  it("fails when the handler does not answer within timeoutMs", async () => {
    const hs = await handler(() => {}); // never answers
    const { ap } = protection({ signal: new AbortController().signal, timeoutMs: 50 });
    const result = await ap.validate(`${hs.base}/a`);
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/^OPTIONS request failed: .*50 ms/) });
  });

  it("fails on an answer larger than maxResponseBytes", async () => {
    const hs = await handler((_req, res) => {
      res.setHeader("WebHook-Allowed-Origin", "*");
      res.end("12345");
    });
    const { ap } = protection({ signal: new AbortController().signal, maxResponseBytes: 4 });
    expect(await ap.validate(`${hs.base}/a`)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^OPTIONS request failed: /),
    });
    const { ap: roomy } = protection({ signal: new AbortController().signal, maxResponseBytes: 5 });
    expect(await roomy.validate(`${hs.base}/a`)).toEqual({ ok: true });
  });

  it("sends OPTIONS with WebHook-Request-Origin and ce-awpsversion, and passes on 2xx with the origin allowed", async () => {
    const hs = await handler(answering(204, `other.example, ${ORIGIN.toUpperCase()}`));
    const { ap, logs } = protection({ signal: new AbortController().signal });
    expect(await ap.validate(`${hs.base}/api/validate?code=secret`)).toEqual({ ok: true });
    expect(hs.requests.map((r) => r.method)).toEqual(["OPTIONS"]);
    expect(hs.requests[0]!.headers["webhook-request-origin"]).toBe(ORIGIN);
    expect(hs.requests[0]!.headers["ce-awpsversion"]).toBe("1.0");
    expect(logs).toEqual([`upstream: abuse-protection validation of ${hs.base}/api/validate?code=*** passed`]);
  });

  it("falls back to GET on a 404 to OPTIONS only, and names the method that failed", async () => {
    const hs = await handler((req, res) => {
      res.statusCode = req.method === "OPTIONS" ? 404 : 200;
      res.end();
    });
    const { ap, logs } = protection({ signal: new AbortController().signal });
    expect(await ap.validate(`${hs.base}/a`)).toEqual({
      ok: false,
      reason: "GET answer has no WebHook-Allowed-Origin header",
    });
    expect(hs.requests.map((r) => r.method)).toEqual(["OPTIONS", "GET"]);
    expect(hs.requests[1]!.headers["webhook-request-origin"]).toBe(ORIGIN);
    expect(logs).toEqual([
      `upstream: abuse-protection validation of ${hs.base}/a failed: GET answer has no WebHook-Allowed-Origin header; the handler gets no events`,
    ]);
  });

  it("does not fall back to GET on another refusal", async () => {
    const hs = await handler(answering(405, "*"));
    const { ap } = protection({ signal: new AbortController().signal });
    expect(await ap.validate(`${hs.base}/a`)).toEqual({ ok: false, reason: "OPTIONS answered 405, expected 2xx" });
    expect(hs.requests.map((r) => r.method)).toEqual(["OPTIONS"]);
  });

  it.each([
    [200, true],
    [299, true],
    [300, false],
  ])("takes only a 2xx answer: %i passes is %s", async (status, ok) => {
    const hs = await handler(answering(status, "*"));
    const { ap } = protection({ signal: new AbortController().signal });
    const result = await ap.validate(`${hs.base}/a`);
    expect(result.ok).toBe(ok);
    if (!ok) expect(result).toEqual({ ok: false, reason: `OPTIONS answered ${status}, expected 2xx` });
  });

  it("refuses an origin that is not allowed, naming both", async () => {
    const hs = await handler(answering(200, "other.example"));
    const { ap } = protection({ signal: new AbortController().signal });
    expect(await ap.validate(`${hs.base}/a`)).toEqual({
      ok: false,
      reason: `WebHook-Allowed-Origin "other.example" allows neither "*" nor "${ORIGIN}"`,
    });
  });

  it("reports and logs a handler that cannot be reached", async () => {
    const hs = await handler(answering(200, "*"));
    await hs.close();
    const { ap, logs } = protection({ signal: new AbortController().signal });
    const result = await ap.validate(`${hs.base}/a`);
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ reason: expect.stringMatching(/^OPTIONS request failed: /) });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/failed: OPTIONS request failed: .*; the handler gets no events$/);
  });

  it("logs nothing when the emulator is closing", async () => {
    const { ap, logs } = protection();
    expect((await ap.validate("http://h/a")).ok).toBe(false);
    expect(logs).toEqual([]);
  });
});
