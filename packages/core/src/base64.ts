// Base64, base64url and UTF-8 helpers built on Web standards only (no Buffer), so they run in every runtime.

import { nativeBuffer } from "./native.ts";

const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function codes(alphabet: string): Uint8Array {
  const out = new Uint8Array(64);
  for (let i = 0; i < 64; i++) out[i] = alphabet.charCodeAt(i);
  return out;
}

function decodeTable(alphabet: string): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}

const STD_CODES = codes(STD);
const URL_CODES = codes(URL_SAFE);
const STD_TABLE = decodeTable(STD);
const URL_TABLE = decodeTable(URL_SAFE);

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function encode(bytes: Uint8Array, alphabet: Uint8Array, pad: boolean): string {
  const len = bytes.length;
  const outLen = pad ? Math.ceil(len / 3) * 4 : Math.ceil((len * 4) / 3);
  const out = new Uint8Array(outLen);
  let o = 0;
  let i = 0;
  const whole = len - (len % 3);
  for (; i < whole; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = alphabet[n >>> 18]!;
    out[o++] = alphabet[(n >>> 12) & 63]!;
    out[o++] = alphabet[(n >>> 6) & 63]!;
    out[o++] = alphabet[n & 63]!;
  }
  const rest = len - whole;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out[o++] = alphabet[n >>> 18]!;
    out[o++] = alphabet[(n >>> 12) & 63]!;
    if (pad) {
      out[o++] = 61;
      out[o++] = 61;
    }
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out[o++] = alphabet[n >>> 18]!;
    out[o++] = alphabet[(n >>> 12) & 63]!;
    out[o++] = alphabet[(n >>> 6) & 63]!;
    if (pad) out[o++] = 61;
  }
  return asciiToString(out);
}

const asciiDecoder = new TextDecoder("utf-8");

/** Turns ASCII bytes into a string (ASCII is valid UTF-8, and the native decoder is the fastest way). */
function asciiToString(ascii: Uint8Array): string {
  return asciiDecoder.decode(ascii);
}

function decode(s: string, table: Int8Array, argName: string, what: string): Uint8Array {
  if (typeof s !== "string") throw new TypeError(`${argName} must be a ${what} string`);
  let end = s.length;
  // Padding is optional; at most two '=' and only at the end.
  if (end > 0 && s.charCodeAt(end - 1) === 61) end--;
  if (end > 0 && s.charCodeAt(end - 1) === 61) end--;
  if (end !== s.length && s.length % 4 !== 0) {
    throw new TypeError(`${argName} is not valid ${what}: wrong padding`);
  }
  const remainder = end % 4;
  if (remainder === 1) throw new TypeError(`${argName} is not valid ${what}: truncated input`);
  const outLen = ((end - remainder) / 4) * 3 + (remainder === 0 ? 0 : remainder - 1);
  const out = new Uint8Array(outLen);
  let o = 0;
  let i = 0;
  const whole = end - remainder;
  for (; i < whole; i += 4) {
    const a = sextet(s, i, table, argName, what);
    const b = sextet(s, i + 1, table, argName, what);
    const c = sextet(s, i + 2, table, argName, what);
    const d = sextet(s, i + 3, table, argName, what);
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
    out[o++] = n & 255;
  }
  if (remainder >= 2) {
    const a = sextet(s, i, table, argName, what);
    const b = sextet(s, i + 1, table, argName, what);
    const c = remainder === 3 ? sextet(s, i + 2, table, argName, what) : 0;
    const n = (a << 18) | (b << 12) | (c << 6);
    out[o++] = n >>> 16;
    if (remainder === 3) out[o++] = (n >>> 8) & 255;
  }
  return out;
}

function sextet(s: string, i: number, table: Int8Array, argName: string, what: string): number {
  const code = s.charCodeAt(i);
  const v = code < 128 ? table[code]! : -1;
  if (v < 0) throw new TypeError(`${argName} is not valid ${what}: unexpected character at index ${i}`);
  return v;
}

function toBytes(b: Uint8Array | string, argName: string): Uint8Array {
  if (typeof b === "string") return encoder.encode(b);
  if (b instanceof Uint8Array) return b;
  throw new TypeError(`${argName} must be a Uint8Array or a string`);
}

/** Standard base64 with padding. */
export function base64Encode(b: Uint8Array): string {
  if (!(b instanceof Uint8Array)) throw new TypeError("base64Encode: bytes must be a Uint8Array");
  return encode(b, STD_CODES, true);
}

/** Decodes standard base64 (padding optional). Throws a TypeError on any character outside the alphabet. */
export function base64Decode(s: string): Uint8Array {
  return decode(s, STD_TABLE, "base64Decode: input", "base64");
}

/** base64url without padding (RFC 4648 section 5), as used by JWT. Strings are encoded as UTF-8 first. */
export function base64UrlEncode(b: Uint8Array | string): string {
  if (nativeBuffer !== undefined) {
    if (typeof b === "string") return nativeBuffer.from(b, "utf8").toString("base64url");
    if (b instanceof Uint8Array) return nativeBuffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64url");
  }
  return encode(toBytes(b, "base64UrlEncode: input"), URL_CODES, false);
}

/** Decodes base64url (padding tolerated). Throws a TypeError on any character outside the alphabet. */
export function base64UrlDecode(s: string): Uint8Array {
  return decode(s, URL_TABLE, "base64UrlDecode: input", "base64url");
}

export function utf8Encode(s: string): Uint8Array {
  if (typeof s !== "string") throw new TypeError("utf8Encode: input must be a string");
  return encoder.encode(s);
}

/** Strict UTF-8 decoding: invalid byte sequences throw a TypeError instead of turning into U+FFFD. */
export function utf8Decode(b: Uint8Array): string {
  if (!(b instanceof Uint8Array)) throw new TypeError("utf8Decode: input must be a Uint8Array");
  return decoder.decode(b);
}
