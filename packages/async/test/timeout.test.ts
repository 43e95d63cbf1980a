import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AbortError, Deferred, TimeoutError, withTimeout } from "../src/index.ts";
import { abortListeners } from "./helpers.ts";

describe("withTimeout", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("passes through a result in time and cleans up", async () => {
    const controller = new AbortController();
    await expect(withTimeout(Promise.resolve(5), 100, { signal: controller.signal })).resolves.toBe(5);
    expect(vi.getTimerCount()).toBe(0);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it("passes through a rejection", async () => {
    await expect(withTimeout(Promise.reject(new Error("boom")), 100)).rejects.toThrow("boom");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("times out with a TimeoutError and aborts the work's signal", async () => {
    let inner: AbortSignal | undefined;
    const p = withTimeout(
      (signal) => {
        inner = signal;
        return new Deferred<number>().promise;
      },
      50,
      { message: "took too long" },
    );
    const check = expect(p).rejects.toMatchObject({ name: "TimeoutError", message: "took too long", timeoutInMs: 50 });
    await vi.advanceTimersByTimeAsync(50);
    await check;
    expect(inner?.aborted).toBe(true);
    expect(inner?.reason).toBeInstanceOf(TimeoutError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("says how long it waited when no message is given", async () => {
    const p = withTimeout(new Deferred<number>().promise, 50);
    const check = expect(p).rejects.toMatchObject({
      name: "TimeoutError",
      message: "The operation timed out after 50 ms.",
      timeoutInMs: 50,
    });
    await vi.advanceTimersByTimeAsync(50);
    await check;
  });

  it("rejects with AbortError on outer abort and forwards it to the work", async () => {
    const controller = new AbortController();
    let inner: AbortSignal | undefined;
    const p = withTimeout(
      (signal) => {
        inner = signal;
        return new Deferred<number>().promise;
      },
      1000,
      { signal: controller.signal },
    );
    controller.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(inner?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it("turns a synchronous throw of the work function into a rejection", async () => {
    await expect(
      withTimeout(() => {
        throw new Error("sync");
      }, 10),
    ).rejects.toThrow("sync");
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("withTimeout limits", () => {
  it("refuses a timeout a timer cannot hold, before starting the work", () => {
    let started = false;
    expect(() =>
      withTimeout(async () => {
        started = true;
      }, 2 ** 31),
    ).toThrow(/at most 2147483647/);
    expect(started).toBe(false);
  });
});

describe("withTimeout's work argument", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  // Rule: bad input fails with a TypeError naming it before any side effect (no timer, no listener left behind).
  it("refuses work that is neither a promise nor a function, before starting a timer or adding a listener", () => {
    const controller = new AbortController();
    for (const work of [undefined, null, 5, "text", {}]) {
      expect(() => withTimeout(work as never, 1000, { signal: controller.signal })).toThrow(
        /work must be a promise or a function returning one/,
      );
      expect(vi.getTimerCount()).toBe(0);
      expect(abortListeners(controller.signal)).toBe(0);
    }
    // the other side: a thenable that is not a Promise is accepted and cleaned up after
    // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise is what this case is about
    const thenable = { then: (resolve: (v: number) => void) => resolve(7) };
    return expect(withTimeout(thenable as never, 1000, { signal: controller.signal }))
      .resolves.toBe(7)
      .then(() => {
        expect(vi.getTimerCount()).toBe(0);
        expect(abortListeners(controller.signal)).toBe(0);
      });
  });

  it("settles with what a work function returned even when it is not a promise, leaving no timer", async () => {
    const controller = new AbortController();
    await expect(withTimeout((() => 3) as never, 1000, { signal: controller.signal })).resolves.toBe(3);
    expect(vi.getTimerCount()).toBe(0);
    expect(abortListeners(controller.signal)).toBe(0);
  });
});

describe("withTimeout and an already aborted signal", () => {
  it("observes a given promise it never raced, so its later failure is not an unhandled rejection", async () => {
    const controller = new AbortController();
    controller.abort();
    const work = new Deferred<number>();
    const observed: string[] = [];
    const thenable = {
      // a promise-like that reports who subscribed to its outcome
      // biome-ignore lint/suspicious/noThenProperty: the work is a thenable on purpose
      then: (ok: unknown, fail: unknown) => {
        observed.push(typeof fail);
        return work.promise.then(ok as never, fail as never);
      },
    } as unknown as Promise<number>;
    await expect(withTimeout(thenable, 100, { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    expect(observed).toEqual(["function"]);
    work.reject(new Error("late failure"));
    await expect(work.promise).rejects.toThrow("late failure");
  });

  it("still rejects with the AbortError, never throwing, when the given promise-like's then() throws", async () => {
    const controller = new AbortController();
    controller.abort();
    const broken = {
      // biome-ignore lint/suspicious/noThenProperty: the work is a broken thenable on purpose
      then: () => {
        throw new Error("broken then");
      },
    } as unknown as Promise<number>;
    const result = withTimeout(broken, 100, { signal: controller.signal });
    await expect(result).rejects.toBeInstanceOf(AbortError);
  });
});
