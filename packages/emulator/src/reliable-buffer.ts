// The unacknowledged messages of a reliable session: numbered with sequence ids, kept until a cumulative
// `sequenceAck` covers them, replayed on recovery. Bounded by RELIABLE_MAX_MESSAGES messages and RELIABLE_MAX_BYTES
// bytes of the frames as sent (JSON text or protobuf).
import type { Outgoing } from "./outgoing.ts";

export const RELIABLE_MAX_MESSAGES = 1000;
/** Limit of the unacked buffer, counted in bytes of the frames as sent (JSON text or protobuf). */
export const RELIABLE_MAX_BYTES = 16 * 1024 * 1024;

export interface Unacked {
  seq: number;
  msg: Outgoing;
  /** bytes of the reliable frame for this sequenceId, in the connection's encoding */
  size: number;
}

export class ReliableBuffer {
  /** the last sequenceId assigned */
  #seq = 0;
  #list: Unacked[] | null = null;
  #bytes = 0;

  /**
   * Numbers `msg` and keeps it; `sizeOf` tells the bytes of its frame for that sequence id. Returns the sequence id,
   * or undefined when the buffer went beyond its limits (the session must end).
   */
  push(msg: Outgoing, sizeOf: (seq: number) => number): number | undefined {
    const seq = ++this.#seq;
    const size = sizeOf(seq);
    this.#list ??= [];
    this.#list.push({ seq, msg, size });
    this.#bytes += size;
    if (this.#list.length > RELIABLE_MAX_MESSAGES || this.#bytes > RELIABLE_MAX_BYTES) return undefined;
    return seq;
  }

  /** Cumulative ack: drops every message with sequenceId <= `sequenceId`. */
  acknowledge(sequenceId: number): void {
    const list = this.#list;
    if (list === null || list.length === 0) return;
    let n = 0;
    let bytes = 0;
    while (n < list.length && list[n]!.seq <= sequenceId) {
      bytes += list[n]!.size;
      n++;
    }
    if (n === 0) return;
    list.splice(0, n);
    this.#bytes -= bytes;
    if (list.length === 0) this.#list = null;
  }

  /** The unacked messages, oldest first. */
  get pending(): readonly Unacked[] {
    return this.#list ?? [];
  }

  /** Forgets every message (the session ended). */
  clear(): void {
    this.#list = null;
    this.#bytes = 0;
  }
}
