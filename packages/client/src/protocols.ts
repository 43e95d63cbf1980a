// The client's subprotocol interface and the JSON subprotocols (json, reliable json); protobuf is in
// protobuf-protocols.ts so that apps which do not use it do not bundle its codec.

import {
  type DownstreamMessage,
  decodeJsonDownstream,
  encodeJsonUpstream,
  type UpstreamMessage,
  WebPubSubSubprotocol,
} from "@webpubsub/core";

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
  decode(frame: string | Uint8Array): DownstreamMessage | undefined;
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

export function isUnknownType(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "unknown_type";
}

function jsonProtocol(name: string, reliable: boolean): WebPubSubClientProtocol {
  return {
    name,
    isReliableSubProtocol: reliable,
    binary: false,
    encode: (message) => encodeJsonUpstream(message),
    decode(frame) {
      if (typeof frame !== "string") throw new TypeError(`${name} expects text frames, got a binary frame`);
      try {
        return decodeJsonDownstream(frame);
      } catch (error) {
        if (isUnknownType(error)) return undefined;
        throw error;
      }
    },
  };
}

/** `json.webpubsub.azure.v1`: JSON, no sequence ids, no recovery. */
export function WebPubSubJsonProtocol(): WebPubSubClientProtocol {
  return jsonProtocol(WebPubSubSubprotocol.Json, false);
}

/** `json.reliable.webpubsub.azure.v1`: JSON with sequence ids and recovery (the default). */
export function WebPubSubJsonReliableProtocol(): WebPubSubClientProtocol {
  return jsonProtocol(WebPubSubSubprotocol.ReliableJson, true);
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
    return value;
  }
  switch (value as string) {
    case "json":
    case WebPubSubSubprotocol.Json:
      return WebPubSubJsonProtocol();
    case "json.reliable":
    case WebPubSubSubprotocol.ReliableJson:
      return WebPubSubJsonReliableProtocol();
    case "protobuf":
    case WebPubSubSubprotocol.Protobuf:
    case "protobuf.reliable":
    case WebPubSubSubprotocol.ReliableProtobuf:
      throw new TypeError(
        `options.protocol "${value}": pass the protocol object instead, WebPubSubProtobufProtocol() or WebPubSubProtobufReliableProtocol() from @webpubsub/client (kept out of the default bundle)`,
      );
    default:
      throw new TypeError(
        `options.protocol must be "json", "json.reliable", their full subprotocol names, or a protocol object such as WebPubSubProtobufReliableProtocol(), got ${String(value)}`,
      );
  }
}
