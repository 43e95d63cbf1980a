// The client protocols the emulator speaks, keyed by their WebSocket subprotocol (core's WebPubSubSubprotocol names).
// Adding a protocol: its file, and one entry in PROTOCOLS.
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

/** The protocol of a negotiated subprotocol; a name not in PROTOCOLS (or none) is served as a simple client. */
export function protocolFor(subprotocol: string | undefined): ClientProtocol {
  return (subprotocol === undefined ? undefined : PROTOCOLS.get(subprotocol)) ?? SIMPLE;
}

/** The first offered subprotocol the emulator supports. */
export function firstSupported(offered: readonly string[]): string | undefined {
  return offered.find((p) => PROTOCOLS.has(p));
}
