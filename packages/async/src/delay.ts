// delay: an abortable timer promise that leaves no timer or listener behind. The `./delay` entry point also offers
// withTimeout (timeout.ts), the other abortable timer, so that a client waiting on either loads one file.
import { TimeoutError } from "./errors.ts";
import { withTimeout } from "./timeout.ts";

export { withTimeout };

/**
 * Resolves after `ms` milliseconds. Aborting `signal` rejects at once with an AbortError and clears the timer and the
 * abort listener, so nothing is left behind.
 */
export function delay(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
  // a time limit on work that never settles: the limit is the end of the delay
  return withTimeout(new Promise<void>(() => {}), ms, options).catch((error: unknown) => {
    if (!(error instanceof TimeoutError)) throw error;
  });
}
