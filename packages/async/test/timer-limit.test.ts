// The timer limit is exported once, by @webpubsub/core (its rule is tested there, test/timers.test.ts); this package
// re-exports the same value and function for every package that checks a duration (service retry options, ...).
import * as core from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import { checkTimerDuration, MAX_TIMER_MS } from "../src/index.ts";

describe("MAX_TIMER_MS and checkTimerDuration", () => {
  it("are core's own, not a second copy of the rule", () => {
    expect(MAX_TIMER_MS).toBe(core.MAX_TIMER_MS);
    expect(checkTimerDuration).toBe(core.checkTimerDuration);
  });

  it("refuse one past the limit through this package's export, naming the argument", () => {
    expect(() => checkTimerDuration(MAX_TIMER_MS, "options.delay")).not.toThrow();
    expect(() => checkTimerDuration(MAX_TIMER_MS + 1, "options.delay")).toThrow(
      new RangeError("options.delay must be at most 2147483647 ms (a timer's limit), got 2147483648."),
    );
  });
});
