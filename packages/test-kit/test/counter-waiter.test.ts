// counterWaiter: a wait resolves once the count reaches n (at once if it already has), only after notify() re-checks,
// and with a timeout rejects naming where the count got stuck.
import { afterEach, describe, expect, it, vi } from "vitest";
import { counterWaiter } from "../src/index.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("counterWaiter", () => {
  it("resolves at once when the count is already there, else once a notify finds it reached", async () => {
    let count = 2;
    const waiter = counterWaiter(() => count);
    await waiter.atLeast(2);
    let done = false;
    const three = waiter.atLeast(3).then(() => {
      done = true;
    });
    waiter.notify(); // still 2 of 3
    await Promise.resolve();
    expect(done).toBe(false);
    count = 3;
    waiter.notify();
    await three;
    expect(done).toBe(true);
  });

  it("with a timeout, rejects after it naming the count reached, and not a millisecond before", async () => {
    vi.useFakeTimers();
    const waiter = counterWaiter(() => 1, 100, "messages");
    const wait = waiter.atLeast(2);
    const check = expect(wait).rejects.toThrow("messages stuck at 1 of 2");
    await vi.advanceTimersByTimeAsync(99);
    let settled = false;
    wait
      .catch(() => {})
      .finally(() => {
        settled = true;
      });
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await check;
  });
});
