// WebSocket subprotocol names (protocol.md 4.1).

/** The names one by one, for code that needs some of them (a bundler inlines these and drops the others). */
export const JSON_SUBPROTOCOL = "json.webpubsub.azure.v1";
export const RELIABLE_JSON_SUBPROTOCOL = "json.reliable.webpubsub.azure.v1";
export const PROTOBUF_SUBPROTOCOL = "protobuf.webpubsub.azure.v1";
export const RELIABLE_PROTOBUF_SUBPROTOCOL = "protobuf.reliable.webpubsub.azure.v1";

export const WebPubSubSubprotocol = {
  Json: JSON_SUBPROTOCOL,
  ReliableJson: RELIABLE_JSON_SUBPROTOCOL,
  Protobuf: PROTOBUF_SUBPROTOCOL,
  ReliableProtobuf: RELIABLE_PROTOBUF_SUBPROTOCOL,
} as const;

export type WebPubSubSubprotocol = (typeof WebPubSubSubprotocol)[keyof typeof WebPubSubSubprotocol];

// (pure: a bundle that takes only the names drops the set)
const ALL: ReadonlySet<string> = /* @__PURE__ */ new Set(/* @__PURE__ */ Object.values(WebPubSubSubprotocol));

/** Whether `p` is one of the four Web PubSub subprotocols. */
export function isWebPubSubSubprotocol(p: string): p is WebPubSubSubprotocol {
  return ALL.has(p);
}

/** Reliable subprotocols carry sequence ids and support recovery. */
export function isReliableSubprotocol(p: string): boolean {
  return p === WebPubSubSubprotocol.ReliableJson || p === WebPubSubSubprotocol.ReliableProtobuf;
}

/** Protobuf subprotocols use binary frames. */
export function isProtobufSubprotocol(p: string): boolean {
  return p === WebPubSubSubprotocol.Protobuf || p === WebPubSubSubprotocol.ReliableProtobuf;
}
