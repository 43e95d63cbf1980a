// The WebSocket endpoints clients connect to, each with the protocols it speaks: today `/client/hubs/{hub}` (and
// `/client?hub=`) with the Web PubSub subprotocols, and simple clients when none is offered. Another kind of client
// (MQTT at `/clients/mqtt/hubs/{hub}`, ...) is an entry in ENDPOINTS with its own protocol table.
import type { ClientProtocol as AudienceProtocol } from "@webpubsub/core";
import { PROTOCOLS } from "./index.ts";
import type { ClientProtocol } from "./protocol.ts";
import { SIMPLE } from "./simple.ts";

export interface ClientEndpoint {
  /** for messages: where clients of this endpoint connect */
  readonly path: string;
  /** the hub named by a request path (trailing slashes removed), or undefined when the path is not this endpoint's */
  hubIn(path: string, query: URLSearchParams): HubInPath | undefined;
  /** the subprotocols spoken here */
  readonly protocols: ReadonlyMap<string, ClientProtocol>;
  /** the protocol of a client that offers none of `protocols` */
  readonly fallback: ClientProtocol;
  /** the kind of client token this endpoint takes (its audience path); default: Web PubSub clients */
  readonly audience?: AudienceProtocol;
}

/** The hub a path names: its (still percent-encoded) path segment, or the `hub` query parameter (null: missing). */
export type HubInPath = { encoded: string } | { query: string | null };

const CLIENT_HUB_PATH = /^\/client\/hubs\/([^/]+)$/i;

export const CLIENT_ENDPOINT: ClientEndpoint = {
  path: "/client/hubs/{hub}",
  hubIn(path, query) {
    const m = CLIENT_HUB_PATH.exec(path);
    if (m !== null) return { encoded: m[1]! };
    if (path.toLowerCase() === "/client") return { query: query.get("hub") };
    return undefined;
  },
  protocols: PROTOCOLS,
  fallback: SIMPLE,
};

const MQTT_HUB_PATH = /^\/clients\/mqtt\/hubs\/([^/]+)$/i;

/** MQTT clients: their handshake is src/mqtt's (the session starts with a CONNECT packet after the upgrade). */
export const MQTT_ENDPOINT: ClientEndpoint = {
  path: "/clients/mqtt/hubs/{hub}",
  hubIn(path) {
    const m = MQTT_HUB_PATH.exec(path);
    return m === null ? undefined : { encoded: m[1]! };
  },
  protocols: new Map(),
  fallback: SIMPLE,
  audience: "mqtt",
};

export const ENDPOINTS: readonly ClientEndpoint[] = [CLIENT_ENDPOINT, MQTT_ENDPOINT];

/** The first offered subprotocol `endpoint` speaks. */
export function firstSupported(endpoint: ClientEndpoint, offered: readonly string[]): string | undefined {
  return offered.find((p) => endpoint.protocols.has(p));
}

/** The protocol of a negotiated subprotocol; one the endpoint does not speak (or none) gets its fallback. */
export function protocolFor(endpoint: ClientEndpoint, subprotocol: string | undefined): ClientProtocol {
  return (subprotocol === undefined ? undefined : endpoint.protocols.get(subprotocol)) ?? endpoint.fallback;
}
