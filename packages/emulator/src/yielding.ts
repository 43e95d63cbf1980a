// Work whose size a request chooses (a list of groups times the connections a filter selects) is done in slices, with
// a turn of the event loop between them, so that one request never holds the emulator for long.

/** Longest stretch of work between two turns of the event loop, in wall-clock milliseconds (so also CPU time). */
export const SLICE_MS = 8;
/** Items done between two looks at the clock, for items as small as one index update. */
const CHECK_EVERY = 64;

/**
 * Calls `fn` on every item, yielding to the event loop whenever a slice has run for SLICE_MS. The slice is timed, not
 * counted: the same number of index updates can take ten times longer on a busy or cold machine. `checkEvery` is how
 * many items run between two looks at the clock: 1 for items that may each take milliseconds (closing a connection
 * in thousands of groups).
 */
export async function forEachInSlices<T>(
  items: Iterable<T>,
  fn: (item: T) => void,
  checkEvery = CHECK_EVERY,
): Promise<void> {
  let n = 0;
  let sliceStart = performance.now();
  for (const item of items) {
    fn(item);
    if (++n % checkEvery === 0 && performance.now() - sliceStart >= SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}

/** Every (a, b) pair, a-major. */
export function* pairs<A, B>(as: readonly A[], bs: readonly B[]): Generator<[A, B]> {
  for (const a of as) for (const b of bs) yield [a, b];
}
