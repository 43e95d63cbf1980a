// Acked operations (joinGroup, leaveGroup, sendToGroup, sendEvent) and fire-and-forget sends: ackIds, the retry loop
// that reuses one ackId, the wait for the ack, and backpressure (waiting for the socket's send buffer to drain). The
// client tells it where to write; it owns the rest.
import { delay, withTimeout } from "@webpubsub/async/delay";
import { abortReason, TimeoutError, throwIfAborted } from "@webpubsub/async/errors";
import { backoffDelay } from "@webpubsub/async/retry";
import type { AckMessage, UpstreamMessage } from "@webpubsub/core";
import { AckManager, type WebPubSubResult } from "./ack-manager.ts";
import { congested, DrainWaiter, drainedEnough } from "./drain-waiter.ts";
import { isRetryableSendError, SendMessageError } from "./errors.ts";
import { backoffShape, type ResolvedRetryOptions } from "./options.ts";
import { sendFrame, type WebSocketLike } from "./socket.ts";
import type { SendOptions, WebPubSubClientState } from "./types.ts";

/** The client, as operations see it. */
export interface OperationsOwner {
  state(): WebPubSubClientState;
  /** The socket to write on: the current connection's, when the client is Connected and the socket open. */
  writableSocket(): WebSocketLike | undefined;
  /** Unsent bytes buffered by the current socket (0 without one). */
  bufferedAmount(): number;
}

export interface OperationsSettings {
  /** How long one attempt waits for its ack (and a send for the buffer to drain). */
  readonly ackTimeoutInMs: number;
  readonly retry: ResolvedRetryOptions;
  readonly encode: (message: UpstreamMessage) => string | Uint8Array;
  /** While the protocol loads its codec (a first connection): true once encode can be called, false if it never will. */
  readonly loading: () => Promise<boolean> | undefined;
}

export class Operations {
  readonly #settings: OperationsSettings;
  readonly #owner: OperationsOwner;
  readonly #acks: AckManager;
  readonly #drain: DrainWaiter;
  #nextAckId = 1;
  /** Sends between the start of their wait for the drain and their write (see run). */
  #drainWaits = 0;
  /** Aborted (then replaced) when the client stops: ends every wait between retries at once. */
  #stopWaits = new AbortController();

  constructor(settings: OperationsSettings, owner: OperationsOwner) {
    this.#settings = settings;
    this.#owner = owner;
    this.#acks = new AckManager(settings.ackTimeoutInMs);
    // A send waits for the drain at most as long as it would wait for its ack.
    this.#drain = new DrainWaiter(
      () => this.#stoppedOrStopping() || drainedEnough(owner.bufferedAmount()),
      settings.ackTimeoutInMs,
    );
  }

  /**
   * Runs one acked (or fire-and-forget) operation with retries that reuse its ackId. Operations issued while the
   * client connects or recovers wait for the connection (within the ack timeout) instead of failing. `applied` runs
   * when the service's successful ack is handled, in order with the messages around it (the promise settles later).
   */
  async run(
    message: UpstreamMessage & { ackId?: number },
    options: SendOptions,
    applied?: () => void,
  ): Promise<WebPubSubResult> {
    if (this.#stoppedOrStopping()) {
      throw new SendMessageError(`The client is ${this.#owner.state()}: call start() first`, { retryable: false });
    }
    const signal = options.abortSignal;
    throwIfAborted(signal);
    const { encode, retry, loading, ackTimeoutInMs } = this.#settings;
    const codecLoad = loading();
    if (codecLoad) {
      // Issued while the first connection loads the codec (start() not awaited): encode once it is there, waiting as
      // for a connection, until the ack timeout or the operation's own abort (which rejects with its reason).
      const timedOut = `The protocol's load() did not finish within the ack timeout (${ackTimeoutInMs} ms)`;
      const loaded = await withTimeout(codecLoad, ackTimeoutInMs, { signal }).catch((error: unknown) => {
        throw error instanceof TimeoutError ? new SendMessageError(timedOut, { retryable: false }) : error;
      });
      if (!loaded) {
        throw new SendMessageError("The client did not connect: its protocol's load() failed or start() was aborted", {
          retryable: false,
        });
      }
    }
    const ackId = options.ackId ?? this.#nextAckId;
    if (!options.fireAndForget) {
      // Automatic ids go past every id used (a caller's too), and stop at 2^53 - 1: past it two would be one number.
      if (ackId > Number.MAX_SAFE_INTEGER) {
        throw new SendMessageError(
          "No automatic ackId is left: the ackIds used reached 2^53 - 1; pass options.ackId (an id not used on this connection)",
          { retryable: false },
        );
      }
      this.#nextAckId = Math.max(this.#nextAckId, ackId + 1);
      message.ackId = ackId;
    }
    const frame = encode(message);
    // More unsent bytes than the high-water mark (browsers' send() never pushes back): wait for the socket to drain.
    // Behind sends still waiting too (or released but not yet written), whatever the buffer holds: sends go out in the
    // order they were issued.
    if (this.#drainWaits > 0 || congested(this.#owner.bufferedAmount())) {
      this.#drainWaits++;
      try {
        await this.#drain.wait(signal, abortReason);
      } finally {
        this.#drainWaits--;
      }
    }
    if (options.fireAndForget) {
      const socket = this.#owner.writableSocket();
      if (!socket) throw new SendMessageError("The connection is not connected", { retryable: true });
      sendFrame(socket, frame);
      applied?.(); // nothing acks it: taken as applied once written
      return { isDuplicated: false };
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(ackId, frame, signal, applied);
      } catch (error) {
        if (
          attempt > retry.maxRetries ||
          signal?.aborted ||
          this.#stoppedOrStopping() ||
          !(retry.shouldRetry ?? isRetryableSendError)(error, attempt)
        ) {
          throw error;
        }
        await this.#retryWait(backoffDelay(Math.min(attempt, 60), backoffShape(retry)), signal);
      }
    }
  }

  /** Waits `ms` before a retry; rejects on the caller's abort, ends early when the client stops (the next attempt then
   * fails with the client's state). */
  async #retryWait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const stop = this.#stopWaits.signal;
    try {
      await delay(ms, { signal: signal ? AbortSignal.any([signal, stop]) : stop });
    } catch (error) {
      if (signal?.aborted || !stop.aborted) throw error;
    }
  }

  /** An ack arrived. */
  handleAck(message: AckMessage): void {
    this.#acks.handleAck(message);
  }

  /** A connection is up: writes what waits for its ack but was not written on it yet. */
  flushUnsent(socket: WebSocketLike): void {
    if (!this.#acks.size) return;
    for (const frame of this.#acks.takeUnsent()) sendFrame(socket, frame);
  }

  /** The connection is gone: waiting sends go on (they are queued for the next one), pending frames go out again. */
  connectionLost(): void {
    this.#drain.release();
    this.#acks.markAllUnsent();
  }

  /** Ends every wait for the send buffer and between retries (the client stops). */
  releaseWaits(): void {
    this.#drain.release();
    this.#stopWaits.abort();
    this.#stopWaits = new AbortController();
  }

  /** The client stopped (or its first connection failed, `why` says so): every pending operation fails. */
  rejectAll(why = "The client stopped before the ack arrived"): void {
    this.#acks.rejectAll((ackId) => new SendMessageError(why, { ackId, retryable: false }));
  }

  #stoppedOrStopping(): boolean {
    const state = this.#owner.state();
    return state === "Stopped" || state === "Stopping";
  }

  #attempt(
    ackId: number,
    frame: string | Uint8Array,
    signal: AbortSignal | undefined,
    applied: (() => void) | undefined,
  ): Promise<WebPubSubResult> {
    if (this.#stoppedOrStopping()) {
      return Promise.reject(new SendMessageError("The client stopped", { ackId, retryable: false }));
    }
    const socket = this.#owner.writableSocket();
    const promise = this.#acks.add(ackId, frame, socket !== undefined, applied);
    if (socket) sendFrame(socket, frame);
    if (!signal) return promise;
    const onAbort = () => this.#acks.remove(ackId, abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    return promise.finally(() => signal.removeEventListener("abort", onAbort));
  }
}
