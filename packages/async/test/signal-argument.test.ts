// The `signal` option of every helper that takes one: anything but an AbortSignal (or an object with its shape:
// `aborted`, addEventListener, removeEventListener) is a TypeError naming it, before a timer starts, a listener is
// added or any work is called; an absent signal (undefined, or null as the Azure packages allow) is no signal.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AsyncQueue, delay, fromEvents, mapConcurrent, retry, withTimeout } from "../src/index.ts";

const listen = () => {};
const NOT_SIGNALS: unknown[] = [
  {},
  true,
  "abort",
  { aborted: false },
  { aborted: "no", addEventListener() {} },
  // each of the three members missing or of the wrong type, the other two right
  { addEventListener: listen, removeEventListener: listen },
  { aborted: "no", addEventListener: listen, removeEventListener: listen },
  { aborted: false, removeEventListener: listen },
  { aborted: false, addEventListener: listen },
  { aborted: false, addEventListener: listen, removeEventListener: "no" },
  // not an object, though it carries the three members
  Object.assign(() => {}, { aborted: false, addEventListener: listen, removeEventListener: listen }),
];
const MESSAGE = "signal must be an AbortSignal when given.";

describe("the signal option", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("is refused with a TypeError by each helper before any timer or work starts", async () => {
    for (const signal of NOT_SIGNALS) {
      const work = vi.fn(async () => 1);
      const s = signal as AbortSignal;
      expect(() => withTimeout(work, 1000, { signal: s })).toThrow(new TypeError(MESSAGE));
      expect(() => delay(1000, { signal: s })).toThrow(new TypeError(MESSAGE));
      await expect(retry(work, { signal: s })).rejects.toThrow(new TypeError(MESSAGE));
      await expect(mapConcurrent([1], work, { concurrency: 1, signal: s })).rejects.toThrow(new TypeError(MESSAGE));
      expect(() => new AsyncQueue({ capacity: 1, overflow: "error", signal: s })).toThrow(new TypeError(MESSAGE));
      expect(() => fromEvents(() => () => {}, { capacity: 1, overflow: "error", signal: s })).toThrow(
        new TypeError(MESSAGE),
      );
      expect(work).not.toHaveBeenCalled();
      expect(vi.getTimerCount()).toBe(0);
    }
  });

  it("accepts an AbortSignal, an object of its shape, and no signal (undefined or null)", async () => {
    const shaped = { aborted: false, addEventListener() {}, removeEventListener() {} } as unknown as AbortSignal;
    for (const signal of [new AbortController().signal, shaped, undefined, null as unknown as undefined]) {
      await expect(withTimeout(Promise.resolve(2), 1000, { signal })).resolves.toBe(2);
      await expect(retry(async () => 3, { signal })).resolves.toBe(3);
      await expect(mapConcurrent([1], async (n) => n + 1, { concurrency: 1, signal })).resolves.toEqual([2]);
      expect(new AsyncQueue({ capacity: 1, overflow: "error", signal }).open).toBe(true);
      const waited = delay(10, { signal });
      await vi.advanceTimersByTimeAsync(10);
      await expect(waited).resolves.toBeUndefined();
    }
  });
});
