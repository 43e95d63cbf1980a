// What the invocation and group-stream modules share: the JSON-only codec handed to the client, fresh ids, and the
// check that the client's protocol can carry them. Only these modules import it, so apps that use neither do not
// bundle the JSON-only codec.

import type { JsonOnlyUpstreamMessage } from "@webpubsub/core";
import { decodeJsonOnlyDownstream, encodeJsonOnlyUpstream } from "@webpubsub/core/json-only";
import type { FeatureHost } from "./features.ts";
import type { JsonOnlyCodec } from "./protocols.ts";
import { utf8Length } from "./utf8-length.ts";

/** Where a stand-in made by encodeNow keeps its text (a registered symbol: every copy of this module agrees on it). */
const ENCODED = Symbol.for("@webpubsub/client encoded frame");

const CODEC: JsonOnlyCodec = {
  encode: (message) => (message as { [ENCODED]?: string })[ENCODED] ?? encodeJsonOnlyUpstream(message),
  decode: decodeJsonOnlyDownstream,
};

/**
 * Encodes `message` now, throwing what the encoder throws (a cycle or a BigInt in JSON data), and returns a stand-in
 * the client's codec writes as that text: what is written later (again, after a nack or a recovery) is the data as it
 * was at this call, whatever happens to the caller's buffer or object meanwhile. The stand-in is still the message
 * (its own fields, plus the text under a symbol JSON leaves out), so a protocol object whose JSON-only encoder wraps
 * the codec's (to log, to route) sees the fields it was given before.
 */
export function encodeNow(message: JsonOnlyUpstreamMessage): JsonOnlyUpstreamMessage {
  const standIn = { ...message, [ENCODED]: encodeJsonOnlyUpstream(message) };
  return standIn as JsonOnlyUpstreamMessage;
}

/** The UTF-8 bytes of the text a stand-in made by encodeNow is written as (one pass over the text). */
export function encodedBytes(standIn: JsonOnlyUpstreamMessage): number {
  return utf8Length((standIn as unknown as Record<symbol, string>)[ENCODED] as string);
}

/** Adds invocations and group streams to the client's codec; throws when its protocol cannot carry them. */
export function requireJsonOnly(host: FeatureHost, what: string): void {
  if (!host.enableJsonOnly(CODEC)) {
    throw new TypeError(
      `${what} needs a JSON subprotocol ("json" or "json.reliable"): the protobuf subprotocols have no such messages`,
    );
  }
}

let counter = 0;

/** A fresh id: a random UUID where the runtime has one (browsers in secure contexts, Node, Deno, Bun). */
export function freshId(): string {
  const uuid = globalThis.crypto?.randomUUID?.();
  if (uuid) return uuid;
  counter++;
  return `${Date.now().toString(36)}-${counter.toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Longest id accepted from the caller (ids travel in every frame of the invocation or stream). */
export const MAX_ID_LENGTH = 256;

/** An optional caller-given id: a non-empty string of at most MAX_ID_LENGTH characters. */
export function checkId(value: unknown, name: string): asserts value is string | undefined {
  if (value === undefined) return;
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new TypeError(`${name} must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  }
}
