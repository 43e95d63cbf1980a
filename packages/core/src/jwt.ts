// HS256 JSON Web Tokens (RFC 7519). The key is the access key string, used as UTF-8 bytes; HMAC-SHA256 runs in
// plain JavaScript with per-key precomputed state (see hmac.ts), so signing needs no async crypto round trip.

import { base64UrlDecode, base64UrlEncode, utf8Decode, utf8Encode } from "./base64.ts";
import { bytesEqual, hmacSha256Base64UrlSync, hmacSha256Sync } from "./hmac.ts";
import { shownValue } from "./shown.ts";

export interface JwtPayload {
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  sub?: string;
  iss?: string;
  [claim: string]: unknown;
}

export type JwtErrorCode =
  | "malformed"
  | "unsupported_algorithm"
  | "invalid_signature"
  | "expired"
  | "not_yet_valid"
  | "missing_exp"
  | "invalid_audience";

/** A token failed verification; `code` says why. Messages never contain keys. */
export class JwtError extends Error {
  override name = "JwtError";
  readonly code: JwtErrorCode;
  constructor(code: JwtErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export interface SignJwtOptions {
  /** Sets `exp = iat + expiresInSeconds`. */
  expiresInSeconds?: number;
  /** Current time in seconds since the epoch (default: now). */
  now?: number;
  /** Extra header fields (e.g. `kid`). `alg` and `typ` are always HS256 / JWT. */
  header?: Record<string, unknown>;
}

export interface VerifyJwtOptions {
  /** Expected audience: one value, any of several, or a predicate. String comparison is case-insensitive. */
  audience?: string | string[] | ((aud: string) => boolean);
  /** Tolerance for exp / nbf, in seconds (default 300). */
  clockSkewSeconds?: number;
  /** Current time in seconds since the epoch (default: now). */
  now?: number;
  /** Reject tokens without `exp` (default true). */
  requireExp?: boolean;
}

const DEFAULT_HEADER_SEGMENT = base64UrlEncode(JSON.stringify({ alg: "HS256", typ: "JWT" }));

/** The registered claims that hold a NumericDate (RFC 7519 section 4.1). */
const TIME_CLAIMS = ["iat", "exp", "nbf"] as const;

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function checkFiniteNumber(value: unknown, name: string): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new TypeError(`${name} must be a finite number`);
}

/** Signs `payload` with HS256. Adds `iat` (unless given) and `exp` when `expiresInSeconds` is set. */
export async function signJwt(payload: JwtPayload, key: string, opts: SignJwtOptions = {}): Promise<string> {
  return signJwtSync(payload, key, opts);
}

/** Synchronous signJwt (same rules and result), for hot paths such as a server minting many tokens. */
export function signJwtSync(payload: JwtPayload, key: string, opts: SignJwtOptions = {}): string {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    throw new TypeError("payload must be a plain object");
  }
  if (typeof key !== "string" || key.length === 0) throw new TypeError("key must be a non-empty string");
  const claims: JwtPayload = { ...payload };
  // what verify would call malformed is never signed (a string iat made "exp":null, a null one an exp in 1970)
  for (const name of TIME_CLAIMS) if (claims[name] !== undefined) checkFiniteNumber(claims[name], `payload.${name}`);
  if (claims.iat === undefined) {
    const now = opts.now ?? nowSeconds();
    checkFiniteNumber(now, "opts.now");
    claims.iat = Math.floor(now);
  }
  if (opts.expiresInSeconds !== undefined) {
    checkFiniteNumber(opts.expiresInSeconds, "opts.expiresInSeconds");
    if (opts.expiresInSeconds <= 0) throw new RangeError("opts.expiresInSeconds must be greater than 0");
    claims.exp = Math.floor(claims.iat! + opts.expiresInSeconds);
  }
  const headerSegment =
    opts.header === undefined
      ? DEFAULT_HEADER_SEGMENT
      : base64UrlEncode(JSON.stringify({ ...opts.header, alg: "HS256", typ: "JWT" }));
  const signingInput = `${headerSegment}.${base64UrlEncode(JSON.stringify(claims))}`;
  return `${signingInput}.${hmacSha256Base64UrlSync(key, signingInput)}`;
}

interface SplitToken {
  header: Record<string, unknown>;
  payload: JwtPayload;
  signingInput: string;
  signature: string;
}

function decodeSegmentJson(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8Decode(base64UrlDecode(segment)));
  } catch {
    throw new JwtError("malformed", `JWT ${what} is not base64url-encoded JSON`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new JwtError("malformed", `JWT ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function split(token: string): SplitToken {
  if (typeof token !== "string") throw new JwtError("malformed", "JWT must be a string");
  const first = token.indexOf(".");
  const second = first < 0 ? -1 : token.indexOf(".", first + 1);
  if (first <= 0 || second < 0 || token.indexOf(".", second + 1) >= 0) {
    throw new JwtError("malformed", "JWT must have three dot-separated segments");
  }
  const header = decodeSegmentJson(token.slice(0, first), "header");
  const payload = decodeSegmentJson(token.slice(first + 1, second), "payload");
  return { header, payload, signingInput: token.slice(0, second), signature: token.slice(second + 1) };
}

/** Decodes a token without verifying anything. Throws JwtError("malformed") when it is not a JWT. */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: JwtPayload } {
  const { header, payload } = split(token);
  return { header, payload };
}

function audienceMatches(tokenAud: unknown, expected: NonNullable<VerifyJwtOptions["audience"]>): boolean {
  const values = Array.isArray(tokenAud) ? tokenAud : [tokenAud];
  for (const aud of values) {
    if (typeof aud !== "string") continue;
    if (typeof expected === "function") {
      if (expected(aud)) return true;
      continue;
    }
    const lower = aud.toLowerCase();
    for (const e of typeof expected === "string" ? [expected] : expected) {
      if (e.toLowerCase() === lower) return true;
    }
  }
  return false;
}

/**
 * Verifies an HS256 token against one or more keys (any may match), then its time claims and audience.
 * Throws JwtError with a `code`; resolves to the payload.
 */
export async function verifyJwt(
  token: string,
  keys: string | string[],
  opts: VerifyJwtOptions = {},
): Promise<JwtPayload> {
  return verifyJwtSync(token, keys, opts);
}

/** Synchronous verifyJwt (same rules): throws JwtError, returns the payload. For servers checking many tokens. */
export function verifyJwtSync(token: string, keys: string | string[], opts: VerifyJwtOptions = {}): JwtPayload {
  const keyList = typeof keys === "string" ? [keys] : keys;
  if (!Array.isArray(keyList) || keyList.length === 0 || keyList.some((k) => typeof k !== "string" || k === "")) {
    throw new TypeError("keys must be a non-empty string or a non-empty array of non-empty strings");
  }
  const rules = claimRules(opts);

  const { header, payload, signingInput, signature } = split(token);
  if (header.alg !== "HS256") {
    throw new JwtError(
      "unsupported_algorithm",
      `JWT algorithm ${shownValue(header.alg)} is not supported; expected HS256`,
    );
  }
  let signatureBytes: Uint8Array;
  try {
    signatureBytes = base64UrlDecode(signature);
  } catch {
    throw new JwtError("malformed", "JWT signature is not base64url");
  }
  if (signatureBytes.length !== 32) throw new JwtError("invalid_signature", "JWT signature is invalid");
  const data = utf8Encode(signingInput);
  let valid = false;
  for (const key of keyList) {
    if (bytesEqual(hmacSha256Sync(key, data), signatureBytes)) {
      valid = true;
      break;
    }
  }
  if (!valid) throw new JwtError("invalid_signature", "JWT signature is invalid");

  checkClaims(payload, rules);
  return payload;
}

interface ClaimRules {
  skew: number;
  now: number;
  aud: VerifyJwtOptions["audience"];
  requireExp: boolean;
}

function claimRules(opts: VerifyJwtOptions): ClaimRules {
  const skew = opts.clockSkewSeconds ?? 300;
  checkFiniteNumber(skew, "opts.clockSkewSeconds");
  if (skew < 0) throw new RangeError("opts.clockSkewSeconds must not be negative");
  const now = opts.now ?? nowSeconds();
  checkFiniteNumber(now, "opts.now");
  const aud = opts.audience;
  if (aud !== undefined && typeof aud !== "string" && typeof aud !== "function" && !Array.isArray(aud)) {
    throw new TypeError("opts.audience must be a string, an array of strings or a function");
  }
  return { skew, now, aud, requireExp: opts.requireExp ?? true };
}

function checkClaims(payload: JwtPayload, { skew, now, aud, requireExp }: ClaimRules): void {
  if (payload.exp === undefined) {
    if (requireExp) throw new JwtError("missing_exp", "JWT has no exp claim");
  } else if (typeof payload.exp !== "number" || !Number.isFinite(payload.exp)) {
    throw new JwtError("malformed", "JWT exp claim is not a number");
  } else if (now >= payload.exp + skew) {
    throw new JwtError("expired", "JWT has expired");
  }
  if (payload.nbf !== undefined) {
    if (typeof payload.nbf !== "number" || !Number.isFinite(payload.nbf)) {
      throw new JwtError("malformed", "JWT nbf claim is not a number");
    }
    if (now + skew < payload.nbf) throw new JwtError("not_yet_valid", "JWT is not valid yet (nbf)");
  }
  if (payload.iat !== undefined && (typeof payload.iat !== "number" || !Number.isFinite(payload.iat))) {
    throw new JwtError("malformed", "JWT iat claim is not a number");
  }
  if (aud !== undefined && !audienceMatches(payload.aud, aud)) {
    throw new JwtError("invalid_audience", "JWT audience does not match");
  }
}

/**
 * Checks the time claims (`exp`, `nbf`, `iat`) and the audience of an already decoded payload, with the rules of
 * verifyJwt, but no signature. For tokens whose signature is checked elsewhere or cannot be (e.g. Entra ID tokens
 * seen by an offline emulator). Throws JwtError.
 */
export function checkJwtClaims(payload: JwtPayload, opts: VerifyJwtOptions = {}): void {
  const rules = claimRules(opts);
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    throw new TypeError("payload must be a plain object");
  }
  checkClaims(payload, rules);
}
