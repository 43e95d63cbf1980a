// Work whose size a request chooses (a list of groups times the connections a filter selects) is done in slices, with
// a turn of the event loop between them, so that one request never holds the emulator for long.

/** Operations per slice: a few milliseconds of index updates. */
export const SLICE = 4096;

/** Calls `fn` on every item, yielding to the event loop after every `slice` calls. */
export async function forEachInSlices<T>(items: Iterable<T>, fn: (item: T) => void, slice = SLICE): Promise<void> {
  let n = 0;
  for (const item of items) {
    fn(item);
    if (++n % slice === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Every (a, b) pair, a-major. */
export function* pairs<A, B>(as: readonly A[], bs: readonly B[]): Generator<[A, B]> {
  for (const a of as) for (const b of bs) yield [a, b];
}
