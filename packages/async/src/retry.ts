// retry and backoffDelay: calls a function until it succeeds, with exponential or fixed backoff, jitter and abort.
import { shownValue } from "@webpubsub/core/shown";
import { delay } from "./delay.ts";
import { AbortError, abortReason, checkSignal, checkTimerDuration, throwIfAborted } from "./errors.ts";

export interface RetryOptions {
  /** Retries after the first attempt (so `maxRetries: 3` means at most 4 attempts). Default 3. */
  maxRetries?: number;
  /** `exponential` (default) doubles the delay each retry; `fixed` waits `retryDelayInMs` every time. */
  mode?: "exponential" | "fixed";
  /** Base delay. Default 1000 ms. */
  retryDelayInMs?: number;
  /** Upper bound of any single delay. Default 30000 ms. */
  maxRetryDelayInMs?: number;
  /** Randomize each delay within [50%, 100%] of its computed value, so clients do not retry in lockstep. Default true. */
  jitter?: boolean;
  /** Whether an error is worth retrying. Default: every error except an AbortError. */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Aborting stops both the current wait and further attempts. */
  signal?: AbortSignal;
  /** Called before each wait, with the error, the attempt that failed (1-based) and the delay chosen. */
  onRetry?: (error: unknown, attempt: number, delayInMs: number) => void;
  /** Source of randomness for jitter, in [0, 1). Default Math.random. */
  random?: () => number;
}

function validate(options: RetryOptions): void {
  const { maxRetries, retryDelayInMs, maxRetryDelayInMs, mode } = options;
  if (maxRetries !== undefined && (!Number.isInteger(maxRetries) || maxRetries < 0)) {
    throw new RangeError(`maxRetries must be an integer >= 0, got ${shownValue(maxRetries)}.`);
  }
  if (retryDelayInMs !== undefined) checkTimerDuration(retryDelayInMs, "retryDelayInMs");
  if (maxRetryDelayInMs !== undefined) checkTimerDuration(maxRetryDelayInMs, "maxRetryDelayInMs");
  if (mode !== undefined && mode !== "exponential" && mode !== "fixed") {
    throw new TypeError(`mode must be "exponential" or "fixed", got ${shownValue(mode)}.`);
  }
  for (const name of ["shouldRetry", "onRetry", "random"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function") {
      throw new TypeError(`${name} must be a function when given.`);
    }
  }
}

/** The delay before retry number `attempt` (1-based), with the same rules `retry` uses. */
export function backoffDelay(attempt: number, options: RetryOptions = {}): number {
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new RangeError(`attempt must be an integer >= 1, got ${shownValue(attempt)}.`);
  validate(options);
  const base = options.retryDelayInMs ?? 1000;
  const cap = options.maxRetryDelayInMs ?? 30_000;
  const raw = options.mode === "fixed" ? base : base * 2 ** Math.min(attempt - 1, 52);
  const capped = Math.min(raw, cap);
  if (options.jitter === false) return capped;
  const r: unknown = (options.random ?? Math.random)();
  // a value outside [0, 1] would take the delay past its cap, or make it NaN
  if (typeof r !== "number" || !(r >= 0 && r <= 1)) {
    throw new RangeError(`random must return a number from 0 to 1, got ${shownValue(r)}.`);
  }
  return Math.round(capped * (0.5 + r / 2));
}

/**
 * Calls `fn` until it resolves, an error is not retryable, or the retries are used up; the last error is rethrown.
 * `fn` receives the 1-based attempt number and a signal that aborts when `options.signal` does. Aborting settles the
 * retry at once with an AbortError, even in the middle of an attempt (an attempt that ignores its signal finishes in
 * the background and its outcome is dropped).
 */
export async function retry<T>(
  fn: (attempt: number, signal: AbortSignal | undefined) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  if (typeof fn !== "function") throw new TypeError("fn must be a function.");
  validate(options);
  checkSignal(options.signal);
  const maxRetries = options.maxRetries ?? 3;
  const shouldRetry = options.shouldRetry ?? ((e: unknown) => !(e instanceof AbortError));
  const { signal } = options;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal);
    try {
      // what fn returns is taken as Promise.resolve (and `await`) takes it, with a signal as without one
      return await (signal ? raceAbort(Promise.resolve(fn(attempt, signal)), signal) : fn(attempt, undefined));
    } catch (error) {
      if (attempt > maxRetries || options.signal?.aborted || !shouldRetry(error, attempt)) throw error;
      const wait = backoffDelay(attempt, options);
      options.onRetry?.(error, attempt, wait);
      await delay(wait, { signal: options.signal });
    }
  }
}

/**
 * Settles with `work`, or rejects with an AbortError as soon as `signal` aborts; the listener is always removed, and
 * the outcome of a work that lost the race is observed (never an unhandled rejection).
 */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
}
