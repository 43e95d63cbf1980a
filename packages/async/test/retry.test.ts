import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AbortError, backoffDelay, retry } from "../src/index.ts";
import { abortListeners } from "./helpers.ts";

describe("backoffDelay", () => {
  it("doubles with exponential mode and respects the cap", () => {
    const o = { retryDelayInMs: 100, maxRetryDelayInMs: 1000, jitter: false };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, o))).toEqual([100, 200, 400, 800, 1000]);
  });
  it("takes exponential, the default, when named", () => {
    const o = { retryDelayInMs: 100, jitter: false };
    expect([1, 2, 3].map((a) => backoffDelay(a, { ...o, mode: "exponential" }))).toEqual([100, 200, 400]);
    expect([1, 2, 3].map((a) => backoffDelay(a, o))).toEqual([100, 200, 400]);
  });
  it("stays flat in fixed mode", () => {
    expect([1, 5].map((a) => backoffDelay(a, { mode: "fixed", retryDelayInMs: 70, jitter: false }))).toEqual([70, 70]);
  });
  it("jitters within [50%, 100%] of the computed delay", () => {
    expect(backoffDelay(3, { retryDelayInMs: 100, random: () => 0 })).toBe(200);
    expect(backoffDelay(3, { retryDelayInMs: 100, random: () => 0.999999 })).toBe(400);
  });
  it("never passes the cap through jitter: a random outside [0, 1] is refused, naming random; 0 and 1 are kept", () => {
    const o = { retryDelayInMs: 100, maxRetryDelayInMs: 400 };
    for (const bad of [3, -0.5, Number.NaN, "0.5"]) {
      expect(() => backoffDelay(5, { ...o, random: () => bad as number })).toThrow(
        `random must return a number from 0 to 1, got ${typeof bad === "string" ? '"0.5"' : bad}.`,
      );
    }
    expect(backoffDelay(5, { ...o, random: () => 1 })).toBe(400);
    expect(backoffDelay(5, { ...o, random: () => 0 })).toBe(200);
    expect(backoffDelay(5, { ...o, jitter: false, random: () => 3 })).toBe(400);
  });
  it("names bad options", () => {
    expect(() => backoffDelay(0)).toThrow(/attempt/);
    expect(() => backoffDelay(1, { maxRetries: -1 })).toThrow(/maxRetries/);
    expect(() => backoffDelay(1, { retryDelayInMs: -5 })).toThrow(/retryDelayInMs/);
    expect(() => backoffDelay(1, { mode: "linear" as never })).toThrow(/mode/);
  });
});

describe("retry", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("retries until success and reports each retry", async () => {
    const onRetry = vi.fn();
    let calls = 0;
    const p = retry(
      async (attempt) => {
        calls++;
        if (attempt < 3) throw new Error(`fail ${attempt}`);
        return "ok";
      },
      { retryDelayInMs: 10, jitter: false, onRetry },
    );
    await vi.runAllTimersAsync();
    await expect(p).resolves.toBe("ok");
    expect(calls).toBe(3);
    expect(onRetry.mock.calls.map((c) => [c[1], c[2]])).toEqual([
      [1, 10],
      [2, 20],
    ]);
  });

  it("makes maxRetries + 1 attempts, then rethrows the last error", async () => {
    let calls = 0;
    const p = retry(
      async (attempt) => {
        calls++;
        throw new Error(`fail ${attempt}`);
      },
      { maxRetries: 5, retryDelayInMs: 1, jitter: false },
    );
    const check = expect(p).rejects.toThrow("fail 6");
    await vi.runAllTimersAsync();
    await check;
    expect(calls).toBe(6);
  });

  it("does not retry what shouldRetry refuses", async () => {
    let calls = 0;
    const p = retry(
      async () => {
        calls++;
        throw Object.assign(new Error("forbidden"), { final: true });
      },
      { shouldRetry: (e) => !(e as { final?: boolean }).final },
    );
    await expect(p).rejects.toThrow("forbidden");
    expect(calls).toBe(1);
  });

  it("stops during the backoff wait when aborted, leaving no timer or listener", async () => {
    const controller = new AbortController();
    let calls = 0;
    const p = retry(
      async () => {
        calls++;
        throw new Error("transient");
      },
      { signal: controller.signal, retryDelayInMs: 1000 },
    );
    const check = expect(p).rejects.toBeInstanceOf(AbortError);
    await vi.advanceTimersByTimeAsync(1);
    controller.abort();
    await check;
    expect(calls).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it("does not call fn again once aborted during an attempt, and reports the abort", async () => {
    const controller = new AbortController();
    let calls = 0;
    const p = retry(
      async () => {
        calls++;
        controller.abort();
        throw new Error("transient");
      },
      { signal: controller.signal },
    );
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(calls).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("does not start when already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const fn = vi.fn(async () => 1);
    await expect(retry(fn, { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    expect(fn).not.toHaveBeenCalled();
  });

  it("settles at once when aborted in the middle of an attempt, and hands the attempt the signal", async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const p = retry(
      (_attempt, signal) => {
        seen = signal;
        return new Promise<never>(() => {}); // an attempt that never ends by itself
      },
      { signal: controller.signal },
    );
    const check = expect(p).rejects.toBeInstanceOf(AbortError);
    await vi.advanceTimersByTimeAsync(50);
    controller.abort();
    await check;
    expect(seen?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it("removes its abort listener after each attempt", async () => {
    const controller = new AbortController();
    const p = retry(
      async (attempt) => {
        if (attempt < 3) throw new Error("again");
        return attempt;
      },
      {
        signal: controller.signal,
        retryDelayInMs: 1,
        jitter: false,
        // Between attempts nothing of the finished attempt may still listen.
        onRetry: () => expect(abortListeners(controller.signal)).toBe(0),
      },
    );
    await vi.runAllTimersAsync();
    await expect(p).resolves.toBe(3);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it("refuses delays a timer cannot hold", () => {
    expect(() => backoffDelay(1, { retryDelayInMs: 2 ** 31 })).toThrow(/retryDelayInMs must be at most 2147483647/);
    expect(() => backoffDelay(1, { maxRetryDelayInMs: 1e12 })).toThrow(/maxRetryDelayInMs/);
  });
});

describe("retry's arguments", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** What `promise` settled with once pending callbacks ran (no time passes), or "pending". */
  async function settledWith(promise: Promise<unknown>): Promise<unknown> {
    let outcome: unknown = "pending";
    promise.then(
      (v) => (outcome = { resolved: v }),
      (e) => (outcome = e),
    );
    await vi.advanceTimersByTimeAsync(0);
    return outcome;
  }

  // Rule: bad input fails with a TypeError naming it before any side effect: not one attempt, no backoff timer.
  it("refuses an fn that is not a function at once, without retrying or starting a timer", async () => {
    const error = await settledWith(retry(undefined as never));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/fn must be a function/);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("refuses shouldRetry, onRetry and random that are not functions, before the first attempt", async () => {
    for (const name of ["shouldRetry", "onRetry", "random"]) {
      const fn = vi.fn(async () => 1);
      const error = await settledWith(retry(fn, { [name]: "yes" }));
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(new RegExp(`${name} must be a function`));
      expect(fn).not.toHaveBeenCalled();
      expect(() => backoffDelay(1, { [name]: 1 })).toThrow(TypeError);
    }
    // the other side: the same options as functions are used
    const onRetry = vi.fn();
    let calls = 0;
    const p = retry(
      async () => {
        if (++calls === 1) throw new Error("once");
        return "ok";
      },
      { shouldRetry: () => true, onRetry, random: () => 0, retryDelayInMs: 10 },
    );
    await vi.advanceTimersByTimeAsync(5);
    await expect(p).resolves.toBe("ok");
    expect(onRetry).toHaveBeenCalledWith(expect.any(Error), 1, 5);
  });
  it("takes what fn returns as Promise.resolve does, with a signal as without one (a plain value is a success)", async () => {
    // the rule: an fn returning a value (not a promise) succeeds with it, whether or not a signal is given
    for (const signal of [undefined, new AbortController().signal]) {
      const fn = vi.fn(() => 42 as unknown as Promise<number>);
      await expect(retry(fn, { signal, maxRetries: 0 })).resolves.toBe(42);
      expect(fn).toHaveBeenCalledTimes(1);
    }
    // the other side: a rejected promise is still a failure, with a signal as without one
    for (const signal of [undefined, new AbortController().signal]) {
      await expect(retry(() => Promise.reject(new Error("no")), { signal, maxRetries: 0 })).rejects.toThrow("no");
    }
  });
});
