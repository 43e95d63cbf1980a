// mapConcurrent: maps items with at most `concurrency` calls in flight, fail-fast or settle-all.
import { shownValue } from "@webpubsub/core/shown";
import { abortReason, checkSignal, throwIfAborted } from "./errors.ts";

export interface MapConcurrentOptions {
  /** Most calls of `fn` in flight at once (an integer >= 1). */
  concurrency: number;
  /**
   * `fail-fast` (default): the first failure aborts the signal given to the calls in flight, starts no new ones, and
   * rejects with that error. `settle-all`: every item is processed; the result is one PromiseSettledResult per item.
   */
  mode?: "fail-fast" | "settle-all";
  /**
   * Aborting it rejects at once with an AbortError (a custom reason as its cause), in both modes: no further item
   * starts, the calls in flight see the abort on their own signal, and whatever they later return or throw is
   * ignored, not waited for. The source is told to return first (awaited when no read of it is pending).
   */
  signal?: AbortSignal;
}

type Mapper<T, R> = (item: T, index: number, signal: AbortSignal) => Promise<R>;

export function mapConcurrent<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  fn: Mapper<T, R>,
  options: MapConcurrentOptions & { mode: "settle-all" },
): Promise<PromiseSettledResult<R>[]>;
export function mapConcurrent<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  fn: Mapper<T, R>,
  options: MapConcurrentOptions & { mode?: "fail-fast" },
): Promise<R[]>;
/** Maps `items` through `fn` with bounded concurrency; results keep the input order. */
export async function mapConcurrent<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  fn: Mapper<T, R>,
  options: MapConcurrentOptions,
): Promise<R[] | PromiseSettledResult<R>[]> {
  const { concurrency, signal } = options;
  const mode = options.mode ?? "fail-fast";
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be an integer >= 1, got ${shownValue(concurrency)}.`);
  }
  if (mode !== "fail-fast" && mode !== "settle-all") {
    throw new TypeError(`mode must be "fail-fast" or "settle-all", got ${shownValue(mode)}.`);
  }
  if (typeof fn !== "function") throw new TypeError("fn must be a function.");
  checkSignal(signal);
  const source = items as Partial<Iterable<T> & AsyncIterable<T>> | null | undefined;
  const isAsync = typeof source?.[Symbol.asyncIterator] === "function";
  if (!isAsync && typeof source?.[Symbol.iterator] !== "function") {
    throw new TypeError("items must be an iterable or an async iterable.");
  }
  throwIfAborted(signal);

  // The iterator is made before the abort listener is added: if making it throws, nothing is left on the signal.
  const iterator: Iterator<T> | AsyncIterator<T> = isAsync
    ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
    : (items as Iterable<T>)[Symbol.iterator]();
  const controller = new AbortController();
  const results: PromiseSettledResult<R>[] = [];
  let nextIndex = 0;
  // Why the calls were stopped: the first failure, or the caller's abort. Set once, with controller.abort().
  let stop: { error: unknown } | undefined;

  const stopped = () => controller.signal.aborted;
  // The first failure (or the caller's abort) is the one reported; it stops every worker and aborts the calls in
  // flight. A call or source failing after it is not reported.
  const fail = (error: unknown) => {
    if (stopped()) return;
    stop = { error };
    controller.abort(error);
  };
  // next() calls of an async source not settled yet: a source still busy with one is told to return, not awaited
  let reading = 0;
  let leaving: Promise<void> | undefined;

  /** Tells the source, once, that it is left early: an async generator queues return() behind a pending next(). */
  function leaveSource(): Promise<void> {
    leaving ??= (async () => {
      if (reading === 0) await iterator.return?.();
      else Promise.resolve(iterator.return?.()).catch(() => {});
    })();
    return leaving;
  }

  /** The next item, or undefined once the calls are aborted: a source that goes quiet cannot hold them. */
  function read(): Promise<IteratorResult<T> | undefined> {
    const next = Promise.resolve(iterator.next());
    reading++;
    return new Promise((resolve, reject) => {
      const onAbort = () => resolve(undefined);
      controller.signal.addEventListener("abort", onAbort, { once: true });
      const answered = () => {
        reading--;
        controller.signal.removeEventListener("abort", onAbort);
      };
      next.then(
        (step) => {
          answered();
          resolve(step);
        },
        (error: unknown) => {
          answered();
          reject(error);
        },
      );
    });
  }

  // Workers start one at a time, each when the previous one got an item: never more workers than items, whatever
  // the concurrency asked for.
  const workers: Promise<void>[] = [];

  async function worker(): Promise<void> {
    while (!stopped()) {
      let step: IteratorResult<T> | undefined;
      try {
        step = await read();
      } catch (error) {
        // The source failed: stop every worker and abort the calls in flight, in both modes.
        fail(error);
        return;
      }
      if (step === undefined || step.done || stopped()) return;
      const index = nextIndex++;
      if (workers.length < concurrency) workers.push(worker());
      try {
        const value = await fn(step.value, index, controller.signal);
        results[index] = { status: "fulfilled", value };
      } catch (error) {
        results[index] = { status: "rejected", reason: error };
        if (mode === "fail-fast") fail(error);
      }
    }
  }

  // The caller's abort settles the result at once (once the source is left), without waiting for the calls in
  // flight: run() goes on until they settle, and what it then resolves or rejects with is dropped, as a promise
  // settles once; it is handled, so a late failure is never an unhandled rejection.
  let settleNow: (error: unknown) => void = () => {};
  const onAbort = () => {
    fail(abortReason(signal as AbortSignal));
    leaveSource().then(() => settleNow(stop!.error), settleNow);
  };

  /** Runs the workers to the end: every call settled, the source left if they stopped early. */
  async function run(): Promise<R[] | PromiseSettledResult<R>[]> {
    try {
      workers.push(worker());
      // workers never reject (each catches what the source and fn throw); the list grows while they run
      for (const running of workers) await running;
      if (stop) {
        await leaveSource();
        throw stop.error;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    if (mode === "settle-all") return results;
    return results.map((r) => (r as PromiseFulfilledResult<R>).value);
  }

  return new Promise((resolve, reject) => {
    settleNow = reject;
    signal?.addEventListener("abort", onAbort, { once: true });
    run().then(resolve, reject);
  });
}
