import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AbortError, delay } from "../src/index.ts";
import { abortListeners } from "./helpers.ts";

describe("delay", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("resolves after the time and leaves no timer or listener", async () => {
    const controller = new AbortController();
    let done = false;
    const p = delay(100, { signal: controller.signal }).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it("rejects at once on abort, clearing the timer and listener", async () => {
    const controller = new AbortController();
    const p = delay(10_000, { signal: controller.signal });
    controller.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(vi.getTimerCount()).toBe(0);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it("rejects when the signal is already aborted, without starting a timer", async () => {
    const controller = new AbortController();
    controller.abort(new Error("why"));
    const p = delay(10, { signal: controller.signal });
    await expect(p).rejects.toMatchObject({ name: "AbortError", cause: new Error("why") });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects invalid durations", () => {
    expect(() => delay(-1)).toThrow(/ms must be a finite number >= 0/);
    expect(() => delay(Number.NaN)).toThrow(RangeError);
    // Beyond 2^31 - 1 ms a timer fires at once: refuse rather than resolve early.
    expect(() => delay(3e9)).toThrow(/ms must be at most 2147483647/);
    expect(vi.getTimerCount()).toBe(0);
  });
});
