// Reliable-protocol receive state: the largest sequenceId seen, duplicate detection, the plausibility of an id, and when
// to send the cumulative `sequenceAck` (on a short timer, or at once when many messages are unacknowledged).

/**
 * The largest step forward between two sequence ids of one session. The service numbers a session's messages 1, 2, 3...
 * and only skips the ones that expired (messageTtlSeconds) while unacknowledged, and it keeps at most 1000 of those, so
 * a legitimate jump is far smaller; a larger one (a broken or hostile peer) would make every later message look like a
 * duplicate.
 */
export const MAX_SEQUENCE_GAP = 10_000;

/** How long the first unacknowledged message waits for the cumulative `sequenceAck` (unless over the threshold). */
export const SEQUENCE_ACK_DELAY_MS = 500;

export class SequenceTracker {
  /** Largest sequenceId received in this session (0 = none). */
  lastSequenceId = 0;
  /** Largest sequenceId acknowledged to the service. */
  ackedSequenceId = 0;
  declare readonly threshold: number;
  readonly #send: (sequenceId: number) => boolean;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `send` writes a `sequenceAck` with this id and returns true, or returns false when it cannot now. */
  constructor(threshold = 100, send: (sequenceId: number) => boolean = () => false) {
    this.threshold = threshold;
    this.#send = send;
  }

  /** Whether `sequenceId` can belong to this session: a safe integer >= 0, at most MAX_SEQUENCE_GAP past the last id. */
  plausible(sequenceId: number): boolean {
    return Number.isSafeInteger(sequenceId) && sequenceId >= 0 && sequenceId - this.lastSequenceId <= MAX_SEQUENCE_GAP;
  }

  /** Records a received id. Returns false for a duplicate (already seen), which must be dropped. */
  receive(sequenceId: number): boolean {
    if (sequenceId <= this.lastSequenceId) return false;
    this.lastSequenceId = sequenceId;
    return true;
  }

  /** Something received is not acknowledged yet. */
  get dirty(): boolean {
    return this.lastSequenceId !== this.ackedSequenceId;
  }

  /** Enough is unacknowledged to ack right away rather than waiting for the timer. */
  get overThreshold(): boolean {
    return this.lastSequenceId - this.ackedSequenceId >= this.threshold;
  }

  /** After a duplicate the service evidently missed our ack: send it again. */
  forceResend(): void {
    this.ackedSequenceId = -1;
  }

  /** A message was received: ack at once when over the threshold, else within SEQUENCE_ACK_DELAY_MS. */
  scheduleAck(): void {
    if (this.overThreshold) {
      this.flushAck();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.flushAck();
    }, SEQUENCE_ACK_DELAY_MS);
  }

  /** Sends the cumulative ack now if something is unacknowledged and it can be sent. */
  flushAck(): void {
    if (!this.dirty || !this.#send(this.lastSequenceId)) return;
    this.cancelAck();
    this.ackedSequenceId = this.lastSequenceId;
  }

  /** Clears the ack timer (the connection is gone). */
  cancelAck(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** A new connection starts a new sequence. */
  reset(): void {
    this.lastSequenceId = 0;
    this.ackedSequenceId = 0;
  }
}
