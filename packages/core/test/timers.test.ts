// The timer limit and the duration check live here once; @webpubsub/async re-exports them, the emulator imports them.
import { checkTimerDuration, MAX_TIMER_MS } from "@webpubsub/core";
import { describe, expect, it } from "vitest";

describe("MAX_TIMER_MS and checkTimerDuration", () => {
  it("is the longest delay a timer can hold: 2^31 - 1 ms", () => {
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
  });

  it("accepts 0 and MAX_TIMER_MS, refuses one past either end, naming the argument", () => {
    expect(() => checkTimerDuration(0, "options.delay")).not.toThrow();
    expect(() => checkTimerDuration(MAX_TIMER_MS, "options.delay")).not.toThrow();
    expect(() => checkTimerDuration(MAX_TIMER_MS + 1, "options.delay")).toThrow(
      new RangeError("options.delay must be at most 2147483647 ms (a timer's limit), got 2147483648."),
    );
    expect(() => checkTimerDuration(-1, "options.delay")).toThrow(
      new RangeError("options.delay must be a finite number >= 0, got -1."),
    );
  });

  it("refuses what is not a finite number", () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, "5", undefined, null]) {
      expect(() => checkTimerDuration(value, "ms")).toThrow(RangeError);
    }
  });
});
