// Connection state carried in the ce-connectionState header: base64 of a JSON object (protocol.md 5.8), held to
// core's JSON bounds like any JSON from a peer.

import { base64Decode, base64Encode, utf8Decode, utf8Encode } from "./base64.ts";
import { scanJsonText } from "./protocol/json-scan.ts";

/** Encodes a state object as base64(JSON). */
export function encodeConnectionState(state: Record<string, unknown>): string {
  if (state === null || typeof state !== "object" || Array.isArray(state)) {
    throw new TypeError("state must be a plain object");
  }
  return base64Encode(utf8Encode(JSON.stringify(state)));
}

/** Decodes a ce-connectionState header. Anything that is not base64 of a JSON object yields {}. */
export function decodeConnectionState(header: string | null | undefined): Record<string, unknown> {
  if (typeof header !== "string" || header === "") return {};
  try {
    const text = utf8Decode(base64Decode(header.trim()));
    // past core's JSON bounds a state is invalid too: nested thousands deep it parses, but no setState could re-encode it
    if (scanJsonText(text).exceeded !== undefined) return {};
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through: invalid state is treated as empty, like the official handlers do
  }
  return {};
}
