// Recording: a wait finds a matching item recorded before it or after it, each wait resolves once, and a hung wait
// rejects after its timeout naming what it waited for and what was seen.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Recording } from "../src/index.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("Recording", () => {
  it("finds an item recorded before the wait, or resolves when one is pushed after it", async () => {
    const seen = new Recording<number>();
    seen.push(1);
    expect(await seen.waitFor((n) => n === 1)).toBe(1);
    const even = seen.waitFor((n) => n % 2 === 0);
    seen.push(3);
    seen.push(4);
    seen.push(6);
    expect(await even).toBe(4);
    expect(seen.items).toEqual([1, 3, 4, 6]);
  });

  it("rejects a wait nothing matched after its timeout, not a millisecond before, listing what was seen", async () => {
    vi.useFakeTimers();
    const seen = new Recording<string>();
    seen.push("a");
    let settled = false;
    const wait = seen.waitFor((s) => s === "b", "the letter b", 100);
    const check = expect(wait).rejects.toThrow("no the letter b within 100 ms; seen: a");
    wait
      .catch(() => {})
      .finally(() => {
        settled = true;
      });
    await vi.advanceTimersByTimeAsync(99);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await check;
  });
});
