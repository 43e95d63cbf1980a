// KeepAlive on its own, with a recording owner on fake timers: when it pings, when it declares the connection dead,
// how often it looks, and the liveness probe the browser's network hints start. The client's use of it (the ping frame,
// the recoverable 4000 close) is covered in reliability.test.ts and network-events.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KeepAlive, type KeepAliveSettings, LIVENESS_PROBE_TIMEOUT_MS } from "../src/keep-alive.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A KeepAlive whose owner records what it was asked to do; `watching` and `canPing` can be changed by the test. */
function keepAlive(settings: KeepAliveSettings) {
  const calls: string[] = [];
  const owner = {
    isWatching: true,
    canPing: true,
    watching: () => owner.isWatching,
    ping: () => {
      calls.push("ping");
      return owner.canPing;
    },
    dead: (reason: string) => calls.push(`dead: ${reason}`),
  };
  return { keepAlive: new KeepAlive(settings, owner), owner, calls };
}

describe("keep-alive timer", () => {
  it("with both the interval and the timeout at 0 there is no timer, so nothing is ever sent or dropped", async () => {
    const { keepAlive: k, calls } = keepAlive({ keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 });
    k.start();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(calls).toEqual([]);
  });

  it.each([
    [{ keepAliveIntervalInMs: 100, keepAliveTimeoutInMs: 0 }],
    [{ keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 400 }],
  ])("with only one of them set (%o) one timer runs, and it does not keep the process alive", (settings) => {
    const { keepAlive: k } = keepAlive(settings);
    const setInterval = vi.spyOn(globalThis, "setInterval");
    k.start();
    expect(vi.getTimerCount()).toBe(1);
    const timer = setInterval.mock.results[0]?.value as { hasRef(): boolean };
    expect(timer.hasRef()).toBe(false);
    k.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("pings once nothing was received for keepAliveIntervalInMs, looking every interval (no timeout)", async () => {
    const { keepAlive: k, calls } = keepAlive({ keepAliveIntervalInMs: 100, keepAliveTimeoutInMs: 0 });
    k.start();
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(["ping"]); // 100 ms idle: idle >= interval
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual(["ping", "ping"]); // still idle: another ping, and never dead without a timeout
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.every((c) => c === "ping")).toBe(true);
  });

  it("a frame received restarts the idle time: no ping while frames keep coming more often than the interval", async () => {
    const { keepAlive: k, calls } = keepAlive({ keepAliveIntervalInMs: 100, keepAliveTimeoutInMs: 0 });
    k.start();
    await vi.advanceTimersByTimeAsync(50);
    k.received();
    await vi.advanceTimersByTimeAsync(50); // the check at 100 ms finds 50 ms idle
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(100); // the check at 200 ms finds 150 ms idle
    expect(calls).toEqual(["ping"]);
  });

  it("declares the connection dead once nothing was received for keepAliveTimeoutInMs, looking every quarter of it", async () => {
    const { keepAlive: k, calls } = keepAlive({ keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 400 });
    k.start();
    await vi.advanceTimersByTimeAsync(300);
    k.received(); // at 300 ms: the checks at 400, 500 and 600 ms find 100 to 300 ms idle
    await vi.advanceTimersByTimeAsync(399);
    expect(calls).toEqual([]); // no ping either: the interval is 0
    await vi.advanceTimersByTimeAsync(1); // the check at 700 ms finds 400 ms idle: idle >= timeout
    expect(calls).toEqual(["dead: keep-alive timeout"]);
  });

  it("a dead connection is not pinged at the same check, and the shorter of the interval and a quarter of the timeout sets the period", async () => {
    // interval 1000, timeout 400: checks every 100 ms; the timeout comes first, so there is never a ping.
    const { keepAlive: k, calls } = keepAlive({ keepAliveIntervalInMs: 1000, keepAliveTimeoutInMs: 400 });
    k.start();
    await vi.advanceTimersByTimeAsync(399);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(["dead: keep-alive timeout"]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).not.toContain("ping");
  });

  it("with a timeout longer than four intervals, the interval sets the period: a ping at each idle interval, then dead", async () => {
    const { keepAlive: k, calls } = keepAlive({ keepAliveIntervalInMs: 100, keepAliveTimeoutInMs: 1000 });
    k.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual(["ping"]);
    await vi.advanceTimersByTimeAsync(899);
    expect(calls).toEqual(Array(9).fill("ping"));
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.at(-1)).toBe("dead: keep-alive timeout");
  });

  it("the period is never under 10 ms, however short the interval or timeout", async () => {
    const { keepAlive: k, calls } = keepAlive({ keepAliveIntervalInMs: 5, keepAliveTimeoutInMs: 20 });
    k.start();
    await vi.advanceTimersByTimeAsync(9);
    expect(calls).toEqual([]); // a 5 ms period would have pinged at 5 ms
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(["ping"]);
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toEqual(["ping", "dead: keep-alive timeout"]);
  });

  it("start() restarts the idle time and the period, with one timer however often it is called", async () => {
    const { keepAlive: k, calls } = keepAlive({ keepAliveIntervalInMs: 100, keepAliveTimeoutInMs: 0 });
    k.start();
    await vi.advanceTimersByTimeAsync(90);
    k.start(); // a new connection at 90 ms
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(["ping"]);
  });

  it("start() with both at 0 ends the timer a previous start() began", async () => {
    const settings = { keepAliveIntervalInMs: 100, keepAliveTimeoutInMs: 0 };
    const { keepAlive: k, calls } = keepAlive(settings);
    k.start();
    settings.keepAliveIntervalInMs = 0;
    k.start();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toEqual([]);
  });

  it("does nothing while the owner has no connection to watch", async () => {
    const { keepAlive: k, owner, calls } = keepAlive({ keepAliveIntervalInMs: 100, keepAliveTimeoutInMs: 400 });
    k.start();
    owner.isWatching = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toEqual([]);
    owner.isWatching = true;
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual(["dead: keep-alive timeout"]);
  });

  it("stop() leaves no timer, neither the period nor a running probe", async () => {
    const { keepAlive: k, calls } = keepAlive({ keepAliveIntervalInMs: 100, keepAliveTimeoutInMs: 400 });
    k.start();
    k.probe();
    expect(vi.getTimerCount()).toBe(2);
    k.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toEqual(["ping"]); // the probe's ping only
    k.probe(); // the stopped probe no longer counts as running
    expect(calls).toEqual(["ping", "ping"]);
  });
});

describe("liveness probe", () => {
  const settings = { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 60_000 }; // checks every 15 s: after the probe

  it("pings at once and declares the connection dead when no frame arrives within LIVENESS_PROBE_TIMEOUT_MS", async () => {
    expect(LIVENESS_PROBE_TIMEOUT_MS).toBe(5000);
    const { keepAlive: k, calls } = keepAlive(settings);
    k.start();
    k.probe();
    expect(calls).toEqual(["ping"]);
    await vi.advanceTimersByTimeAsync(4999);
    expect(calls).toEqual(["ping"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(["ping", "dead: liveness probe timeout"]);
  });

  it("waits keepAliveTimeoutInMs instead when that is shorter", async () => {
    const { keepAlive: k, calls } = keepAlive({ keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 3000 });
    k.probe();
    await vi.advanceTimersByTimeAsync(2999);
    expect(calls).toEqual(["ping"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(["ping", "dead: liveness probe timeout"]);
  });

  it("any frame received during the probe passes it", async () => {
    const { keepAlive: k, calls } = keepAlive(settings);
    k.probe();
    await vi.advanceTimersByTimeAsync(4999);
    k.received();
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(["ping"]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("one probe at a time: a probe while one runs does nothing, and a new one may start once it ended", async () => {
    const { keepAlive: k, calls } = keepAlive(settings);
    k.probe();
    k.probe();
    expect(calls).toEqual(["ping"]);
    expect(vi.getTimerCount()).toBe(1);
    k.received();
    await vi.advanceTimersByTimeAsync(5000); // passed
    k.probe();
    expect(calls).toEqual(["ping", "ping"]);
    await vi.advanceTimersByTimeAsync(5000); // this one fails
    expect(calls).toEqual(["ping", "ping", "dead: liveness probe timeout"]);
  });

  it("without a connection to watch, a probe does not ping; one that ends after the connection went is not a death", async () => {
    const { keepAlive: k, owner, calls } = keepAlive(settings);
    owner.isWatching = false;
    k.probe();
    expect(calls).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    owner.isWatching = true;
    k.probe();
    owner.isWatching = false; // the connection dropped during the probe
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toEqual(["ping"]);
  });

  it("a ping that could not be written starts no probe", async () => {
    const { keepAlive: k, owner, calls } = keepAlive(settings);
    owner.canPing = false;
    k.probe();
    expect(calls).toEqual(["ping"]);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toEqual(["ping"]);
  });

  it("with keepAliveTimeoutInMs 0 a probe only pings: no timer, never dead", async () => {
    const { keepAlive: k, calls } = keepAlive({ keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 });
    k.probe();
    expect(calls).toEqual(["ping"]);
    expect(vi.getTimerCount()).toBe(0);
    k.probe(); // no probe is running, so this pings again
    expect(calls).toEqual(["ping", "ping"]);
  });

  it("the probe's timer does not keep the process alive", () => {
    const { keepAlive: k } = keepAlive(settings);
    const setTimeout = vi.spyOn(globalThis, "setTimeout");
    k.probe();
    const timer = setTimeout.mock.results[0]?.value as { hasRef(): boolean };
    expect(timer.hasRef()).toBe(false);
  });
});
