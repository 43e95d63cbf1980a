// Minimal proto3 wire-format reader and writer (varints, length-delimited fields, skipping unknown fields).
// Integers are JS numbers: uint64 values above Number.MAX_SAFE_INTEGER are rejected rather than rounded.

import { shown, shownValue } from "../shown.ts";
import { ProtocolError } from "./errors.ts";

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function malformed(message: string): ProtocolError {
  return new ProtocolError("invalid_protobuf", `invalid protobuf frame: ${message}`);
}

export class ProtoWriter {
  private buf = new Uint8Array(64);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  varint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`protobuf varint must be a non-negative safe integer, got ${shownValue(value)}`);
    }
    this.ensure(10);
    let v = value;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  bytes(value: Uint8Array): this {
    this.varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  uintField(field: number, value: number): this {
    return this.tag(field, WIRE_VARINT).varint(value);
  }

  boolField(field: number, value: boolean): this {
    return this.tag(field, WIRE_VARINT).varint(value ? 1 : 0);
  }

  stringField(field: number, value: string): this {
    return this.tag(field, WIRE_LEN).bytes(encoder.encode(value));
  }

  bytesField(field: number, value: Uint8Array): this {
    return this.tag(field, WIRE_LEN).bytes(value);
  }

  messageField(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytesField(field, inner.finish());
  }

  /** map<string, string>: one entry message { 1: key, 2: value } per pair. */
  mapField(field: number, map: Record<string, string>): this {
    for (const [k, v] of Object.entries(map)) {
      if (typeof v !== "string") throw new TypeError(`metadata value ${shown(k)} must be a string`);
      this.messageField(field, (w) => w.stringField(1, k).stringField(2, v));
    }
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

export class ProtoReader {
  private readonly buf: Uint8Array;
  private pos: number;
  private readonly end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): number {
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw malformed("truncated varint");
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * multiplier;
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) throw malformed("integer larger than 2^53 - 1");
        return result;
      }
      multiplier *= 128;
    }
    throw malformed("varint longer than 10 bytes");
  }

  /** Reads a tag; returns [field number, wire type]. */
  tag(): [number, number] {
    const t = this.varint();
    const field = Math.floor(t / 8);
    const wireType = t % 8;
    if (field === 0) throw malformed("field number 0");
    if (wireType !== WIRE_VARINT && wireType !== WIRE_I64 && wireType !== WIRE_LEN && wireType !== WIRE_I32) {
      throw malformed(`unsupported wire type ${wireType}`);
    }
    return [field, wireType];
  }

  bytes(): Uint8Array {
    const len = this.varint();
    if (len > this.end - this.pos) throw malformed("length-delimited field runs past the end of the frame");
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** A reader over a nested message, advancing past it. */
  message(): ProtoReader {
    const len = this.varint();
    if (len > this.end - this.pos) throw malformed("nested message runs past the end of the frame");
    const r = new ProtoReader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }

  string(): string {
    try {
      return decoder.decode(this.bytes());
    } catch (e) {
      if (e instanceof Error && e.name === "ProtocolError") throw e;
      throw malformed("string field is not valid UTF-8");
    }
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_I64:
        this.advance(8);
        return;
      case WIRE_LEN:
        this.bytes();
        return;
      case WIRE_I32:
        this.advance(4);
        return;
      default:
        throw malformed(`unsupported wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw malformed("fixed-size field runs past the end of the frame");
    this.pos += n;
  }
}

/** Throws unless the wire type of a known field is the expected one. */
export function expectWire(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw malformed(`${what} has wire type ${actual}, expected ${expected}`);
}
