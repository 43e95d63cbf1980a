// Handshake step 1, what the upgrade request asks for: the endpoint and hub (`/client/hubs/{hub}` or `/client?hub=`;
// see protocols/endpoints.ts), the offered subprotocols, a reliable-session recovery, and a simple client's mode.
// Nothing is authenticated yet.
import type { IncomingMessage } from "node:http";
import { HUB_NAME_PATTERN, isValidGroupName, shown } from "@webpubsub/core";
import { type ClientEndpoint, ENDPOINTS } from "../protocols/endpoints.ts";
import type { PublicOrigin } from "../public-origin.ts";
import { UpgradeRefused } from "./refusal.ts";

export interface UpgradeTarget {
  endpoint: ClientEndpoint;
  /** the hub name as the client spelled it (hub names are case-insensitive) */
  hubName: string;
  url: URL;
  origin: PublicOrigin;
  /** the subprotocols the client offered, in its order */
  offered: string[];
  /** a reliable session's recovery (`awps_connection_id` + `awps_reconnection_token`) */
  recovery: { connectionId: string; token: string } | undefined;
}

/** The target of an upgrade request; throws UpgradeRefused (400, 404). */
export function parseTarget(req: IncomingMessage, origin: PublicOrigin): UpgradeTarget {
  let url: URL;
  try {
    url = new URL(req.url ?? "/", origin.origin);
  } catch {
    throw new UpgradeRefused(400, "Invalid request URL.");
  }
  const { endpoint, hubName } = endpointOf(url);
  if (!HUB_NAME_PATTERN.test(hubName)) throw new UpgradeRefused(400, `Invalid hub name ${shown(hubName)}.`);
  const offered = (req.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const connectionId = url.searchParams.get("awps_connection_id");
  const token = url.searchParams.get("awps_reconnection_token");
  const recovery = connectionId !== null && token !== null ? { connectionId, token } : undefined;
  return { endpoint, hubName, url, origin, offered, recovery };
}

function endpointOf(url: URL): { endpoint: ClientEndpoint; hubName: string } {
  const path = url.pathname.replace(/\/+$/, "");
  for (const endpoint of ENDPOINTS) {
    const hub = endpoint.hubIn(path, url.searchParams);
    if (hub === undefined) continue;
    if ("query" in hub) {
      if (hub.query === null) throw new UpgradeRefused(400, "Missing 'hub' query parameter.");
      return { endpoint, hubName: hub.query };
    }
    try {
      return { endpoint, hubName: decodeURIComponent(hub.encoded) };
    } catch {
      throw new UpgradeRefused(400, "Invalid hub name encoding.");
    }
  }
  throw new UpgradeRefused(404, `Not found. Clients connect to ${ENDPOINTS.map((e) => e.path).join(" or ")}.`);
}

/** A simple client's mode, fixed at connect time (`webpubsub_mode`, `group`, `noEcho`); throws UpgradeRefused (400). */
export function simpleClientMode(url: URL): { publishGroup: string | undefined; noEcho: boolean } {
  const mode = (url.searchParams.get("webpubsub_mode") ?? "sendEvent").toLowerCase();
  let publishGroup: string | undefined;
  if (mode === "sendtogroup") {
    const g = url.searchParams.get("group");
    if (g === null || !isValidGroupName(g)) {
      throw new UpgradeRefused(400, "webpubsub_mode=sendToGroup needs a valid 'group'.");
    }
    publishGroup = g;
  } else if (mode !== "sendevent") {
    throw new UpgradeRefused(400, "webpubsub_mode must be sendEvent or sendToGroup.");
  }
  return { publishGroup, noEcho: url.searchParams.get("noEcho")?.toLowerCase() === "true" };
}
