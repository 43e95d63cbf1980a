// Token checks for REST calls (protocol.md 1.2/1.3) and client handshakes (3.1).
import { checkLifetimeAndAudience, readClaims, type TokenClaims, TokenError, verifyToken } from "./tokens.ts";

export const ENTRA_AUDIENCE = "https://webpubsub.azure.com";

/** Lowercases and drops the scheme, so http/https (and ws/wss) spellings of one URL compare equal. */
function normalizeUrl(url: string): string {
  const lower = url.toLowerCase();
  const i = lower.indexOf("://");
  return i < 0 ? lower : lower.slice(i + 3);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * REST audience rule: `aud` is the request URL with or without its query, case-insensitive; a URL-decoded `aud`
 * also matches. The scheme is not compared (TLS may be terminated in front of the emulator).
 */
export function restAudienceMatcher(requestUrl: string): (aud: string) => boolean {
  const full = normalizeUrl(requestUrl);
  const q = full.indexOf("?");
  const noQuery = q < 0 ? full : full.slice(0, q);
  const accepted = new Set([full, noQuery, safeDecode(full), safeDecode(noQuery)]);
  return (aud) => {
    const a = normalizeUrl(aud);
    return accepted.has(a) || accepted.has(safeDecode(a)) || accepted.has(a.replace(/\/$/, ""));
  };
}

export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/** Verifies a REST bearer token; throws TokenError (mapped to 401 by the caller). */
export function verifyRestToken(
  token: string | undefined,
  requestUrl: string,
  keys: readonly string[],
  allowEntraTokens: boolean,
): TokenClaims {
  if (token === undefined) throw new TokenError("malformed", "Missing 'Authorization: Bearer <token>' header.");
  const matches = restAudienceMatcher(requestUrl);
  if (allowEntraTokens) {
    const { header, payload } = readClaims(token);
    const auds = typeof payload.aud === "string" ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
    const isEntra = header.alg !== "HS256" || auds.some((a) => typeof a === "string" && isEntraAudience(a));
    if (isEntra) {
      // The signature of an Entra token cannot be checked offline: only its audience and lifetime are.
      checkLifetimeAndAudience(payload, { audience: isEntraAudience });
      return payload;
    }
  }
  return verifyToken(token, keys, { audience: matches });
}

function isEntraAudience(aud: string): boolean {
  const a = aud.toLowerCase().replace(/\/+$/, "");
  return a === ENTRA_AUDIENCE || a === `${ENTRA_AUDIENCE}/.default`;
}

/** The audience a client token for `hub` must carry, for a request that arrived at `host`. */
export function clientAudienceMatcher(host: string, hub: string): (aud: string) => boolean {
  const expected = `${host}/client/hubs/${hub}`.toLowerCase();
  return (aud) => {
    const a = normalizeUrl(aud).replace(/\/+$/, "");
    return a === expected || safeDecode(a) === expected;
  };
}
