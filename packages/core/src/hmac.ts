// HMAC-SHA256 over WebCrypto, with imported keys cached per key string (signing is on hot paths).

const encoder = new TextEncoder();
const MAX_CACHED_KEYS = 64;
const keyCache = new Map<string, Promise<CryptoKey>>();

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error("WebCrypto (globalThis.crypto.subtle) is not available in this runtime");
  return s;
}

/** Returns the HMAC-SHA256 CryptoKey for a key string (used as UTF-8), importing it once. */
export function hmacKey(key: string): Promise<CryptoKey> {
  if (typeof key !== "string" || key.length === 0) throw new TypeError("key must be a non-empty string");
  let cached = keyCache.get(key);
  if (cached === undefined) {
    cached = subtle().importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    if (keyCache.size >= MAX_CACHED_KEYS) {
      const oldest = keyCache.keys().next().value;
      if (oldest !== undefined) keyCache.delete(oldest);
    }
    keyCache.set(key, cached);
    // A failed import must not stay cached.
    cached.catch(() => keyCache.delete(key));
  }
  return cached;
}

/** HMAC-SHA256 of data with key (UTF-8). */
export async function hmacSha256(key: string, data: Uint8Array): Promise<Uint8Array> {
  const k = await hmacKey(key);
  return new Uint8Array(await subtle().sign("HMAC", k, data as Uint8Array<ArrayBuffer>));
}

/** Verifies an HMAC-SHA256 signature (constant time inside WebCrypto). */
export async function hmacSha256Verify(key: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const k = await hmacKey(key);
  return subtle().verify("HMAC", k, signature as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>);
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
  return toHex(await hmacSha256(key, encoder.encode(message)));
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
