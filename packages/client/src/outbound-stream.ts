// One group stream this client publishes: sequence ids, the buffer of fragments the service has not acknowledged
// (with backpressure), rewinds on streamNack, keepalives, pause and resume around a recovery, and the end.
import { Deferred } from "@webpubsub/async/deferred";
import { abortReason } from "@webpubsub/async/errors";
import type { JsonOnlyUpstreamMessage, MessagePayload, StreamEndError } from "@webpubsub/core";
import { shown } from "@webpubsub/core/client-wire";
import { congested, DrainWaiter, drainedEnough } from "./drain-waiter.ts";
import { GroupStreamError } from "./errors.ts";
import type { StreamDataError } from "./group-stream-types.ts";
import { encodedBytes, encodeNow } from "./json-only.ts";
import { copied } from "./payload.ts";

/** Writes wait while this many fragments are unacknowledged (spec 3.6.6: back-pressure on the per-stream buffer). */
export const MAX_UNACKED_FRAGMENTS = 256;
/**
 * Writes also wait while the unacknowledged fragments and the next one would hold more than this many bytes of encoded
 * frames, counted in UTF-8 as the socket writes them (text outside ASCII takes 2 to 4 bytes a character). 4 MiB keeps
 * four of the service's largest messages (1 MiB) in flight, enough for a stream's throughput (4 MiB a round trip is
 * 320 Mbit/s at 100 ms), where the fragment count alone let 256 fragments of any size pile up. A larger fragment goes
 * in alone, into an empty buffer.
 */
export const MAX_UNACKED_BYTES = 4 * 1024 * 1024;
/** The service's idle timeout when the stream start names none (client-spec 3.6.1). */
export const SERVICE_IDLE_TIMEOUT_MS = 300_000;

/** What a stream needs from the client. */
export interface StreamLink {
  /** Writes now; false when the client cannot write (not Connected). */
  write(message: JsonOnlyUpstreamMessage): boolean;
  /** Unsent bytes the client's socket buffers (0 without one). */
  bufferedAmount(): number;
  /** The stream is over: forget it. */
  closed(streamId: string): void;
  /** Reports an error thrown by an onError listener. */
  listenerError(error: unknown): void;
}

interface Fragment {
  readonly sequenceId: number;
  readonly frame: JsonOnlyUpstreamMessage;
  /** The encoded frame's UTF-8 bytes, counted against MAX_UNACKED_BYTES. */
  readonly size: number;
}

/** A write waiting for room in the buffer. */
interface WaitingWrite {
  readonly payload: MessagePayload;
  /** Encoded once it is the first waiting write (with the next sequence id, which nothing else can take meanwhile). */
  fragment?: Fragment;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

type State = "starting" | "open" | "ending" | "closed";

export class OutboundStream {
  readonly streamId: string;
  readonly #link: StreamLink;
  readonly #start: JsonOnlyUpstreamMessage;
  readonly #keepAliveEveryMs: number;
  #state: State = "starting";
  #startWritten = false;
  readonly #started = new Deferred<void>();
  readonly #ended = new Deferred<void>();
  /** Unacknowledged fragments, ascending, and the sum of their sizes (bytes). */
  #buffer: Fragment[] = [];
  #bufferedBytes = 0;
  #nextSequenceId = 1;
  /** The highest sequence id written on the current socket. */
  #sentUpTo = 0;
  #paused = false;
  #endFrame: JsonOnlyUpstreamMessage | undefined;
  #endWritten = false;
  /** The end was written before a recovery: the service may have closed the stream already. */
  #endMaybeDelivered = false;
  /** The id the last streamNack rewound the stream to, and how many more nacks for it are still on their way. */
  #rewoundTo = 0;
  #staleNacks = 0;
  /** Writes waiting for room in the buffer, in call order (they take their sequence ids in that order); the end goes
   * out after them. */
  readonly #waiting: WaitingWrite[] = [];
  readonly #errorListeners = new Set<(error: StreamDataError) => void>();
  #lastWriteAt = 0;
  #keepAliveTimer: ReturnType<typeof setTimeout> | undefined;
  /** Fragments and the end wait here while the socket is congested (see #flush): one wait, whatever arrives
   * meanwhile; released when the stream closes, so that its poll timer never outlives it. */
  readonly #drain = new DrainWaiter(() => drainedEnough(this.#link.bufferedAmount()), 0);
  #draining = false;

  constructor(link: StreamLink, group: string, streamId: string, noEcho: boolean, idleTimeoutInMs: number | undefined) {
    this.streamId = streamId;
    this.#link = link;
    const stream = idleTimeoutInMs === undefined ? { streamId } : { streamId, idleTimeoutMs: idleTimeoutInMs };
    this.#start = noEcho ? { type: "sendToGroup", group, noEcho, stream } : { type: "sendToGroup", group, stream };
    // Keepalives go out when nothing was written for a third of the idle timeout, so the longest silence the service
    // sees is under two thirds of it.
    this.#keepAliveEveryMs = Math.max(1, Math.floor((idleTimeoutInMs ?? SERVICE_IDLE_TIMEOUT_MS) / 3));
    // Nobody may be waiting on these when the stream fails: do not report them as unhandled.
    this.#started.promise.catch(() => {});
    this.#ended.promise.catch(() => {});
  }

  /** Writes the stream start (now, or when the client is next Connected); resolves on the service's streamAck 1. */
  begin(): Promise<void> {
    this.#writeStart();
    return this.#started.promise;
  }

  #writeStart(): void {
    if (this.#state === "starting" && !this.#startWritten) this.#startWritten = this.#link.write(this.#start);
  }

  // ---------------------------------------------------------------- the writer's calls

  async write(payload: MessagePayload, signal: AbortSignal | undefined): Promise<void> {
    this.#checkWritable();
    if (signal?.aborted) throw abortReason(signal);
    // Encoded now when no write waits (data that cannot be encoded throws before it takes a sequence id); else the
    // write waits behind the others with the data as it is now (a copy: the caller may reuse its buffer or object).
    const fragment = this.#waiting.length === 0 ? this.#encode(payload) : undefined;
    if (fragment && this.#fits(fragment)) {
      this.#take(fragment);
      this.#flush();
      return;
    }
    const copy = fragment ? payload : ({ ...payload, data: copied(payload.data) } as MessagePayload);
    // A write called before end() still goes in before the end.
    await new Promise<void>((resolve, reject) => {
      const waiter: WaitingWrite = {
        payload: copy,
        fragment,
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
          reject(abortReason(signal as AbortSignal));
          this.#admit(); // the next write may fit where this one did not, and the end may have waited for this one only
        },
      };
      this.#waiting.push(waiter);
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
    });
  }

  /** The next fragment, encoded now: later changes to the caller's data do not change what is sent. */
  #encode(payload: MessagePayload): Fragment {
    const sequenceId = this.#nextSequenceId;
    const frame = encodeNow({ type: "streamData", streamId: this.streamId, streamSequenceId: sequenceId, ...payload });
    return { sequenceId, frame, size: encodedBytes(frame) };
  }

  /** Whether `fragment` may enter the buffer now: within both bounds, or alone. */
  #fits(fragment: Fragment): boolean {
    const count = this.#buffer.length;
    return count === 0 || (count < MAX_UNACKED_FRAGMENTS && this.#bufferedBytes + fragment.size <= MAX_UNACKED_BYTES);
  }

  #take(fragment: Fragment): void {
    this.#nextSequenceId++;
    this.#buffer.push(fragment);
    this.#bufferedBytes += fragment.size;
  }

  /** Ends the stream (with an application error when given) after every write called before, including writes that
   * still wait for room in the buffer. */
  end(error: StreamEndError | undefined, signal: AbortSignal | undefined): Promise<void> {
    this.#checkWritable();
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    this.#state = "ending";
    this.#endFrame = encodeNow(
      error ? { type: "streamEnd", streamId: this.streamId, error } : { type: "streamEnd", streamId: this.streamId },
    );
    this.#flush();
    return abortable(this.#ended.promise, signal);
  }

  onError(listener: (error: StreamDataError) => void): () => void {
    if (typeof listener !== "function") throw new TypeError("listener must be a function");
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }

  #checkWritable(): void {
    if (this.#state !== "open") throw this.#notWritable();
  }

  #notWritable(): Error {
    return new Error(
      `Stream ${shown(this.streamId)} ${this.#state === "closed" ? "is closed" : "is ending"}: nothing more can be written`,
    );
  }

  /** Moves waiting writes into the buffer, in call order, while they fit (or rejects them once the stream is over);
   * then writes what is new. */
  #admit(): void {
    for (let waiter = this.#waiting[0]; waiter !== undefined; waiter = this.#waiting[0]) {
      if (this.#state === "closed") {
        this.#dequeue(waiter).reject(this.#notWritable());
        continue;
      }
      try {
        waiter.fragment ??= this.#encode(waiter.payload);
      } catch (error) {
        this.#dequeue(waiter).reject(error); // its data cannot be encoded: it takes no sequence id
        continue;
      }
      if (!this.#fits(waiter.fragment)) break;
      this.#take(waiter.fragment);
      this.#dequeue(waiter).resolve();
    }
    this.#flush();
  }

  /** Takes the first waiting write off the queue, and its abort listener off its signal. */
  #dequeue(waiter: WaitingWrite): WaitingWrite {
    this.#waiting.shift();
    waiter.signal?.removeEventListener("abort", waiter.onAbort);
    return waiter;
  }

  /**
   * Writes what the socket has not seen yet, in order, then the end once every fragment is out. Nothing while the
   * socket is congested, as sends wait (see drain-waiter.ts): it goes on once the socket drained, so that rewinds (each
   * streamNack writes every unacknowledged fragment again) cannot grow its send buffer without bound.
   */
  #flush(): void {
    if (this.#paused || this.#state === "starting" || this.#state === "closed") return;
    if (this.#draining) return;
    if (congested(this.#link.bufferedAmount())) {
      this.#draining = true;
      void this.#drain
        .wait(undefined, () => undefined)
        .then(() => {
          this.#draining = false;
          this.#flush();
        });
      return;
    }
    for (const fragment of this.#buffer) {
      if (fragment.sequenceId <= this.#sentUpTo) continue;
      if (!this.#link.write(fragment.frame)) return;
      this.#sentUpTo = fragment.sequenceId;
      this.#lastWriteAt = Date.now();
    }
    if (
      this.#endFrame &&
      !this.#endWritten &&
      this.#waiting.length === 0 &&
      this.#sentUpTo === this.#nextSequenceId - 1
    ) {
      this.#endWritten = this.#link.write(this.#endFrame);
    }
  }

  // ---------------------------------------------------------------- the service's answers

  ack(expectedSequenceId: number): void {
    if (this.#state === "closed") return;
    if (this.#state === "starting") {
      if (expectedSequenceId !== 1) {
        this.#violation("unexpected start ack");
        return;
      }
      this.#state = "open";
      this.#lastWriteAt = Date.now();
      this.#scheduleKeepAlive();
      this.#started.resolve();
      return;
    }
    // (An ack leaves the count of stale nacks alone: they name the rewound id, which #accept refuses once acked.)
    if (!this.#accept(expectedSequenceId)) return;
    this.#admit();
  }

  nack(expectedSequenceId: number): void {
    if (this.#state === "closed" || this.#state === "starting") return;
    if (!this.#accept(expectedSequenceId)) return;
    // The service nacks every fragment that arrived past the gap: after the first of those nacks rewound the stream,
    // the others (for fragments written before the rewind) name the same id and must not rewind it again and again.
    if (this.#staleNacks > 0 && expectedSequenceId === this.#rewoundTo) {
      this.#staleNacks--;
      return;
    }
    this.#rewoundTo = expectedSequenceId;
    // one per fragment written after the gap, less this one
    this.#staleNacks = Math.max(0, this.#sentUpTo - expectedSequenceId - 1);
    // Send again from the fragment the service expects.
    this.#sentUpTo = Math.min(this.#sentUpTo, expectedSequenceId - 1);
    this.#admit();
  }

  /** Drops the fragments the service accepted (ids below `expected`); fails the stream when `expected` is outside
   * what this stream buffered (spec 3.6.6: the two sides no longer agree). */
  #accept(expected: number): boolean {
    const oldest = this.#buffer[0]?.sequenceId ?? this.#nextSequenceId;
    if (expected > this.#nextSequenceId || expected < oldest) {
      this.#violation(
        `the service expects fragment ${expected}, outside the buffered ${oldest}..${this.#nextSequenceId - 1}`,
      );
      return false;
    }
    let drop = 0;
    while (drop < this.#buffer.length && (this.#buffer[drop] as Fragment).sequenceId < expected) drop++;
    if (drop > 0) {
      for (const fragment of this.#buffer.slice(0, drop)) this.#bufferedBytes -= fragment.size;
      this.#buffer = this.#buffer.slice(drop);
    }
    return true;
  }

  /** The two sides no longer agree on the stream: end it at the service too (its subscribers hear the end now rather
   * than after the idle timeout), then fail it here. */
  #violation(message: string): void {
    this.#link.write({
      type: "streamEnd",
      streamId: this.streamId,
      error: { message, userErrorCode: "ProtocolViolation" },
    });
    this.fail({ name: "InvalidSequenceId", message });
  }

  closed(error: { name: string; message?: string } | undefined): void {
    // (a stream given up, already closed, goes to fail() below, which frees its id)
    const endedHere = this.#state === "ending" && this.#endWritten;
    if (error === undefined || (endedHere && this.#endMaybeDelivered && error.name === "StreamNotFound")) {
      // A normal close (or a repeated end after a recovery, whose first copy had closed the stream).
      if (this.#state === "ending") {
        this.#finish();
        this.#ended.resolve();
        return;
      }
      this.fail({ name: "StreamClosed", message: "the service closed the stream" });
      return;
    }
    this.fail(error);
  }

  // ---------------------------------------------------------------- the connection

  /** A connection is up (new session): write the start if it is still waiting for one. A stream the service accepted
   * belongs to an older session (a recovered socket that announced a new session): it cannot go on. */
  connectionUp(): void {
    if (this.#state !== "starting") {
      this.fail({ name: "ConnectionLost", message: "the session carrying the stream was replaced by a new one" });
      return;
    }
    this.#writeStart();
  }

  pause(): void {
    if (this.#state === "starting" && this.#startWritten) {
      this.fail({ name: "ConnectionLost", message: "the connection dropped before the stream was accepted" });
      return;
    }
    this.#paused = true;
    this.#clearKeepAlive();
  }

  /** The session was resumed: everything unacknowledged goes out again, in order (the service drops duplicates). */
  resume(): void {
    if (this.#state === "closed") return;
    this.#paused = false;
    if (this.#state === "starting") {
      this.#writeStart();
      return;
    }
    this.#sentUpTo = (this.#buffer[0]?.sequenceId ?? this.#nextSequenceId) - 1;
    this.#staleNacks = 0; // the old socket's answers never come
    if (this.#endWritten) this.#endMaybeDelivered = true;
    this.#endWritten = false;
    this.#lastWriteAt = Date.now();
    this.#scheduleKeepAlive();
    this.#flush();
  }

  /**
   * The opener stopped waiting for the start's ack (its abortSignal): the open rejects with `reason`. A start already
   * written is ended at the service, and the id stays taken until the service's answer (streamClosed) or the end of
   * the session, so that the answers to this stream never reach a new one with the same id.
   */
  giveUp(reason: unknown): void {
    if (this.#state !== "starting") return;
    this.#state = "closed";
    this.#started.reject(reason);
    if (!(this.#startWritten && this.#link.write({ type: "streamEnd", streamId: this.streamId }))) {
      this.#link.closed(this.streamId);
    }
  }

  /** Ends the stream with an error: pending calls reject with it and onError listeners hear it. */
  fail(error: { name: string; message?: string; userErrorCode?: string }): void {
    if (this.#state === "closed") {
      this.#link.closed(this.streamId); // a stream given up: its session ended (see giveUp)
      return;
    }
    const failure = new GroupStreamError(this.streamId, error);
    this.#finish();
    this.#started.reject(failure);
    this.#ended.reject(failure);
    for (const listener of [...this.#errorListeners]) {
      try {
        listener(failure);
      } catch (thrown) {
        this.#link.listenerError(thrown);
      }
    }
  }

  #finish(): void {
    this.#state = "closed";
    this.#buffer = [];
    this.#bufferedBytes = 0;
    this.#clearKeepAlive();
    this.#drain.release();
    this.#admit(); // rejects the waiting writes
    this.#link.closed(this.streamId);
  }

  // ---------------------------------------------------------------- keepalive

  #scheduleKeepAlive(): void {
    this.#clearKeepAlive();
    this.#keepAliveTimer = setTimeout(() => this.#keepAlive(), this.#keepAliveEveryMs);
  }

  #clearKeepAlive(): void {
    if (this.#keepAliveTimer !== undefined) clearTimeout(this.#keepAliveTimer);
    this.#keepAliveTimer = undefined;
  }

  #keepAlive(): void {
    this.#keepAliveTimer = undefined;
    if (this.#state === "closed" || this.#paused) return;
    if (Date.now() - this.#lastWriteAt >= this.#keepAliveEveryMs) {
      if (this.#link.write({ type: "streamData", streamId: this.streamId })) this.#lastWriteAt = Date.now();
    }
    this.#scheduleKeepAlive();
  }
}

/** `promise`, or an AbortError as soon as `signal` fires (the work goes on). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
