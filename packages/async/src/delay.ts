// delay: an abortable timer promise that leaves no timer or listener behind. The `./delay` entry point also offers
// withTimeout (timeout.ts), the other abortable timer, so that a client waiting on either loads one file.
import { abortReason, checkTimerDuration } from "./errors.ts";

export { withTimeout } from "./timeout.ts";

/**
 * Resolves after `ms` milliseconds. Aborting `signal` rejects at once with an AbortError and clears the timer and the
 * abort listener, so nothing is left behind.
 */
export function delay(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
  checkTimerDuration(ms, "ms");
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
