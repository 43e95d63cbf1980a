// How long the client waits before each connection attempt (a recovery or a new connection), and the count of
// short-lived connections that keeps that wait growing while a service accepts connections and closes them at once.
import { delay } from "@webpubsub/async/delay";
import { backoffDelay } from "@webpubsub/async/retry";

/** The backoff shape both kinds of attempt use (a subset of @webpubsub/async's RetryOptions). */
export interface BackoffShape {
  mode: "exponential" | "fixed";
  retryDelayInMs: number;
  maxRetryDelayInMs: number;
  jitter: boolean;
}

/** Recovery attempts of a healthy session start fast: the session is resumed within about a second of the network. */
export const RECOVERY_BACKOFF: BackoffShape = {
  mode: "exponential",
  retryDelayInMs: 100,
  maxRetryDelayInMs: 1000,
  jitter: true,
};

/** Exponents above this change nothing (any cap is reached long before) and keep 2^n finite. */
const MAX_EXPONENT = 60;

/**
 * One client's reconnect backoff. `flaps` counts the connections in a row that closed before staying up for
 * `stableAfterInMs`; it is reset only when a connection that lasted that long closes. Every attempt waits first:
 *
 * - a new connection, attempt `a` (1-based) of a reconnect: `backoff(flaps + a)` with the reconnect options, so the
 *   first attempt after a stable connection waits `retryDelayInMs` (with jitter) and every short-lived connection
 *   doubles the next wait, up to `maxRetryDelayInMs`;
 * - a recovery, attempt `a`: `backoff(a)` with RECOVERY_BACKOFF (100 ms doubling to 1 s) while `flaps` is 0, and at
 *   least the new-connection wait once connections flap, so recoveries cannot loop faster than reconnects.
 *
 * `wait` sleeps, and `wake()` cuts the current sleep short (the browser reported the network back, the page became
 * visible): the attempt happens at once, and the count is kept. If that early attempt fails, the next wait runs in
 * full (wake() does nothing during it): a page flipping its visibility, or a flaky `online`, brings at most every
 * other attempt forward, so hints alone cannot make the client retry back to back.
 */
export class ReconnectBackoff {
  readonly #retry: BackoffShape;
  readonly #stableAfterInMs: number;
  readonly #random: () => number;
  #flaps = 0;
  #upSince: number | undefined;
  #wake: AbortController | undefined;
  /** The last wait was cut short by wake() and no connection came up since: the next wait runs in full. */
  #woken = false;

  constructor(retry: BackoffShape, stableAfterInMs: number, random: () => number = () => Math.random()) {
    this.#retry = retry;
    this.#stableAfterInMs = stableAfterInMs;
    this.#random = random;
  }

  /** Connections in a row that did not stay up for the stable period. */
  get flaps(): number {
    return this.#flaps;
  }

  /** A connection (new or recovered) is up. */
  up(now = Date.now()): void {
    this.#upSince = now;
    this.#woken = false;
  }

  /** The connection that was up is gone: a short-lived one counts as a flap, one that lasted starts the count over. */
  down(now = Date.now()): void {
    if (this.#upSince === undefined) return;
    this.#flaps = now - this.#upSince >= this.#stableAfterInMs ? 0 : this.#flaps + 1;
    this.#upSince = undefined;
  }

  /** Wait before attempt `attempt` (1-based) to open a new connection. */
  reconnectDelay(attempt: number): number {
    return this.#delay(this.#flaps + attempt, this.#retry);
  }

  /** Wait before attempt `attempt` (1-based) to recover the session. */
  recoveryDelay(attempt: number): number {
    const fast = this.#delay(attempt, RECOVERY_BACKOFF);
    return this.#flaps === 0 ? fast : Math.max(fast, this.reconnectDelay(attempt));
  }

  /** Sleeps `ms`; resolves early on wake(); rejects when `signal` aborts (the client stopped). */
  async wait(ms: number, signal: AbortSignal): Promise<void> {
    const wake = new AbortController();
    // right after an early attempt, this wait is not wakeable (see the class's comment)
    this.#wake = this.#woken ? undefined : wake;
    this.#woken = false;
    try {
      await delay(ms, { signal: AbortSignal.any([signal, wake.signal]) });
    } catch (error) {
      if (signal.aborted || !wake.signal.aborted) throw error;
    } finally {
      if (this.#wake === wake) this.#wake = undefined;
    }
  }

  /** Ends the current wait at once. Returns whether it did: false with no wait in progress or one that runs in full. */
  wake(): boolean {
    const wake = this.#wake;
    if (wake === undefined) return false;
    this.#wake = undefined;
    this.#woken = true;
    wake.abort();
    return true;
  }

  /** A new run (start()): no history. */
  reset(): void {
    this.#flaps = 0;
    this.#upSince = undefined;
    this.wake();
    this.#woken = false;
  }

  #delay(n: number, shape: BackoffShape): number {
    return backoffDelay(Math.min(n, MAX_EXPONENT), { ...shape, random: this.#random });
  }
}
