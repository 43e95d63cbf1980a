// Base64, base64url and UTF-8 helpers for every runtime: Node's Buffer where the runtime has it (found at run time,
// see native.ts; browser bundles get native-browser.ts instead, without it), the Web's atob/btoa elsewhere. Decoding is strict on both paths: the input is checked against the
// alphabet and the padding rules first, since Buffer skips characters it does not know and atob skips whitespace.

import { nativeBuffer } from "#native";

// (pure: a bundle that never converts UTF-8, such as a WebSocket client's, drops them)
const encoder = /* @__PURE__ */ new TextEncoder();
const decoder = /* @__PURE__ */ new TextDecoder("utf-8", { fatal: true });

/** Characters outside each alphabet (padding is stripped before the check). */
const NOT_STD = /[^A-Za-z0-9+/]/;
const NOT_URL = /[^A-Za-z0-9_-]/;

// Each function below picks Buffer or atob/btoa in one expression (`nativeBuffer ? ... : ...`): where the `#native`
// import gives no Buffer (its `browser` condition), bundlers then drop the Buffer branch (a helper called from the
// Buffer branches would stay in the bundle, unused, so each branch wraps the bytes itself).

/** btoa of the bytes as a binary string, built in slices so that large inputs stay within argument limits. */
function portableEncode(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The bytes of atob's binary string. */
function portableDecode(std: string): Uint8Array {
  const binary = atob(std);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** `s` without its padding, once it is checked against the alphabet (`notAlphabet`) and the padding rules. */
function checked(s: string, notAlphabet: RegExp, argName: string, what: string): string {
  if (typeof s !== "string") throw new TypeError(`${argName} must be a ${what} string`);
  let end = s.length;
  // Padding is optional; at most two '=' and only at the end.
  if (end > 0 && s.charCodeAt(end - 1) === 61) end--;
  if (end > 0 && s.charCodeAt(end - 1) === 61) end--;
  if (end !== s.length && s.length % 4 !== 0) {
    throw new TypeError(`${argName} is not valid ${what}: wrong padding`);
  }
  if (end % 4 === 1) throw new TypeError(`${argName} is not valid ${what}: truncated input`);
  const body = s.slice(0, end);
  const bad = body.search(notAlphabet);
  if (bad >= 0) throw new TypeError(`${argName} is not valid ${what}: unexpected character at index ${bad}`);
  return body;
}

function toBytes(b: Uint8Array | string, argName: string): Uint8Array {
  if (typeof b === "string") return encoder.encode(b);
  if (b instanceof Uint8Array) return b;
  throw new TypeError(`${argName} must be a Uint8Array or a string`);
}

/** Standard base64 with padding. */
export function base64Encode(b: Uint8Array): string {
  if (!(b instanceof Uint8Array)) throw new TypeError("base64Encode: bytes must be a Uint8Array");
  return nativeBuffer ? nativeBuffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64") : portableEncode(b);
}

/** Decodes standard base64 (padding optional). Throws a TypeError on any character outside the alphabet. */
export function base64Decode(s: string): Uint8Array {
  const body = checked(s, NOT_STD, "base64Decode: input", "base64");
  return nativeBuffer ? new Uint8Array(nativeBuffer.from(body, "base64")) : portableDecode(body);
}

/** base64url without padding (RFC 4648 section 5), as used by JWT. Strings are encoded as UTF-8 first. */
export function base64UrlEncode(b: Uint8Array | string): string {
  // a string goes to Buffer directly: encoding it to bytes first (TextEncoder) costs token minting ~15%
  if (typeof b === "string" && nativeBuffer) return nativeBuffer.from(b, "utf8").toString("base64url");
  const bytes = toBytes(b, "base64UrlEncode: input");
  return nativeBuffer
    ? nativeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url")
    : portableEncode(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes base64url (padding tolerated). Throws a TypeError on any character outside the alphabet. */
export function base64UrlDecode(s: string): Uint8Array {
  const body = checked(s, NOT_URL, "base64UrlDecode: input", "base64url");
  return nativeBuffer
    ? new Uint8Array(nativeBuffer.from(body, "base64url"))
    : portableDecode(body.replace(/-/g, "+").replace(/_/g, "/"));
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
