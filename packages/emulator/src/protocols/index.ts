// The Web PubSub subprotocols the emulator speaks at /client, keyed by their WebSocket subprotocol (core's
// WebPubSubSubprotocol names). Adding a subprotocol there: its file, and one entry in PROTOCOLS; another kind of
// endpoint: an entry in endpoints.ts.
import { WebPubSubSubprotocol } from "@webpubsub/core";
import { JSON_PROTOCOL, RELIABLE_JSON_PROTOCOL } from "./json.ts";
import { PROTOBUF_PROTOCOL, RELIABLE_PROTOBUF_PROTOCOL } from "./protobuf.ts";
import type { ClientProtocol } from "./protocol.ts";
import { SIMPLE } from "./simple.ts";

export type { ClientProtocol } from "./protocol.ts";
export { FrameRejected } from "./protocol.ts";
export type { WireFormat, WireFrame } from "./wire-format.ts";
export { SIMPLE };

/** Subprotocol clients, by the subprotocol they offer (the first supported one in their list is chosen). */
export const PROTOCOLS: ReadonlyMap<string, ClientProtocol> = new Map<string, ClientProtocol>([
  [WebPubSubSubprotocol.Json, JSON_PROTOCOL],
  [WebPubSubSubprotocol.ReliableJson, RELIABLE_JSON_PROTOCOL],
  [WebPubSubSubprotocol.Protobuf, PROTOBUF_PROTOCOL],
  [WebPubSubSubprotocol.ReliableProtobuf, RELIABLE_PROTOBUF_PROTOCOL],
]);
