import {
  type DownstreamMessage,
  jsonCodec,
  protobufCodec,
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

/** Short names accepted by `options.protocol`, as well as the full subprotocol names. */
export type WebPubSubProtocolName =
  | "json"
  | "json.reliable"
  | "protobuf"
  | "protobuf.reliable"
  | (typeof WebPubSubSubprotocol)[keyof typeof WebPubSubSubprotocol];

function isUnknownType(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "unknown_type";
}

function jsonProtocol(name: string, reliable: boolean): WebPubSubClientProtocol {
  return {
    name,
    isReliableSubProtocol: reliable,
    binary: false,
    encode: (message) => jsonCodec.encodeUpstream(message),
    decode(frame) {
      if (typeof frame !== "string") throw new TypeError(`${name} expects text frames, got a binary frame`);
      try {
        return jsonCodec.decodeDownstream(frame);
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
  switch (value) {
    case "json":
    case WebPubSubSubprotocol.Json:
      return WebPubSubJsonProtocol();
    case "json.reliable":
    case WebPubSubSubprotocol.ReliableJson:
      return WebPubSubJsonReliableProtocol();
    case "protobuf":
    case WebPubSubSubprotocol.Protobuf:
      return WebPubSubProtobufProtocol();
    case "protobuf.reliable":
    case WebPubSubSubprotocol.ReliableProtobuf:
      return WebPubSubProtobufReliableProtocol();
    default:
      throw new TypeError(
        `options.protocol must be "json", "json.reliable", "protobuf", "protobuf.reliable" or a full subprotocol name, got ${String(value)}`,
      );
  }
}

function protobufProtocol(name: string, reliable: boolean): WebPubSubClientProtocol {
  const codec = protobufCodec;
  return {
    name,
    isReliableSubProtocol: reliable,
    binary: true,
    encode: (message) => codec.encodeUpstream(message),
    decode(frame) {
      if (typeof frame === "string") throw new TypeError(`${name} expects binary frames, got a text frame`);
      try {
        return codec.decodeDownstream(frame);
      } catch (error) {
        if (isUnknownType(error)) return undefined;
        throw error;
      }
    },
  };
}

/** `protobuf.webpubsub.azure.v1`: binary protobuf frames, no sequence ids, no recovery. */
export function WebPubSubProtobufProtocol(): WebPubSubClientProtocol {
  return protobufProtocol(WebPubSubSubprotocol.Protobuf, false);
}

/** `protobuf.reliable.webpubsub.azure.v1`: binary protobuf frames with sequence ids and recovery. */
export function WebPubSubProtobufReliableProtocol(): WebPubSubClientProtocol {
  return protobufProtocol(WebPubSubSubprotocol.ReliableProtobuf, true);
}
