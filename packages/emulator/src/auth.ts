// Token checks for REST calls (protocol.md 1.2/1.3) and client handshakes (3.1). The rules (signature, exp required,
// 5 minutes of skew, audience forms) are @webpubsub/core's; the emulator only decides which URLs it was reached
// under: the plain-HTTP URL of the request and the same URL with https, because TLS may be terminated in front of it
// (a connection string with Endpoint=https://... signs https audiences).
import {
  type ClientProtocol,
  checkJwtClaims,
  clientAudience,
  decodeJwt,
  JwtError,
  type JwtPayload,
  restAudienceMatches,
  verifyJwtSync,
} from "@webpubsub/core";

export const ENTRA_AUDIENCE = "https://webpubsub.azure.com";

/** `http://...` and `https://...` spellings of one URL (the scheme of `url` is replaced). */
function bothSchemes(url: string): [string, string] {
  const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  return [`http://${rest}`, `https://${rest}`];
}

/** REST audience rule (core's restAudienceMatches) for a request that arrived at `requestUrl`. */
export function restAudienceMatcher(requestUrl: string): (aud: string) => boolean {
  const [http, https] = bothSchemes(requestUrl);
  return (aud) => restAudienceMatches(aud, http) || restAudienceMatches(aud, https);
}

export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/** Verifies a REST bearer token; throws JwtError (mapped to 401 by the caller). */
export function verifyRestToken(
  token: string | undefined,
  requestUrl: string,
  keys: string[],
  allowEntraTokens: boolean,
): JwtPayload {
  if (token === undefined) throw new JwtError("malformed", "Missing 'Authorization: Bearer <token>' header.");
  if (allowEntraTokens) {
    const { header, payload } = decodeJwt(token);
    const auds = typeof payload.aud === "string" ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
    const isEntra = header.alg !== "HS256" || auds.some((a) => typeof a === "string" && isEntraAudience(a));
    if (isEntra) {
      // The signature of an Entra token cannot be checked offline: only its audience and lifetime are.
      // Audience: the Web PubSub resource (https://webpubsub.azure.com) or this endpoint's origin (either scheme).
      checkJwtClaims(payload, { audience: (a) => isEntraAudience(a) || isEndpointAudience(a, requestUrl) });
      return payload;
    }
  }
  return verifyJwtSync(token, keys, { audience: restAudienceMatcher(requestUrl) });
}

function isEndpointAudience(aud: string, requestUrl: string): boolean {
  const a = aud.toLowerCase().replace(/\/+$/, "");
  const origin = new URL(requestUrl).origin.toLowerCase();
  return bothSchemes(origin).includes(a);
}

function isEntraAudience(aud: string): boolean {
  const a = aud.toLowerCase().replace(/\/+$/, "");
  return a === ENTRA_AUDIENCE || a === `${ENTRA_AUDIENCE}/.default`;
}

/**
 * The audience a client token for `hub` must carry, for a request that arrived at `host`: core's clientAudience for
 * the http and https endpoints, compared like a REST audience (case-insensitive, URL-decoded forms match).
 * Undefined when `host` is not a usable host (the handshake answers 401).
 */
export function clientAudienceMatcher(
  host: string,
  hub: string,
  protocol: ClientProtocol = "default",
): ((aud: string) => boolean) | undefined {
  let http: string;
  let https: string;
  try {
    http = clientAudience(`http://${host}`, hub, protocol);
    https = clientAudience(`https://${host}`, hub, protocol);
  } catch {
    return undefined;
  }
  return (aud) => restAudienceMatches(aud, http) || restAudienceMatches(aud, https);
}
