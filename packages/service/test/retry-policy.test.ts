// The retry policy on its own: which answers and failures are sent again in each mode, how long each retry waits
// (backoff, Retry-After, the cap) and what the retry options accept. Fake timers: every wait is read off the clock.
import { AzureLogger, setLogLevel } from "@azure/logger";
import type { HttpResponse } from "@webpubsub/rest";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { loadHttpStack } from "../src/http-stack-loader.ts";
import { RestError } from "../src/rest-error.ts";
import {
  checkRetryOptions,
  isRetryableError,
  isRetryableStatus,
  type RetryMode,
  retryAfterMs,
  sendWithRetries,
} from "../src/retry-policy.ts";

beforeAll(async () => {
  await loadHttpStack(); // sendWithRetries logs through the loaded HTTP stack
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const sendError = (code: string) => new RestError(`connection failed: ${code}`, { code });

/** Advances the fake clock by each step's ms in turn, checking after each how many requests were sent by then. */
async function expectCallsAfter(state: { calls: number }, steps: [ms: number, calls: number][]): Promise<void> {
  for (const [ms, calls] of steps) {
    await vi.advanceTimersByTimeAsync(ms);
    expect(state.calls, `after ${ms} ms more`).toBe(calls);
  }
}

describe("isRetryableStatus", () => {
  it("idempotent operations retry exactly 408, 429, 500, 502, 503 and 504", () => {
    const retried = [408, 429, 500, 502, 503, 504];
    for (const status of retried) expect(isRetryableStatus(status, "idempotent"), String(status)).toBe(true);
    for (const status of [200, 202, 400, 401, 403, 404, 407, 409, 428, 430, 499, 501, 505, 511]) {
      expect(isRetryableStatus(status, "idempotent"), String(status)).toBe(false);
    }
  });

  it("a send is retried only after 429 (throttled, never processed), not after 408 or a 5xx", () => {
    expect(isRetryableStatus(429, "send")).toBe(true);
    for (const status of [408, 500, 502, 503, 504, 400])
      expect(isRetryableStatus(status, "send"), String(status)).toBe(false);
  });

  it("a one-shot body (mode none) is never retried, whatever the status", () => {
    for (const status of [408, 429, 500, 503]) expect(isRetryableStatus(status, "none"), String(status)).toBe(false);
  });
});

describe("isRetryableError", () => {
  const notConnected = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"];
  const maybeDelivered = ["ECONNRESET", "ETIMEDOUT", "EPIPE", "ECONNABORTED", "REQUEST_SEND_ERROR", "UND_ERR_SOCKET"];

  it("a send is retried when the connection was never made, and not when it may have delivered the message", () => {
    for (const code of notConnected) expect(isRetryableError(sendError(code), "send"), code).toBe(true);
    for (const code of maybeDelivered) expect(isRetryableError(sendError(code), "send"), code).toBe(false);
  });

  it("an idempotent operation is retried on every transient network failure", () => {
    for (const code of [...notConnected, ...maybeDelivered]) {
      expect(isRetryableError(sendError(code), "idempotent"), code).toBe(true);
    }
  });

  it("unknown codes, missing codes, errors with a status and non-RestErrors are not retried", () => {
    for (const mode of ["idempotent", "send"] as const) {
      expect(isRetryableError(sendError("EACCES"), mode)).toBe(false);
      expect(isRetryableError(new RestError("no code"), mode)).toBe(false);
      expect(isRetryableError(new RestError("answered", { code: "ECONNREFUSED", statusCode: 503 }), mode)).toBe(false);
      expect(isRetryableError(Object.assign(new Error("plain"), { code: "ECONNREFUSED" }), mode)).toBe(false);
      expect(isRetryableError(undefined, mode)).toBe(false);
    }
  });

  it("a one-shot body (mode none) is never retried, even when the connection was refused", () => {
    expect(isRetryableError(sendError("ECONNREFUSED"), "none")).toBe(false);
    expect(isRetryableError(Object.assign(new Error("cut"), { name: "AbortError" }), "none")).toBe(false);
  });

  it("an idempotent attempt cut short by its own timeout is retried; one the caller aborted is not; a send never", () => {
    const timedOut = Object.assign(new Error("attempt timed out"), { name: "AbortError" });
    expect(isRetryableError(timedOut, "idempotent")).toBe(true);
    expect(isRetryableError(timedOut, "idempotent", new AbortController().signal)).toBe(true);
    expect(isRetryableError(timedOut, "idempotent", AbortSignal.abort())).toBe(false);
    expect(isRetryableError(timedOut, "send")).toBe(false);
    expect(isRetryableError(new Error("attempt timed out"), "idempotent")).toBe(false); // only an AbortError
  });
});

describe("retryAfterMs", () => {
  it("is undefined when the answer asks for nothing, or for something unreadable", () => {
    expect(retryAfterMs({})).toBeUndefined();
    expect(retryAfterMs({ "retry-after": "soon" })).toBeUndefined();
  });

  it("reads retry-after-ms first, then x-ms-retry-after-ms, in milliseconds, never below 0", () => {
    expect(retryAfterMs({ "retry-after-ms": "1500", "x-ms-retry-after-ms": "10", "retry-after": "9" })).toBe(1500);
    expect(retryAfterMs({ "x-ms-retry-after-ms": "250", "retry-after": "9" })).toBe(250);
    expect(retryAfterMs({ "retry-after-ms": "-5" })).toBe(0);
    expect(retryAfterMs({ "retry-after-ms": "0" })).toBe(0);
  });

  it("an unreadable millisecond header falls back to Retry-After", () => {
    expect(retryAfterMs({ "retry-after-ms": "later", "retry-after": "2" })).toBe(2000);
  });

  it("reads Retry-After as seconds, never below 0", () => {
    expect(retryAfterMs({ "retry-after": "3" })).toBe(3000);
    expect(retryAfterMs({ "retry-after": "0.5" })).toBe(500);
    expect(retryAfterMs({ "retry-after": "-1" })).toBe(0);
  });

  it("reads Retry-After as an HTTP date: the time left until then, 0 once it has passed", () => {
    vi.useFakeTimers({ now: Date.parse("2026-01-01T00:00:00Z") });
    expect(retryAfterMs({ "retry-after": "Thu, 01 Jan 2026 00:00:07 GMT" })).toBe(7000);
    expect(retryAfterMs({ "retry-after": "Wed, 31 Dec 2025 23:59:50 GMT" })).toBe(0);
  });
});

describe("checkRetryOptions", () => {
  it("defaults to 3 retries, 800 ms base delay and a 30 s cap", () => {
    const defaults = { maxRetries: 3, retryDelayInMs: 800, maxRetryDelayInMs: 30_000 };
    expect(checkRetryOptions(undefined)).toEqual(defaults);
    expect(checkRetryOptions({})).toEqual(defaults);
    expect(checkRetryOptions({ maxRetries: 0, retryDelayInMs: 0, maxRetryDelayInMs: 0 })).toEqual({
      maxRetries: 0,
      retryDelayInMs: 0,
      maxRetryDelayInMs: 0,
    });
  });

  it("each option must be an integer >= 0, and the error names it", () => {
    for (const name of ["maxRetries", "retryDelayInMs", "maxRetryDelayInMs"] as const) {
      for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "3" as unknown as number]) {
        // a number as written, a string quoted (core's shownValue)
        const shown = typeof bad === "string" ? `"${bad}"` : String(bad);
        expect(() => checkRetryOptions({ [name]: bad }), `${name} ${String(bad)}`).toThrow(
          new RangeError(`options.retryOptions.${name} must be an integer >= 0, got ${shown}.`),
        );
      }
    }
  });

  it("a 100,000-character value is shown by its first 64 characters only", () => {
    const huge = `${"r".repeat(64)}${"s".repeat(100_000)}`;
    expect(() => checkRetryOptions({ maxRetries: huge as never })).toThrow(
      new RangeError(`options.retryOptions.maxRetries must be an integer >= 0, got "${"r".repeat(64)}"....`),
    );
  });

  it("the delays must fit a timer; the retry count need not", () => {
    const huge = 2 ** 31;
    expect(checkRetryOptions({ maxRetries: huge }).maxRetries).toBe(huge);
    expect(() => checkRetryOptions({ retryDelayInMs: huge })).toThrow(/options\.retryOptions\.retryDelayInMs/);
    expect(() => checkRetryOptions({ maxRetryDelayInMs: huge })).toThrow(/options\.retryOptions\.maxRetryDelayInMs/);
    expect(checkRetryOptions({ retryDelayInMs: huge - 1 }).retryDelayInMs).toBe(huge - 1);
  });
});

describe("sendWithRetries", () => {
  const options = { maxRetries: 2, retryDelayInMs: 800, maxRetryDelayInMs: 30_000 };
  const answer = (status: number, headers: Record<string, string> = {}) =>
    ({ status: String(status), headers, body: undefined, request: { method: "POST" } }) as unknown as HttpResponse;

  /** Runs sendWithRetries over the scripted outcomes; `calls` counts the attempts made so far. */
  function run(outcomes: (HttpResponse | Error)[], mode: RetryMode, opts = options, signal?: AbortSignal) {
    const state = { calls: 0 };
    const result = sendWithRetries(
      async () => {
        const next = outcomes[Math.min(state.calls++, outcomes.length - 1)] as HttpResponse | Error;
        if (next instanceof Error) throw next;
        return next;
      },
      mode,
      opts,
      signal,
    );
    result.catch(() => undefined);
    return { state, result };
  }

  it("a retryable answer is sent again after the backoff (800 ms, then 1600 ms) until maxRetries, then returned", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(1); // no jitter: the longest wait of each retry
    const { state, result } = run([answer(503)], "idempotent");
    await expectCallsAfter(state, [
      [0, 1],
      [799, 1],
      [1, 2],
      [1599, 2],
      [1, 3],
    ]);
    expect((await result).status).toBe("503"); // retries used up: the last answer is the result
    await vi.advanceTimersByTimeAsync(60_000);
    expect(state.calls).toBe(3);
  });

  it("jitter draws each wait in [50%, 100%] of the backoff", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0);
    const { state } = run([answer(503), answer(200)], "idempotent");
    await expectCallsAfter(state, [
      [399, 1],
      [1, 2],
    ]);
  });

  it("an answer that is not retryable, or a success, is returned at once", async () => {
    vi.useFakeTimers();
    const bad = run([answer(400)], "idempotent");
    const ok = run([answer(200)], "idempotent");
    expect((await bad.result).status).toBe("400");
    expect((await ok.result).status).toBe("200");
    expect([bad.state.calls, ok.state.calls]).toEqual([1, 1]);
  });

  it("maxRetries 0 sends once", async () => {
    vi.useFakeTimers();
    const { state, result } = run([answer(503)], "idempotent", { ...options, maxRetries: 0 });
    expect((await result).status).toBe("503");
    expect(state.calls).toBe(1);
  });

  it("Retry-After replaces the backoff, and is capped at maxRetryDelayInMs", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(1);
    const asked = run([answer(429, { "retry-after": "5" }), answer(202)], "send");
    await expectCallsAfter(asked.state, [
      [4999, 1],
      [1, 2],
    ]);
    expect((await asked.result).status).toBe("202");

    const capped = run([answer(429, { "retry-after": "3600" }), answer(202)], "send", {
      ...options,
      maxRetryDelayInMs: 2000,
    });
    await expectCallsAfter(capped.state, [
      [1999, 1],
      [1, 2],
    ]);
  });

  it("a retryable failure is retried after the backoff; the last failure is thrown once retries are used up", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(1);
    const failure = sendError("ECONNRESET");
    const { state, result } = run([failure], "idempotent");
    await expectCallsAfter(state, [
      [799, 1],
      [1, 2],
      [1600, 3],
    ]);
    await expect(result).rejects.toBe(failure);
  });

  it("a failure that is not retryable in the mode is thrown at once", async () => {
    vi.useFakeTimers();
    const failure = sendError("ECONNRESET");
    const { state, result } = run([failure], "send");
    await expect(result).rejects.toBe(failure);
    expect(state.calls).toBe(1);
  });

  it("after the caller aborted, a failure is thrown at once even when it would be retried", async () => {
    vi.useFakeTimers();
    const failure = sendError("ECONNREFUSED");
    const { state, result } = run([failure], "send", options, AbortSignal.abort());
    await expect(result).rejects.toBe(failure);
    expect(state.calls).toBe(1);
  });

  it("aborting during the wait ends it with the abort, and nothing more is sent", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const { state, result } = run([answer(503)], "idempotent", options, controller.signal);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort(new Error("caller gave up"));
    await expect(result).rejects.toThrow(/abort|caller gave up/i);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(state.calls).toBe(1);
  });

  /** The "Retrying" lines logged at info level while `outcomes` run to the end (fake timers advanced by `ms`). */
  async function retryLines(outcomes: Parameters<typeof run>[0], ms: number): Promise<string[]> {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(1);
    const lines: string[] = [];
    const original = AzureLogger.log;
    AzureLogger.log = (...args: unknown[]) => lines.push(args.map(String).join(" "));
    setLogLevel("info");
    try {
      const { result } = run(outcomes, "idempotent");
      await vi.advanceTimersByTimeAsync(ms);
      await result;
    } finally {
      setLogLevel(undefined);
      AzureLogger.log = original;
    }
    return lines.filter((l) => l.includes("Retrying"));
  }

  it("each retry is logged at info level with its cause, its wait and its number", async () => {
    const retries = await retryLines([answer(503), sendError("ECONNRESET"), answer(200)], 2400);
    expect(retries).toHaveLength(2);
    expect(retries[0]).toContain("Retrying POST after status 503 in 800 ms (retry 1).");
    expect(retries[1]).toContain('Retrying after "connection failed: ECONNRESET" in 1600 ms (retry 2).');
  });

  it("a retried failure's message (an HTTP client's, so the caller's) is logged by its first 64 characters", async () => {
    const huge = new RestError(`${"m".repeat(64)}${"n".repeat(99_936)}`, { code: "ECONNRESET" });
    const retries = await retryLines([huge, answer(200)], 800);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toContain(`Retrying after "${"m".repeat(64)}"... in 800 ms (retry 1).`);
    expect(retries[0]!.length).toBeLessThan(300);
  });
});
