// @webpubsub/core/timers (also in the root entry): the longest delay a JavaScript timer can hold, and the check every
// configurable duration goes through.

import { shownValue } from "./shown.ts";

/** The longest delay a timer can hold (2^31 - 1 ms, about 24.8 days); longer ones would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A duration a timer can wait for: finite, >= 0 and at most MAX_TIMER_MS; a RangeError naming `name` otherwise. */
export function checkTimerDuration(value: unknown, name: string): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${shownValue(value)}.`);
  }
  if (value > MAX_TIMER_MS) {
    throw new RangeError(`${name} must be at most ${MAX_TIMER_MS} ms (a timer's limit), got ${shownValue(value)}.`);
  }
}
