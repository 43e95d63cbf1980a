// Token signing and checking for the emulator's hot paths (every REST call, every handshake, every reliable
// connection's reconnection token). The emulator is Node-only, so this uses node:crypto's synchronous HMAC instead of
// @webpubsub/core's WebCrypto-based (async) JWT helpers; the rules (audience forms, 5 min skew, required exp) are those
// of protocol.md sections 1.2 and 3.1.
import { createHmac, timingSafeEqual } from "node:crypto";

export type JwtErrorCode =
  | "malformed"
  | "unsupported_algorithm"
  | "invalid_signature"
  | "expired"
  | "not_yet_valid"
  | "missing_exp"
  | "invalid_audience";

export class TokenError extends Error {
  readonly code: JwtErrorCode;
  constructor(code: JwtErrorCode, message: string) {
    super(message);
    this.name = "TokenError";
    this.code = code;
  }
}

export interface TokenClaims {
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  sub?: string;
  [claim: string]: unknown;
}

const HEADER_HS256 = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

/** Signs an HS256 JWT with the access key (used as UTF-8, never base64-decoded). */
export function signToken(payload: TokenClaims, key: string): string {
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  const input = `${HEADER_HS256}.${body}`;
  const sig = createHmac("sha256", key).update(input).digest("base64url");
  return `${input}.${sig}`;
}

export interface VerifyOptions {
  /** Decides whether one `aud` value is acceptable. */
  audience: (aud: string) => boolean;
  /** Seconds since epoch; defaults to the wall clock. */
  now?: number;
  clockSkewSeconds?: number;
}

/** Verifies an HS256 JWT against any of `keys`; throws TokenError with a code saying what failed. */
export function verifyToken(token: string, keys: readonly string[], opts: VerifyOptions): TokenClaims {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[0] || !parts[1] || parts[2] === undefined) {
    throw new TokenError("malformed", "The token is not a JWT (expected three dot-separated parts).");
  }
  let header: Record<string, unknown>;
  let payload: TokenClaims;
  try {
    header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
    payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch {
    throw new TokenError("malformed", "The token header or payload is not base64url-encoded JSON.");
  }
  if (typeof header !== "object" || header === null || typeof payload !== "object" || payload === null) {
    throw new TokenError("malformed", "The token header and payload must be JSON objects.");
  }
  if (header.alg !== "HS256") {
    throw new TokenError("unsupported_algorithm", `Unsupported token algorithm '${String(header.alg)}'; use HS256.`);
  }
  const input = `${parts[0]}.${parts[1]}`;
  const given = Buffer.from(parts[2], "base64url");
  let ok = false;
  for (const key of keys) {
    const expected = createHmac("sha256", key).update(input).digest();
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  if (!ok) throw new TokenError("invalid_signature", "The token signature does not match the access key.");
  checkLifetimeAndAudience(payload, opts);
  return payload;
}

/** Checks exp (required), nbf and aud of already-trusted or unverifiable claims. */
export function checkLifetimeAndAudience(payload: TokenClaims, opts: VerifyOptions): void {
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const skew = opts.clockSkewSeconds ?? 300;
  if (typeof payload.exp !== "number") throw new TokenError("missing_exp", "The token has no 'exp' claim.");
  if (payload.exp + skew < now) throw new TokenError("expired", "The token has expired.");
  if (typeof payload.nbf === "number" && payload.nbf - skew > now) {
    throw new TokenError("not_yet_valid", "The token is not valid yet ('nbf').");
  }
  const auds = typeof payload.aud === "string" ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  if (!auds.some((a) => typeof a === "string" && opts.audience(a))) {
    throw new TokenError("invalid_audience", "The token audience does not match the requested URL.");
  }
}

/** Reads the claims of a JWT without verifying it (for Entra tokens, whose signature cannot be checked offline). */
export function readClaims(token: string): { header: Record<string, unknown>; payload: TokenClaims } {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[0] || !parts[1]) throw new TokenError("malformed", "The token is not a JWT.");
  try {
    const header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
    const payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    if (typeof header !== "object" || header === null || typeof payload !== "object" || payload === null) {
      throw new Error("not objects");
    }
    return { header, payload };
  } catch {
    throw new TokenError("malformed", "The token header or payload is not base64url-encoded JSON.");
  }
}
