// The ce-signature header: "sha256=<hex HMAC(key, connectionId)>" per access key, comma-separated (protocol.md 5.4).

import { hmacSha256Hex, timingSafeEqual } from "./hmac.ts";

/**
 * The longest ce-signature header that can be valid. A real one holds one 71-character entry per access key (a
 * resource has two); 8,192 characters allow over a hundred. Longer headers are refused before they are split: a
 * header of two million commas took ~300 ms to split and compare, holding the event loop.
 */
export const MAX_SIGNATURE_HEADER_LENGTH = 8192;

function checkKeys(accessKeys: unknown): asserts accessKeys is string[] {
  if (!Array.isArray(accessKeys) || accessKeys.some((k) => typeof k !== "string" || k === "")) {
    throw new TypeError("accessKeys must be an array of non-empty strings");
  }
}

/** Builds the ce-signature value for a connection id: one `sha256=<hex>` entry per key, joined with ",". */
export async function signConnectionId(connectionId: string, accessKeys: string[]): Promise<string> {
  if (typeof connectionId !== "string") throw new TypeError("connectionId must be a string");
  checkKeys(accessKeys);
  if (accessKeys.length === 0) throw new TypeError("accessKeys must contain at least one key");
  const parts = await Promise.all(accessKeys.map(async (k) => `sha256=${await hmacSha256Hex(k, connectionId)}`));
  return parts.join(",");
}

/**
 * Whether any entry of a ce-signature header matches the connection id under any of the keys. Hex is compared
 * case-insensitively (some services send uppercase hex). A missing header, or one longer than
 * MAX_SIGNATURE_HEADER_LENGTH, is not valid.
 */
export async function verifyConnectionSignature(
  header: string | null | undefined,
  connectionId: string,
  accessKeys: string[],
): Promise<boolean> {
  checkKeys(accessKeys);
  if (typeof header !== "string" || header === "" || typeof connectionId !== "string") return false;
  if (header.length > MAX_SIGNATURE_HEADER_LENGTH) return false;
  const provided: string[] = [];
  for (const entry of header.split(",")) {
    const e = entry.trim();
    if (e.slice(0, 7).toLowerCase() === "sha256=") provided.push(e.slice(7).toLowerCase());
  }
  if (provided.length === 0) return false;
  for (const key of accessKeys) {
    const expected = await hmacSha256Hex(key, connectionId);
    let match = false;
    // Compare against every entry so the time spent does not reveal which entry matched.
    for (const p of provided) match = timingSafeEqual(p, expected) || match;
    if (match) return true;
  }
  return false;
}
