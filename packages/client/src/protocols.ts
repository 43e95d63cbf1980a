// The client's subprotocol interface and the JSON subprotocols (json, reliable json); protobuf is in
// protobuf-protocols.ts so that apps which do not use it do not bundle its codec.

import type { JsonOnlyDecoder, JsonOnlyDownstreamMessage, JsonOnlyUpstreamMessage } from "@webpubsub/core";
import {
  type DownstreamMessage,
  decodeJsonDownstream,
  encodeJsonUpstream,
  JSON_SUBPROTOCOL,
  RELIABLE_JSON_SUBPROTOCOL,
  type UpstreamMessage,
  type WebPubSubSubprotocol,
} from "@webpubsub/core/client-wire";
import { checkOptionalFunction, refuse } from "./validation.ts";

/** The codec of the JSON-only messages (invocations, group streams), handed in by the features that use them. */
export interface JsonOnlyCodec {
  encode(message: JsonOnlyUpstreamMessage): string;
  decode: JsonOnlyDecoder<JsonOnlyDownstreamMessage>;
}

/**
 * A client subprotocol: its WebSocket subprotocol name, whether it is reliable (sequence ids, recovery), and how
 * messages are written and read.
 */
export interface WebPubSubClientProtocol {
  readonly name: string;
  readonly isReliableSubProtocol: boolean;
  /** Frames are binary (protobuf) rather than text (JSON). */
  readonly binary: boolean;
  encode(message: UpstreamMessage): string | Uint8Array;
  /** Returns undefined for messages the client does not know (forward compatibility). Throws on invalid frames. */
  decode(frame: string | Uint8Array): DownstreamMessage | JsonOnlyDownstreamMessage | undefined;
  /**
   * Loads what encode and decode need, when that is not loaded with the protocol (the protobuf protocols load their
   * codec on first use); the client awaits it before it opens a connection. Absent when there is nothing to load.
   */
  readonly load?: () => Promise<void>;
  /**
   * JSON subprotocols only: adds invocations and group streams to the codec and returns their encoder (features call
   * it when first used, so that apps which never use them do not bundle their codec). Absent on protobuf protocols,
   * whose definition has no such messages.
   */
  readonly enableJsonOnly?: (codec: JsonOnlyCodec) => (message: JsonOnlyUpstreamMessage) => string;
}

/**
 * Names accepted by `options.protocol` for the JSON subprotocols (short or full). The protobuf subprotocols are
 * passed as objects, `WebPubSubProtobufProtocol()` / `WebPubSubProtobufReliableProtocol()`, so that apps which do not
 * use protobuf do not ship its codec.
 */
export type WebPubSubProtocolName =
  | "json"
  | "json.reliable"
  | typeof WebPubSubSubprotocol.Json
  | typeof WebPubSubSubprotocol.ReliableJson;

/**
 * Runs a decoder, forward compatible: a message type the codec does not know (a ProtocolError `unknown_type`) decodes
 * to undefined, so the client ignores it; any other error is thrown.
 */
export function decodeKnown<T>(decode: () => T): T | undefined {
  try {
    return decode();
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === "unknown_type") return undefined;
    throw error;
  }
}

function jsonProtocol(name: string, reliable: boolean): WebPubSubClientProtocol {
  let jsonOnly: JsonOnlyCodec | undefined;
  return {
    name,
    isReliableSubProtocol: reliable,
    binary: false,
    encode: encodeJsonUpstream,
    enableJsonOnly(codec) {
      jsonOnly ??= codec;
      return jsonOnly.encode;
    },
    decode(frame) {
      if (typeof frame !== "string") throw new TypeError(`${name} expects text frames, got a binary frame`);
      const codec = jsonOnly;
      return decodeKnown(() => (codec ? decodeJsonDownstream(frame, codec.decode) : decodeJsonDownstream(frame)));
    },
  };
}

/** `json.webpubsub.azure.v1`: JSON, no sequence ids, no recovery. */
export function WebPubSubJsonProtocol(): WebPubSubClientProtocol {
  return jsonProtocol(JSON_SUBPROTOCOL, false);
}

/** `json.reliable.webpubsub.azure.v1`: JSON with sequence ids and recovery (the default). */
export function WebPubSubJsonReliableProtocol(): WebPubSubClientProtocol {
  return jsonProtocol(RELIABLE_JSON_SUBPROTOCOL, true);
}

export function resolveProtocol(
  value: WebPubSubProtocolName | WebPubSubClientProtocol | undefined,
): WebPubSubClientProtocol {
  if (value === undefined) return WebPubSubJsonReliableProtocol();
  if (typeof value === "object" && value !== null) {
    if (
      typeof value.name !== "string" ||
      typeof value.encode !== "function" ||
      typeof value.decode !== "function" ||
      typeof value.isReliableSubProtocol !== "boolean"
    ) {
      throw new TypeError("options.protocol must have name, isReliableSubProtocol, binary, encode and decode");
    }
    checkOptionalFunction(value.load, "options.protocol.load", "a function or absent");
    return value;
  }
  switch (value as string) {
    case "json":
    case JSON_SUBPROTOCOL:
      return WebPubSubJsonProtocol();
    case "json.reliable":
    case RELIABLE_JSON_SUBPROTOCOL:
      return WebPubSubJsonReliableProtocol();
  }
  // The protobuf names too: those protocols are objects, so that their codec stays out of bundles that do not use it.
  return refuse(
    "options.protocol",
    '"json", "json.reliable", their full names, or a protocol object such as WebPubSubProtobufReliableProtocol()',
    value,
  );
}
