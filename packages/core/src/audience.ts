// Token audiences and client URLs (protocol.md 1.2 and 3).

import { normalizeEndpoint } from "./connection-string.ts";
import { checkHubName } from "./names.ts";
import { shownValue } from "./shown.ts";

export type ClientProtocol = "default" | "mqtt" | "socketio";

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Whether a REST token's `aud` fits the request URL: the full URL or the URL without its query, compared
 * case-insensitively, also after URL-decoding either side.
 */
export function restAudienceMatches(aud: string, requestUrl: string): boolean {
  if (typeof aud !== "string" || typeof requestUrl !== "string") return false;
  const q = requestUrl.indexOf("?");
  const withoutQuery = q < 0 ? requestUrl : requestUrl.slice(0, q);
  const audLower = aud.toLowerCase();
  const audDecoded = safeDecode(aud).toLowerCase();
  for (const candidate of [requestUrl, withoutQuery]) {
    const c = candidate.toLowerCase();
    if (audLower === c || audDecoded === c) return true;
    const cd = safeDecode(candidate).toLowerCase();
    if (audLower === cd || audDecoded === cd) return true;
  }
  return false;
}

function clientPath(hub: string, protocol: ClientProtocol): string {
  switch (protocol) {
    case "default":
      return `/client/hubs/${hub}`;
    case "mqtt":
      return `/clients/mqtt/hubs/${hub}`;
    case "socketio":
      return `/clients/socketio/hubs/${hub}`;
    default:
      throw new TypeError(`protocol must be "default", "mqtt" or "socketio", got ${shownValue(protocol)}`);
  }
}

/** The client token audience: http(s)://host[:port]/client/hubs/{hub} (or /clients/{mqtt|socketio}/hubs/{hub}). */
export function clientAudience(endpoint: string, hub: string, protocol: ClientProtocol = "default"): string {
  checkHubName(hub, "hub");
  return normalizeEndpoint(endpoint) + clientPath(hub, protocol);
}

/** The WebSocket URL clients connect to (without the access_token query): ws(s)://host[:port]/client/hubs/{hub}. */
export function clientBaseUrl(endpoint: string, hub: string, protocol: ClientProtocol = "default"): string {
  return clientAudience(endpoint, hub, protocol).replace(/^http/, "ws");
}
