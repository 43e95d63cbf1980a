// HMAC-SHA256 (RFC 2104). The key is a string used as UTF-8 (like the official SDKs). Where the runtime offers Node's
// crypto module without an import (`process.getBuiltinModule`: Node, Bun, Deno), its native HMAC is used with a cached
// KeyObject; everywhere else (browsers, edge runtimes) our SHA-256 runs in plain JavaScript, with the inner and outer
// padded-key states computed once per key string and cached. Either way signing is synchronous: no async crypto round
// trip, no static `node:` import, so bundlers and browsers never see Node code.

import { nativeCrypto } from "#native";
import { base64UrlEncode } from "./base64.ts";
import { sha256, sha256Block, sha256Finish, sha256State } from "./sha256.ts";

const encoder = new TextEncoder();
const MAX_CACHED_KEYS = 64;

interface KeyState {
  inner: Int32Array;
  outer: Int32Array;
  /** The native KeyObject, when the runtime has one. */
  keyObject?: unknown;
}

const keyCache = new Map<string, KeyState>();

function keyState(key: string): KeyState {
  if (typeof key !== "string" || key.length === 0) throw new TypeError("key must be a non-empty string");
  let state = keyCache.get(key);
  if (state === undefined) {
    const native = nativeCrypto();
    if (native !== undefined) {
      state = {
        inner: new Int32Array(0),
        outer: new Int32Array(0),
        keyObject: native.createSecretKey(encoder.encode(key)),
      };
      cacheKey(key, state);
      return state;
    }
    let k: Uint8Array = encoder.encode(key);
    if (k.length > 64) k = sha256(k);
    const ipad = new Uint8Array(64).fill(0x36);
    const opad = new Uint8Array(64).fill(0x5c);
    for (let i = 0; i < k.length; i++) {
      ipad[i]! ^= k[i]!;
      opad[i]! ^= k[i]!;
    }
    const inner = sha256State();
    sha256Block(inner, ipad);
    const outer = sha256State();
    sha256Block(outer, opad);
    state = { inner, outer };
    cacheKey(key, state);
  }
  return state;
}

function cacheKey(key: string, state: KeyState): void {
  if (keyCache.size >= MAX_CACHED_KEYS) {
    const oldest = keyCache.keys().next().value;
    if (oldest !== undefined) keyCache.delete(oldest);
  }
  keyCache.set(key, state);
}

/** HMAC-SHA256 of `data` (bytes, or a string taken as UTF-8) with `key` (UTF-8). Synchronous. */
export function hmacSha256Sync(key: string, data: Uint8Array | string): Uint8Array {
  const state = keyState(key);
  const native = nativeCrypto();
  if (state.keyObject !== undefined && native !== undefined) {
    return new Uint8Array(native.createHmac("sha256", state.keyObject).update(data).digest());
  }
  return hmacSha256Portable(state, typeof data === "string" ? encoder.encode(data) : data);
}

/** HMAC-SHA256 of `data` with `key`, as base64url without padding (a JWT signature segment). Synchronous. */
export function hmacSha256Base64UrlSync(key: string, data: string): string {
  const state = keyState(key);
  const native = nativeCrypto();
  if (state.keyObject !== undefined && native !== undefined) {
    return native.createHmac("sha256", state.keyObject).update(data).digest("base64url");
  }
  return base64UrlEncode(hmacSha256Portable(state, encoder.encode(data)));
}

function hmacSha256Portable({ inner, outer }: KeyState, data: Uint8Array): Uint8Array {
  const innerDigest = sha256Finish(sha256State(inner), data, 64);
  return sha256Finish(sha256State(outer), innerDigest, 64);
}

/** Constant-time comparison of two byte arrays (time depends only on the lengths). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}

/** Lowercase hex HMAC-SHA256 of message (UTF-8) with key (UTF-8). */
export async function hmacSha256Hex(key: string, message: string): Promise<string> {
  if (typeof message !== "string") throw new TypeError("message must be a string");
  return toHex(hmacSha256Sync(key, encoder.encode(message)));
}

/**
 * Compares two strings in time that depends only on their lengths (not on where they differ).
 * Strings of different lengths are unequal.
 */
export function timingSafeEqual(a: string, b: string): boolean {
  if (typeof a !== "string" || typeof b !== "string") throw new TypeError("timingSafeEqual expects two strings");
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
