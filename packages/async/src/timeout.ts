// withTimeout: settles with some work unless a time limit or an abort comes first.
import { abortReason, checkSignal, checkTimerDuration, TimeoutError } from "./errors.ts";

/**
 * Settles with `work` unless `ms` elapses first (TimeoutError) or `signal` aborts (AbortError). When `work` is a
 * function it receives a signal that aborts on timeout or outer abort, so the work itself can stop.
 * The timer and listeners are always cleaned up.
 */
export function withTimeout<T>(
  work: Promise<T> | ((signal: AbortSignal) => Promise<T>),
  ms: number,
  options: { signal?: AbortSignal; message?: string } = {},
): Promise<T> {
  if (typeof work !== "function" && typeof (work as { then?: unknown } | null | undefined)?.then !== "function") {
    throw new TypeError("work must be a promise or a function returning one.");
  }
  checkTimerDuration(ms, "ms");
  checkSignal(options.signal);
  const outer = options.signal ?? undefined;
  if (outer?.aborted) {
    // the work lost before it started: its outcome is still observed, so its failure is never an unhandled rejection
    // (a work function, never called, resolves as itself: nothing to observe)
    Promise.resolve(work).catch(() => {});
    return Promise.reject(abortReason(outer));
  }
  const inner = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
      settle();
    };
    const onAbort = () => {
      const reason = abortReason(outer as AbortSignal);
      inner.abort(reason);
      finish(() => reject(reason));
    };
    const timer = setTimeout(() => {
      const error = new TimeoutError(ms, options.message);
      inner.abort(error);
      finish(() => reject(error));
    }, ms);
    outer?.addEventListener("abort", onAbort, { once: true });
    let promise: Promise<T>;
    try {
      // what a work function returns is taken as Promise.resolve takes it, so a plain value cannot leave the timer
      promise = typeof work === "function" ? Promise.resolve(work(inner.signal)) : work;
    } catch (error) {
      finish(() => reject(error));
      return;
    }
    promise.then(
      (value) => finish(() => resolve(value)),
      (error) => finish(() => reject(error)),
    );
  });
}
