// The reconnect backoff policy on its own: when a connection counts as short-lived, how long new-connection and
// recovery attempts wait, and how wake(), stop and reset() end a wait. Fake timers; no sockets.
import { afterEach, describe, expect, it, vi } from "vitest";
import { RECOVERY_BACKOFF, ReconnectBackoff } from "../src/reconnect-backoff.ts";

afterEach(() => {
  vi.useRealTimers();
});

const shape = { mode: "exponential", retryDelayInMs: 500, maxRetryDelayInMs: 30_000, jitter: false } as const;

describe("short-lived connections", () => {
  it("a connection that closes one ms before the stable period is a flap; one that lasts exactly the period is not", () => {
    const b = new ReconnectBackoff(shape, 1000);
    b.up(10_000);
    b.down(10_999);
    expect(b.flaps).toBe(1);
    b.up(20_000);
    b.down(20_999);
    expect(b.flaps).toBe(2);
    b.up(30_000);
    b.down(31_000);
    expect(b.flaps).toBe(0);
  });

  it("a stable period of 0 makes every connection stable", () => {
    const b = new ReconnectBackoff(shape, 0);
    b.up(5);
    b.down(5);
    expect(b.flaps).toBe(0);
  });

  it("down() counts only a connection that was up, once", () => {
    const b = new ReconnectBackoff(shape, 1000);
    b.down(1);
    expect(b.flaps).toBe(0);
    b.up(0);
    b.down(1);
    b.down(2); // the same connection again: no second flap
    expect(b.flaps).toBe(1);
  });

  it("up() and down() read the clock when given no time", () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const b = new ReconnectBackoff(shape, 1000);
    b.up();
    vi.setSystemTime(1_000_999);
    b.down();
    expect(b.flaps).toBe(1);
    b.up();
    vi.setSystemTime(1_002_000);
    b.down();
    expect(b.flaps).toBe(0);
  });

  it("reset() (a new start()) forgets the flaps and the connection that was up", () => {
    const b = new ReconnectBackoff(shape, 1000);
    b.up(0);
    b.down(1);
    b.up(2);
    b.reset();
    expect(b.flaps).toBe(0);
    b.down(3); // the connection before the reset no longer counts
    expect(b.flaps).toBe(0);
  });
});

describe("waits", () => {
  it("a new connection waits backoff(flaps + attempt) of the reconnect options", () => {
    const b = new ReconnectBackoff(shape, 1000);
    expect([1, 2, 3].map((a) => b.reconnectDelay(a))).toEqual([500, 1000, 2000]);
    b.up(0);
    b.down(1);
    b.up(2);
    b.down(3);
    expect([1, 2].map((a) => b.reconnectDelay(a))).toEqual([2000, 4000]);
  });

  it("recovery of a healthy session uses RECOVERY_BACKOFF (100 ms doubling to 1 s) whatever the reconnect options", () => {
    expect(RECOVERY_BACKOFF).toEqual({
      mode: "exponential",
      retryDelayInMs: 100,
      maxRetryDelayInMs: 1000,
      jitter: true,
    });
    const b = new ReconnectBackoff({ ...shape, retryDelayInMs: 5000 }, 1000, () => 1);
    expect([1, 2, 3, 4, 5].map((a) => b.recoveryDelay(a))).toEqual([100, 200, 400, 800, 1000]);
  });

  it("once connections flap, recovery waits the longer of the recovery and the new-connection waits", () => {
    const tiny = new ReconnectBackoff({ ...shape, retryDelayInMs: 10 }, 1000, () => 1);
    tiny.up(0);
    tiny.down(1);
    expect(tiny.recoveryDelay(1)).toBe(100); // recovery's 100 ms > the reconnect's 20 ms
    const slow = new ReconnectBackoff(shape, 1000, () => 1);
    slow.up(0);
    slow.down(1);
    expect(slow.recoveryDelay(1)).toBe(1000); // the reconnect's 1000 ms > recovery's 100 ms
  });

  it("jitter draws from the injected random source, in [50%, 100%] of the wait", () => {
    const low = new ReconnectBackoff({ ...shape, jitter: true }, 1000, () => 0);
    const high = new ReconnectBackoff({ ...shape, jitter: true }, 1000, () => 1);
    expect([low.reconnectDelay(1), high.reconnectDelay(1)]).toEqual([250, 500]);
    expect([low.recoveryDelay(1), high.recoveryDelay(1)]).toEqual([50, 100]);
    const drawn = new ReconnectBackoff({ ...shape, jitter: true }, 1000).reconnectDelay(1); // Math.random by default
    expect(drawn).toBeGreaterThanOrEqual(250);
    expect(drawn).toBeLessThanOrEqual(500);
  });

  it("attempt numbers far past any cap still give the capped wait", () => {
    const b = new ReconnectBackoff({ ...shape, maxRetryDelayInMs: MAX_SAFE_CAP }, 1000);
    expect(b.reconnectDelay(1)).toBe(500);
    expect(b.reconnectDelay(10_000)).toBe(MAX_SAFE_CAP);
  });
});

const MAX_SAFE_CAP = 2_000_000_000;

describe("wait, wake and stop", () => {
  it("wait() sleeps exactly the given time", async () => {
    vi.useFakeTimers();
    const b = new ReconnectBackoff(shape, 1000);
    let done = false;
    const waiting = b.wait(300, new AbortController().signal).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(299);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
    expect(b.wake()).toBe(false); // the finished wait is not wakeable any more
  });

  it("wake() ends the current wait at once; with no wait in progress it does nothing", async () => {
    vi.useFakeTimers();
    const b = new ReconnectBackoff(shape, 1000);
    expect(b.wake()).toBe(false);
    const waiting = b.wait(60_000, new AbortController().signal);
    expect(b.wake()).toBe(true);
    await waiting;
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a wait that ends leaves a newer wait wakeable", async () => {
    vi.useFakeTimers();
    const b = new ReconnectBackoff(shape, 1000);
    const run = new AbortController();
    const first = b.wait(100, run.signal);
    const second = b.wait(60_000, run.signal);
    await vi.advanceTimersByTimeAsync(100);
    await first;
    expect(b.wake()).toBe(true);
    await second;
  });

  it("stop's abort rejects the wait, also when a wake came too", async () => {
    const b = new ReconnectBackoff(shape, 1000);
    const run = new AbortController();
    const stopped = b.wait(60_000, run.signal);
    run.abort(new Error("stopped"));
    b.wake();
    await expect(stopped).rejects.toMatchObject({ name: "AbortError" });
  });

  it("an invalid wait is an error, not a wake-up", async () => {
    const b = new ReconnectBackoff(shape, 1000);
    await expect(b.wait(-1, new AbortController().signal)).rejects.toThrow(RangeError);
  });

  it("after a wait cut short by wake() (an early attempt), the next wait runs in full and wake() does nothing during it; the one after is wakeable again", async () => {
    vi.useFakeTimers();
    const b = new ReconnectBackoff(shape, 1000);
    const run = new AbortController();
    const first = b.wait(60_000, run.signal);
    expect(b.wake()).toBe(true);
    await first;
    let done = false;
    const second = b.wait(300, run.signal).then(() => {
      done = true;
    });
    expect(b.wake()).toBe(false);
    await vi.advanceTimersByTimeAsync(299);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await second;
    expect(done).toBe(true);
    const third = b.wait(60_000, run.signal);
    expect(b.wake()).toBe(true);
    await third;
  });

  it.each([
    ["a connection came up (up())", (b: ReconnectBackoff) => b.up()],
    ["a new run began (reset())", (b: ReconnectBackoff) => b.reset()],
  ])("after an early attempt, the next wait is wakeable again when %s", async (_what, between) => {
    vi.useFakeTimers();
    const b = new ReconnectBackoff(shape, 1000);
    const run = new AbortController();
    const first = b.wait(60_000, run.signal);
    b.wake();
    await first;
    between(b);
    const second = b.wait(60_000, run.signal);
    expect(b.wake()).toBe(true);
    await second;
  });

  it("reset() also ends the current wait", async () => {
    vi.useFakeTimers();
    const b = new ReconnectBackoff(shape, 1000);
    const waiting = b.wait(60_000, new AbortController().signal);
    b.reset();
    await waiting;
    expect(b.wake()).toBe(false);
  });
});
