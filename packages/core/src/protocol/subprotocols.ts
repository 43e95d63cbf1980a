// WebSocket subprotocol names (protocol.md 4.1).

export const WebPubSubSubprotocol = {
  Json: "json.webpubsub.azure.v1",
  ReliableJson: "json.reliable.webpubsub.azure.v1",
  Protobuf: "protobuf.webpubsub.azure.v1",
  ReliableProtobuf: "protobuf.reliable.webpubsub.azure.v1",
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
