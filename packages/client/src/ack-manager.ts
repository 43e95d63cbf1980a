// Operations waiting for their ack, keyed by ackId: settled by the service's ack, timed out by one shared timer, and
// written again (with the same ackId) after a reconnect.

import type { AckMessage } from "@webpubsub/core";
import { shown } from "@webpubsub/core/client-wire";
import { AckTimeoutError, SendMessageError } from "./errors.ts";

/** What an acked operation resolves with. `isDuplicated`: the service had already processed this ackId. */
export interface WebPubSubResult {
  ackId?: number;
  isDuplicated: boolean;
}

interface PendingAck {
  readonly ackId: number;
  readonly frame: string | Uint8Array;
  readonly deadline: number;
  /** Written on the current connection. */
  sent: boolean;
  /** Runs when the ack says the service applied the operation, as the ack is handled: before any later message. */
  applied: (() => void) | undefined;
  resolve(result: WebPubSubResult): void;
  reject(error: unknown): void;
}

/**
 * Operations waiting for their ack, keyed by ackId. One timer serves all deadlines: entries are kept in insertion
 * order and every attempt gets the same timeout, so the oldest entry always expires first.
 */
export class AckManager {
  readonly #pending = new Map<number, PendingAck>();
  readonly #timeoutInMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = 0;

  constructor(timeoutInMs: number) {
    this.#timeoutInMs = timeoutInMs;
  }

  get size(): number {
    return this.#pending.size;
  }

  /**
   * Registers an attempt. `sent` says whether the frame was written already; unsent frames are written by
   * `unsentFrames()` once connected. The promise settles on the ack, on timeout, or on `remove`/`rejectAll`;
   * `applied` runs synchronously when a successful ack is handled (see PendingAck).
   */
  add(ackId: number, frame: string | Uint8Array, sent: boolean, applied?: () => void): Promise<WebPubSubResult> {
    if (this.#pending.has(ackId)) {
      throw new RangeError(`ackId ${ackId} is already used by an operation waiting for its ack`);
    }
    return new Promise<WebPubSubResult>((resolve, reject) => {
      const deadline = Date.now() + this.#timeoutInMs;
      this.#pending.set(ackId, { ackId, frame, deadline, sent, applied, resolve, reject });
      if (this.#timer === undefined) this.#schedule(deadline);
    });
  }

  /** Settles the operation the ack belongs to. Returns false for acks nobody waits for. */
  handleAck(ack: AckMessage): boolean {
    const entry = this.#pending.get(ack.ackId);
    if (!entry) return false;
    this.#pending.delete(ack.ackId);
    // A `Duplicate` error is a success: the service had already processed this ackId.
    if (ack.success || ack.error?.name === "Duplicate") {
      entry.resolve({ ackId: ack.ackId, isDuplicated: !ack.success }); // first: settled even if `applied` throws
      entry.applied?.();
    } else {
      const detail = { name: ack.error?.name ?? "Unknown", message: ack.error?.message ?? "" };
      entry.reject(
        new SendMessageError(
          `The service rejected ackId ${ack.ackId}: error ${shown(detail.name)}, message ${shown(detail.message)}`,
          {
            ackId: ack.ackId,
            errorDetail: detail,
          },
        ),
      );
    }
    return true;
  }

  /** Rejects one operation (abort). */
  remove(ackId: number, error: unknown): void {
    const entry = this.#pending.get(ackId);
    if (!entry) return;
    this.#pending.delete(ackId);
    entry.reject(error);
  }

  /** The connection dropped: nothing is on the wire any more. */
  markAllUnsent(): void {
    for (const entry of this.#pending.values()) entry.sent = false;
  }

  /** Frames to (re)write on a fresh or recovered connection, in the order they were first sent; marks them sent. */
  *takeUnsent(): Generator<string | Uint8Array> {
    for (const entry of this.#pending.values()) {
      if (!entry.sent) {
        entry.sent = true;
        yield entry.frame;
      }
    }
  }

  rejectAll(makeError: (ackId: number) => unknown): void {
    const entries = [...this.#pending.values()];
    this.#pending.clear();
    this.#clearTimer();
    for (const entry of entries) entry.reject(makeError(entry.ackId));
  }

  #clearTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(at: number): void {
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, at - Date.now()));
    // Never keep a Node process alive just for ack timers.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #expire(): void {
    this.#timer = undefined;
    const now = Date.now();
    for (const entry of this.#pending.values()) {
      if (entry.deadline > now) {
        this.#schedule(Math.max(entry.deadline, this.#timerAt));
        return;
      }
      this.#pending.delete(entry.ackId);
      entry.reject(new AckTimeoutError(entry.ackId, this.#timeoutInMs));
    }
  }
}
