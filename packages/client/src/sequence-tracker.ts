// Reliable-protocol receive state: the largest sequenceId seen, duplicate detection, the plausibility of an id, and when
// to send the cumulative `sequenceAck` (on a short timer, or at once when many messages are unacknowledged).

/**
 * The largest step forward between two sequence ids of one session. The service numbers a session's messages 1, 2, 3...
 * and only skips the ones that expired (messageTtlSeconds) while unacknowledged, and it keeps at most 1000 of those, so
 * a legitimate jump is far smaller; a larger one (a broken or hostile peer) would make every later message look like a
 * duplicate.
 */
export const MAX_SEQUENCE_GAP = 10_000;

export class SequenceTracker {
  /** Largest sequenceId received in this session (0 = none). */
  lastSequenceId = 0;
  /** Largest sequenceId acknowledged to the service. */
  ackedSequenceId = 0;
  readonly threshold: number;

  constructor(threshold = 100) {
    this.threshold = threshold;
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

  /** Returns the id to acknowledge and records it as acknowledged. */
  takeAck(): number {
    this.ackedSequenceId = this.lastSequenceId;
    return this.lastSequenceId;
  }

  /** After a duplicate the service evidently missed our ack: send it again. */
  forceResend(): void {
    this.ackedSequenceId = -1;
  }

  /** A new connection starts a new sequence. */
  reset(): void {
    this.lastSequenceId = 0;
    this.ackedSequenceId = 0;
  }
}
