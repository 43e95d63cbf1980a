// Waiting for a WebSocket's send buffer to drain, and when a write must wait (sends and group streams alike).
//
// Neither the browsers' WebSocket nor Node's (undici) has a drain event: `bufferedAmount` is the only signal, so the
// wait has to poll. It is kept cheap and bounded: one timer serves every waiting send, its period backs off from
// DRAIN_POLL_MIN_MS to DRAIN_POLL_MAX_MS while the buffer stays full, and each wait ends on drain, on release() (the
// connection changed or the client stopped), on the caller's abort, or after `maxWaitInMs`.

import { SendMessageError } from "./errors.ts";

export const DRAIN_POLL_MIN_MS = 5;
export const DRAIN_POLL_MAX_MS = 100;

interface Waiter {
  readonly deadline: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

export class DrainWaiter {
  readonly #drained: () => boolean;
  readonly #maxWaitInMs: number;
  readonly #waiters = new Set<Waiter>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #period = DRAIN_POLL_MIN_MS;

  /** `drained()` tells whether waiting sends may go on; a wait fails after `maxWaitInMs` (0: no limit). */
  constructor(drained: () => boolean, maxWaitInMs: number) {
    this.#drained = drained;
    this.#maxWaitInMs = maxWaitInMs;
  }

  /**
   * Resolves once drained, never before a wait begun earlier; rejects with the abort reason or a retryable
   * SendMessageError after `maxWaitInMs`.
   */
  wait(signal: AbortSignal | undefined, abortReason: (signal: AbortSignal) => unknown): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#drained()) {
      this.release(); // waits end in the order they began: those still waiting for the next poll go first
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        deadline: this.#maxWaitInMs > 0 ? Date.now() + this.#maxWaitInMs : Infinity,
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.#remove(waiter);
          reject(abortReason(signal as AbortSignal));
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.#waiters.add(waiter);
      if (this.#timer === undefined) {
        this.#period = DRAIN_POLL_MIN_MS;
        this.#schedule();
      }
    });
  }

  /** Lets every waiting send go on at once (they re-check the client's state themselves) and stops polling. */
  release(): void {
    for (const waiter of [...this.#waiters]) {
      this.#remove(waiter);
      waiter.resolve();
    }
  }

  #remove(waiter: Waiter): void {
    this.#waiters.delete(waiter);
    waiter.signal?.removeEventListener("abort", waiter.onAbort);
    if (this.#waiters.size === 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #schedule(): void {
    this.#timer = setTimeout(() => this.#poll(), this.#period);
  }

  #poll(): void {
    this.#timer = undefined;
    if (this.#drained()) {
      this.release();
      return;
    }
    const now = Date.now();
    for (const waiter of [...this.#waiters]) {
      if (now < waiter.deadline) continue;
      this.#remove(waiter);
      waiter.reject(
        new SendMessageError(`The connection's send buffer did not drain within ${this.#maxWaitInMs} ms`, {
          retryable: true,
        }),
      );
    }
    if (this.#waiters.size === 0) return;
    this.#period = Math.min(this.#period * 2, DRAIN_POLL_MAX_MS);
    this.#schedule();
  }
}

/** Writes wait while the socket buffers more than this many unsent bytes, until it drained to half of it. */
export const SEND_HIGH_WATER_BYTES = 1024 * 1024;

/** Whether a write must wait for the socket's send buffer to drain (it holds `buffered` unsent bytes). */
export function congested(buffered: number): boolean {
  return buffered > SEND_HIGH_WATER_BYTES;
}

/** Whether a wait for the drain is over. */
export function drainedEnough(buffered: number): boolean {
  return buffered <= SEND_HIGH_WATER_BYTES / 2;
}
