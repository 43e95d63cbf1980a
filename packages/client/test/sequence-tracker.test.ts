// The reliable protocols' receive state on its own: which sequence ids are plausible, which are duplicates, and when
// the cumulative sequenceAck goes out (at once over the threshold, else after SEQUENCE_ACK_DELAY_MS). Fake timers.
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_SEQUENCE_GAP, SEQUENCE_ACK_DELAY_MS, SequenceTracker } from "../src/sequence-tracker.ts";

afterEach(() => {
  vi.useRealTimers();
});

/** A tracker whose acks are recorded; `accept` says whether the connection can take one now. */
function tracked(threshold = 100) {
  const sent: number[] = [];
  const link = { accept: true };
  const tracker = new SequenceTracker(threshold, (id) => {
    if (link.accept) sent.push(id);
    return link.accept;
  });
  return { tracker, sent, link };
}

describe("plausible sequence ids", () => {
  it("are safe integers from 0 up: negatives, fractions, NaN and ids past 2^53 are not", () => {
    const t = new SequenceTracker();
    expect(t.plausible(0)).toBe(true);
    expect(t.plausible(1)).toBe(true);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])
      expect(t.plausible(bad), String(bad)).toBe(false);
  });

  it("lie at most MAX_SEQUENCE_GAP past the last id received, wherever that is", () => {
    expect(MAX_SEQUENCE_GAP).toBe(10_000);
    const t = new SequenceTracker();
    expect(t.plausible(MAX_SEQUENCE_GAP)).toBe(true);
    expect(t.plausible(MAX_SEQUENCE_GAP + 1)).toBe(false);
    t.receive(500);
    expect(t.plausible(500 + MAX_SEQUENCE_GAP)).toBe(true);
    expect(t.plausible(501 + MAX_SEQUENCE_GAP)).toBe(false);
    expect(t.plausible(3)).toBe(true); // an old id is plausible (a duplicate), not a jump
  });
});

describe("duplicates", () => {
  it("an id at or below the largest one received is a duplicate and changes nothing", () => {
    const t = new SequenceTracker();
    expect(t.receive(5)).toBe(true);
    expect(t.receive(5)).toBe(false);
    expect(t.receive(4)).toBe(false);
    expect(t.lastSequenceId).toBe(5);
    expect(t.receive(6)).toBe(true);
    expect(t.lastSequenceId).toBe(6);
  });

  it("reset() starts a new sequence: id 1 is new again and nothing is left to acknowledge", () => {
    const t = new SequenceTracker(100, () => true);
    t.receive(9);
    t.flushAck();
    t.receive(10);
    t.reset();
    expect([t.lastSequenceId, t.ackedSequenceId, t.dirty]).toEqual([0, 0, false]);
    expect(t.receive(1)).toBe(true);
  });
});

describe("the cumulative sequenceAck", () => {
  it("the threshold counts unacknowledged messages: one under it waits, reaching it acks", () => {
    const sent: number[] = [];
    const t = new SequenceTracker(3, (id) => sent.push(id) > 0);
    t.receive(2);
    expect(t.overThreshold).toBe(false);
    t.receive(3);
    expect(t.overThreshold).toBe(true);
    t.flushAck();
    expect(sent).toEqual([3]);
    expect([t.ackedSequenceId, t.dirty, t.overThreshold]).toEqual([3, false, false]);
    t.receive(5);
    expect(t.overThreshold).toBe(false); // 2 since the last ack
    t.receive(6);
    expect(t.overThreshold).toBe(true);
  });

  it("the default threshold is 100 messages", () => {
    const t = new SequenceTracker();
    expect(t.threshold).toBe(100);
    t.receive(99);
    expect(t.overThreshold).toBe(false);
    t.receive(100);
    expect(t.overThreshold).toBe(true);
  });

  it("under the threshold the ack goes out SEQUENCE_ACK_DELAY_MS after the first unacknowledged message, not later", async () => {
    vi.useFakeTimers();
    expect(SEQUENCE_ACK_DELAY_MS).toBe(500);
    const { tracker, sent } = tracked();
    tracker.receive(1);
    tracker.scheduleAck();
    await vi.advanceTimersByTimeAsync(300);
    tracker.receive(2);
    tracker.scheduleAck(); // does not push the ack back
    await vi.advanceTimersByTimeAsync(199);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([2]);
    expect(tracker.dirty).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    tracker.receive(3);
    tracker.scheduleAck(); // a new timer for the next message
    await vi.advanceTimersByTimeAsync(500);
    expect(sent).toEqual([2, 3]);
  });

  it("reaching the threshold acks at once and drops the pending timer", async () => {
    vi.useFakeTimers();
    const { tracker, sent } = tracked(2);
    tracker.receive(1);
    tracker.scheduleAck();
    expect(sent).toEqual([]);
    tracker.receive(2);
    tracker.scheduleAck();
    expect(sent).toEqual([2]);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toEqual([2]);
  });

  it("nothing is sent when everything is acknowledged", async () => {
    vi.useFakeTimers();
    const { tracker, sent } = tracked();
    tracker.flushAck();
    tracker.receive(1);
    tracker.flushAck();
    tracker.flushAck();
    expect(sent).toEqual([1]);
  });

  it("an ack the connection could not take stays owed: the next flush sends it", () => {
    const { tracker, sent, link } = tracked();
    tracker.receive(4);
    link.accept = false;
    tracker.flushAck();
    expect([tracker.dirty, tracker.ackedSequenceId]).toEqual([true, 0]);
    link.accept = true;
    tracker.flushAck();
    expect(sent).toEqual([4]);
    expect(tracker.dirty).toBe(false);
  });

  it("a failed flush keeps the pending timer, which sends the ack later", async () => {
    vi.useFakeTimers();
    const { tracker, sent, link } = tracked();
    tracker.receive(1);
    tracker.scheduleAck();
    link.accept = false;
    tracker.flushAck();
    link.accept = true;
    await vi.advanceTimersByTimeAsync(SEQUENCE_ACK_DELAY_MS);
    expect(sent).toEqual([1]);
  });

  it("forceResend() (a duplicate arrived: our ack was lost) makes the same id owed again", () => {
    for (const id of [1, 7]) {
      const { tracker, sent } = tracked();
      tracker.receive(id);
      tracker.flushAck();
      tracker.forceResend();
      expect(tracker.dirty, String(id)).toBe(true);
      tracker.flushAck();
      expect(sent).toEqual([id, id]);
    }
  });

  it("cancelAck() (the connection is gone) drops the pending ack timer", async () => {
    vi.useFakeTimers();
    const { tracker, sent } = tracked();
    tracker.receive(1);
    tracker.scheduleAck();
    tracker.cancelAck();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toEqual([]);
    tracker.cancelAck(); // nothing pending: harmless
  });

  it("without a sender nothing can be acknowledged", () => {
    const t = new SequenceTracker();
    t.receive(1);
    t.flushAck();
    expect(t.dirty).toBe(true);
  });
});
