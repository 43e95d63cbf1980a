// The unacked messages of a reliable session (ReliableBuffer), on its own: sequence ids from 1, a cumulative ack drops
// exactly the acked prefix, and the limits (1000 messages, 16 MB of frames) hold on both sides, counting only what is
// still unacked.
import { describe, expect, it } from "vitest";
import { Outgoing } from "../src/outgoing.ts";
import { RELIABLE_MAX_BYTES, RELIABLE_MAX_MESSAGES, ReliableBuffer } from "../src/reliable-buffer.ts";

const msg = (text: string) => new Outgoing({ payload: { kind: "text", text }, from: "server" });
const seqs = (b: ReliableBuffer) => b.pending.map((u) => u.seq);

function filled(n: number, size = 1): ReliableBuffer {
  const b = new ReliableBuffer();
  for (let i = 0; i < n; i++) b.push(msg(`m${i}`), () => size);
  return b;
}

describe("ReliableBuffer", () => {
  it("numbers messages from 1 and keeps them with the size their frame has for that sequence id", () => {
    const b = new ReliableBuffer();
    const a = msg("a");
    expect(b.pending).toEqual([]);
    expect(b.push(a, (s) => 10 * s)).toBe(1);
    expect(b.push(msg("b"), (s) => 10 * s)).toBe(2);
    expect(b.pending).toEqual([{ seq: 1, msg: a, size: 10 }, expect.objectContaining({ seq: 2, size: 20 })]);
  });

  it("a cumulative ack drops exactly the acked prefix", () => {
    const b = filled(5);
    b.acknowledge(2);
    expect(seqs(b)).toEqual([3, 4, 5]);
    b.acknowledge(3);
    expect(seqs(b)).toEqual([4, 5]);
    b.acknowledge(5);
    expect(seqs(b)).toEqual([]);
  });

  it("ignores an ack below the oldest unacked message, and one on an empty buffer", () => {
    const b = filled(3);
    b.acknowledge(2);
    b.acknowledge(1);
    b.acknowledge(0);
    expect(seqs(b)).toEqual([3]);
    const empty = new ReliableBuffer();
    empty.acknowledge(5);
    expect(empty.pending).toEqual([]);
    b.acknowledge(3);
    b.acknowledge(3);
    expect(b.pending).toEqual([]);
  });

  it("an ack beyond the last sequence id drops everything; numbering goes on after it", () => {
    const b = filled(3);
    b.acknowledge(100);
    expect(b.pending).toEqual([]);
    expect(b.push(msg("x"), () => 1)).toBe(4);
    expect(seqs(b)).toEqual([4]);
  });

  it("accepts 1000 unacked messages and refuses the 1001st", () => {
    const b = filled(RELIABLE_MAX_MESSAGES - 1);
    expect(b.push(msg("last"), () => 1)).toBe(RELIABLE_MAX_MESSAGES);
    expect(b.push(msg("over"), () => 1)).toBeUndefined();
  });

  it("counts only unacked messages against the message limit", () => {
    const b = filled(RELIABLE_MAX_MESSAGES);
    b.acknowledge(1);
    expect(b.push(msg("room"), () => 1)).toBe(RELIABLE_MAX_MESSAGES + 1);
    expect(b.push(msg("over"), () => 1)).toBeUndefined();
  });

  it("accepts exactly 16 MB of unacked frames and refuses one byte more", () => {
    const b = new ReliableBuffer();
    expect(b.push(msg("a"), () => RELIABLE_MAX_BYTES - 1)).toBe(1);
    expect(b.push(msg("b"), () => 1)).toBe(2);
    expect(b.push(msg("c"), () => 1)).toBeUndefined();
    const one = new ReliableBuffer();
    expect(one.push(msg("big"), () => RELIABLE_MAX_BYTES + 1)).toBeUndefined();
  });

  it("frees the bytes of acked messages, and only theirs", () => {
    const b = new ReliableBuffer();
    b.push(msg("a"), () => RELIABLE_MAX_BYTES / 2);
    b.push(msg("b"), () => RELIABLE_MAX_BYTES / 4);
    b.acknowledge(1);
    // a quarter is still held: three quarters fit, one byte more does not
    expect(b.push(msg("c"), () => (RELIABLE_MAX_BYTES / 4) * 3)).toBe(3);
    expect(b.push(msg("d"), () => 1)).toBeUndefined();
    const again = new ReliableBuffer();
    again.push(msg("a"), () => RELIABLE_MAX_BYTES);
    again.acknowledge(1);
    expect(again.push(msg("b"), () => RELIABLE_MAX_BYTES)).toBe(2);
  });

  it("clear() forgets every message and its bytes, and keeps numbering", () => {
    const b = new ReliableBuffer();
    b.push(msg("a"), () => RELIABLE_MAX_BYTES);
    b.clear();
    expect(b.pending).toEqual([]);
    expect(b.push(msg("b"), () => RELIABLE_MAX_BYTES)).toBe(2);
    b.acknowledge(1);
    expect(seqs(b)).toEqual([2]);
  });
});
