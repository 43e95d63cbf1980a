// The HS256 JWT rules at their edges: token structure, segment decoding, argument checks, and the time claims, each
// failure with its JwtError code (or TypeError/RangeError for a caller's mistake) and a message naming the problem.
import {
  base64UrlEncode,
  checkJwtClaims,
  JwtError,
  type JwtPayload,
  signJwtSync,
  verifyJwtSync,
} from "@webpubsub/core";
import { describe, expect, test } from "vitest";

const KEY = "key";
const NOW = 1_700_000_000;

function failure(fn: () => unknown): { name: string; code?: string; message: string } {
  try {
    fn();
  } catch (e) {
    const error = e as Error & { code?: string };
    return { name: error.name, code: error.code, message: error.message };
  }
  throw new Error("expected a failure");
}

/** A token with the given raw segments, signed properly so that only the structure or content is wrong. */
function token(header: string, payload: string): string {
  const sig = signJwtSync({}, KEY); // any valid-looking signature segment
  return `${header}.${payload}.${sig.split(".")[2]}`;
}
const seg = (value: unknown) => base64UrlEncode(JSON.stringify(value));
const HEADER = seg({ alg: "HS256", typ: "JWT" });

describe("token structure", () => {
  test("exactly three dot-separated segments and a non-empty header: anything else is malformed, and says so", () => {
    for (const t of ["abc", "a.b", `.${seg({})}.sig`, "a.b.c.d", `${HEADER}.${seg({})}.sig.`]) {
      expect(
        failure(() => verifyJwtSync(t, KEY)),
        t,
      ).toEqual({
        name: "JwtError",
        code: "malformed",
        message: "JWT must have three dot-separated segments",
      });
    }
    expect(failure(() => verifyJwtSync(42 as never, KEY))).toMatchObject({
      code: "malformed",
      message: "JWT must be a string",
    });
  });

  test("a segment that is not base64url JSON, or not a JSON object, is malformed and named", () => {
    expect(failure(() => verifyJwtSync(token("%%%", seg({})), KEY))).toMatchObject({
      code: "malformed",
      message: "JWT header is not base64url-encoded JSON",
    });
    expect(failure(() => verifyJwtSync(token(HEADER, base64UrlEncode("{")), KEY))).toMatchObject({
      code: "malformed",
      message: "JWT payload is not base64url-encoded JSON",
    });
    for (const notObject of [null, [1], "text", 5]) {
      expect(failure(() => verifyJwtSync(token(seg(notObject), seg({})), KEY))).toMatchObject({
        code: "malformed",
        message: "JWT header is not a JSON object",
      });
      expect(failure(() => verifyJwtSync(token(HEADER, seg(notObject)), KEY))).toMatchObject({
        code: "malformed",
        message: "JWT payload is not a JSON object",
      });
    }
  });

  test("another algorithm is refused by name; a signature that is not base64url or not 32 bytes is refused", () => {
    expect(failure(() => verifyJwtSync(token(seg({ alg: "none" }), seg({})), KEY))).toMatchObject({
      code: "unsupported_algorithm",
      message: 'JWT algorithm "none" is not supported; expected HS256',
    });
    const [h, p] = signJwtSync({ exp: NOW + 60 }, KEY).split(".");
    expect(failure(() => verifyJwtSync(`${h}.${p}.***`, KEY))).toMatchObject({
      code: "malformed",
      message: "JWT signature is not base64url",
    });
    expect(failure(() => verifyJwtSync(`${h}.${p}.${base64UrlEncode(new Uint8Array(31))}`, KEY))).toMatchObject({
      code: "invalid_signature",
      message: "JWT signature is invalid",
    });
  });

  test("a well-formed signature made with another key is invalid, and says so", () => {
    expect(failure(() => verifyJwtSync(signJwtSync({ exp: NOW + 60 }, "other"), KEY, { now: NOW }))).toEqual({
      name: "JwtError",
      code: "invalid_signature",
      message: "JWT signature is invalid",
    });
  });

  test("JwtError is named JwtError", () => {
    expect(new JwtError("expired", "x").name).toBe("JwtError");
  });
});

describe("arguments", () => {
  test("sign: the payload must be a plain object, the key a non-empty string", () => {
    for (const payload of [null, [], "x", 1]) {
      expect(failure(() => signJwtSync(payload as never, KEY))).toEqual({
        name: "TypeError",
        message: "payload must be a plain object",
      });
    }
    for (const key of ["", 5, undefined]) {
      expect(failure(() => signJwtSync({}, key as never))).toMatchObject({
        name: "TypeError",
        message: "key must be a non-empty string",
      });
    }
  });

  test("sign: now must be finite; expiresInSeconds finite and greater than 0 (0 is refused)", () => {
    expect(failure(() => signJwtSync({}, KEY, { now: Number.NaN }))).toEqual({
      name: "TypeError",
      message: "opts.now must be a finite number",
    });
    expect(failure(() => signJwtSync({}, KEY, { expiresInSeconds: Number.POSITIVE_INFINITY }))).toEqual({
      name: "TypeError",
      message: "opts.expiresInSeconds must be a finite number",
    });
    expect(failure(() => signJwtSync({}, KEY, { expiresInSeconds: 0 }))).toEqual({
      name: "RangeError",
      message: "opts.expiresInSeconds must be greater than 0",
    });
    expect(signJwtSync({}, KEY, { now: NOW, expiresInSeconds: 0.5 })).toBeTypeOf("string");
  });

  // Rule: sign never mints a token that verify would call malformed: time claims given in the payload (iat, exp, nbf)
  // must be finite numbers, as verify requires. A string or NaN iat made `"exp":null`, a null iat an exp of 60 (1970).
  test("sign: iat, exp and nbf given in the payload must be finite numbers, and are named", () => {
    for (const name of ["iat", "exp", "nbf"] as const) {
      for (const bad of ["1", Number.NaN, Number.POSITIVE_INFINITY, null]) {
        expect(
          failure(() => signJwtSync({ [name]: bad }, KEY, { now: NOW, expiresInSeconds: 60 })),
          `${name} ${bad}`,
        ).toEqual({ name: "TypeError", message: `payload.${name} must be a finite number` });
      }
      const t = signJwtSync({ [name]: NOW }, KEY, { now: NOW });
      expect(verifyJwtSync(t, KEY, { now: NOW, requireExp: false })[name]).toBe(NOW);
    }
  });

  test("verify: keys must be a non-empty string or a non-empty array of non-empty strings, every one of them", () => {
    const t = signJwtSync({ exp: NOW + 60 }, KEY);
    for (const keys of ["", [], [""], [KEY, ""], [KEY, 1], 5]) {
      expect(failure(() => verifyJwtSync(t, keys as never, { now: NOW }))).toEqual({
        name: "TypeError",
        message: "keys must be a non-empty string or a non-empty array of non-empty strings",
      });
    }
  });

  test("verify options: skew finite and not negative, now finite, audience a string, array or function", () => {
    const t = signJwtSync({ exp: NOW + 60 }, KEY);
    expect(failure(() => verifyJwtSync(t, KEY, { clockSkewSeconds: Number.NaN }))).toEqual({
      name: "TypeError",
      message: "opts.clockSkewSeconds must be a finite number",
    });
    expect(failure(() => verifyJwtSync(t, KEY, { clockSkewSeconds: -1 }))).toEqual({
      name: "RangeError",
      message: "opts.clockSkewSeconds must not be negative",
    });
    expect(verifyJwtSync(t, KEY, { clockSkewSeconds: 0, now: NOW })).toMatchObject({ exp: NOW + 60 });
    expect(failure(() => verifyJwtSync(t, KEY, { now: Number.POSITIVE_INFINITY }))).toEqual({
      name: "TypeError",
      message: "opts.now must be a finite number",
    });
    for (const audience of [5, {}, null]) {
      expect(failure(() => verifyJwtSync(t, KEY, { now: NOW, audience: audience as never }))).toEqual({
        name: "TypeError",
        message: "opts.audience must be a string, an array of strings or a function",
      });
    }
  });

  test("checkJwtClaims: the payload must be a plain object", () => {
    for (const payload of [null, [], "x", 1]) {
      expect(failure(() => checkJwtClaims(payload as never, { now: NOW }))).toEqual({
        name: "TypeError",
        message: "payload must be a plain object",
      });
    }
  });
});

describe("time claims", () => {
  const claims = (payload: JwtPayload) => failure(() => checkJwtClaims(payload, { now: NOW, clockSkewSeconds: 0 }));

  test("exp, nbf and iat must be finite numbers: strings, NaN and infinities are malformed, and named", () => {
    for (const bad of ["soon", String(NOW + 60), Number.NaN, Number.POSITIVE_INFINITY, null]) {
      expect(claims({ exp: bad as never })).toMatchObject({
        code: "malformed",
        message: "JWT exp claim is not a number",
      });
      expect(claims({ exp: NOW + 60, nbf: bad as never })).toMatchObject({
        code: "malformed",
        message: "JWT nbf claim is not a number",
      });
      expect(claims({ exp: NOW + 60, iat: bad as never })).toMatchObject({
        code: "malformed",
        message: "JWT iat claim is not a number",
      });
    }
  });

  test("each time rule fails with its own code and message", () => {
    expect(claims({})).toMatchObject({ code: "missing_exp", message: "JWT has no exp claim" });
    expect(claims({ exp: NOW })).toMatchObject({ code: "expired", message: "JWT has expired" });
    expect(claims({ exp: NOW + 60, nbf: NOW + 1 })).toMatchObject({
      code: "not_yet_valid",
      message: "JWT is not valid yet (nbf)",
    });
    expect(failure(() => checkJwtClaims({ exp: NOW + 60, aud: "a" }, { now: NOW, audience: "b" }))).toMatchObject({
      code: "invalid_audience",
      message: "JWT audience does not match",
    });
  });
});
