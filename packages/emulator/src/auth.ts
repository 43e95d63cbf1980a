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

/**
 * Entra dev mode (allowEntraTokens) as resolved from the options: the expected tenant and issuers, when given, are
 * checked on every Entra token besides its shape, audience and lifetime.
 */
export interface EntraPolicy {
  /** lowercase tenant id (GUID): the token's `tid` must be it, and its `iss` (when present) must name it */
  readonly tenantId?: string;
  /** exact issuers (`iss`), a trailing "/" aside */
  readonly issuers?: readonly string[];
}

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
  entra: false | EntraPolicy,
): JwtPayload {
  if (token === undefined) throw new JwtError("malformed", "Missing 'Authorization: Bearer <token>' header.");
  if (entra !== false) {
    const { header, payload } = decodeJwt(token);
    const auds = typeof payload.aud === "string" ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
    const isEntra = header.alg !== "HS256" || auds.some((a) => typeof a === "string" && isEntraAudience(a));
    if (isEntra) {
      // The signature of an Entra token cannot be checked offline: only its audience and lifetime are.
      // Audience: the Web PubSub resource (https://webpubsub.azure.com) or this endpoint's origin (either scheme).
      checkJwtClaims(payload, { audience: (a) => isEntraAudience(a) || isEndpointAudience(a, requestUrl) });
      checkEntraAuthority(payload, entra);
      return payload;
    }
  }
  return verifyJwtSync(token, keys, { audience: restAudienceMatcher(requestUrl) });
}

// core's JwtErrorCode has no issuer code: a token from another tenant or issuer is, like a wrong audience, a token
// meant for someone else, so it is refused as "invalid_audience" with a message that says which claim failed.
function checkEntraAuthority(payload: JwtPayload, entra: EntraPolicy): void {
  const iss = typeof payload.iss === "string" ? payload.iss : undefined;
  if (entra.tenantId !== undefined) {
    const tid = typeof payload.tid === "string" ? payload.tid.toLowerCase() : undefined;
    if (tid !== entra.tenantId) {
      throw new JwtError("invalid_audience", "The token's tenant (tid) is not the tenant this emulator expects.");
    }
    if (iss !== undefined && issuerTenant(iss) !== entra.tenantId) {
      throw new JwtError(
        "invalid_audience",
        "The token's issuer (iss) does not name the tenant this emulator expects.",
      );
    }
  }
  if (entra.issuers !== undefined) {
    const given = iss === undefined ? undefined : trimSlash(iss);
    if (given === undefined || !entra.issuers.some((i) => trimSlash(i) === given)) {
      throw new JwtError("invalid_audience", "The token's issuer (iss) is not one this emulator expects.");
    }
  }
}

/** The tenant an Entra issuer names: the first path segment (https://sts.windows.net/<tenant>/, .../<tenant>/v2.0). */
function issuerTenant(iss: string): string | undefined {
  try {
    return new URL(iss).pathname.split("/")[1]?.toLowerCase();
  } catch {
    return undefined;
  }
}

const trimSlash = (s: string) => (s.endsWith("/") ? s.slice(0, -1) : s);

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
