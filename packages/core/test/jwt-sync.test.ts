import { checkJwtClaims, JwtError, signJwt, signJwtSync, verifyJwt, verifyJwtSync } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const NOW = 1_700_000_000;

describe("signJwtSync / verifyJwtSync", () => {
  test("produce exactly what the async functions produce", async () => {
    const opts = { now: NOW, expiresInSeconds: 60, header: { kid: "k1" } };
    const sync = signJwtSync({ aud: "http://h/api", sub: "u" }, KEY, opts);
    expect(sync).toBe(await signJwt({ aud: "http://h/api", sub: "u" }, KEY, opts));
    expect(verifyJwtSync(sync, KEY, { now: NOW, audience: "HTTP://H/API" })).toEqual(
      await verifyJwt(sync, KEY, { now: NOW, audience: "http://h/api" }),
    );
  });

  test("return synchronously (not a promise)", () => {
    const token = signJwtSync({ aud: "a", exp: NOW + 10 }, KEY);
    expect(typeof token).toBe("string");
    const payload = verifyJwtSync(token, [KEY], { now: NOW, audience: (a) => a === "a" });
    expect(payload).toMatchObject({ aud: "a", exp: NOW + 10 });
  });

  test.each([
    ["a tampered signature", (t: string) => `${t.slice(0, -2)}AA`, "invalid_signature"],
    ["a missing segment", (t: string) => t.slice(0, t.lastIndexOf(".")), "malformed"],
  ])("throw JwtError synchronously for %s", (_name, mutate, code) => {
    // signed at NOW, not at the wall clock: a token of the current second ended in "AA" about once in 1,024 runs,
    // and then the "tampered" token was the token itself
    const token = signJwtSync({ aud: "a", exp: NOW + 10 }, KEY, { now: NOW });
    expect(mutate(token)).not.toBe(token);
    let error: unknown;
    try {
      verifyJwtSync(mutate(token), KEY, { now: NOW });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JwtError);
    expect((error as JwtError).code).toBe(code);
  });

  test("apply the time and audience rules of verifyJwt", () => {
    const token = signJwtSync({ aud: "a" }, KEY, { now: NOW, expiresInSeconds: 10 });
    expect(() => verifyJwtSync(token, KEY, { now: NOW + 10 + 300 })).toThrow(
      expect.objectContaining({ code: "expired" }),
    );
    expect(() => verifyJwtSync(token, KEY, { now: NOW, audience: "b" })).toThrow(
      expect.objectContaining({ code: "invalid_audience" }),
    );
    expect(() => verifyJwtSync(signJwtSync({}, KEY), KEY)).toThrow(expect.objectContaining({ code: "missing_exp" }));
  });

  test("reject bad arguments with TypeError", () => {
    expect(() => signJwtSync({}, "")).toThrow(TypeError);
    expect(() => verifyJwtSync("a.b.c", [])).toThrow(TypeError);
  });
});

describe("checkJwtClaims", () => {
  test("applies verifyJwt's time and audience rules to a decoded payload", () => {
    expect(() => checkJwtClaims({ aud: "A", exp: NOW + 10 }, { now: NOW, audience: "a" })).not.toThrow();
    expect(() => checkJwtClaims({ aud: "a", exp: NOW - 301 }, { now: NOW })).toThrow(
      expect.objectContaining({ code: "expired" }),
    );
    expect(() => checkJwtClaims({ aud: "a" }, { now: NOW })).toThrow(expect.objectContaining({ code: "missing_exp" }));
    expect(() => checkJwtClaims({ aud: "a", exp: NOW + 10, nbf: NOW + 301 }, { now: NOW })).toThrow(
      expect.objectContaining({ code: "not_yet_valid" }),
    );
    expect(() => checkJwtClaims({ aud: "b", exp: NOW + 10 }, { now: NOW, audience: ["a", "c"] })).toThrow(
      expect.objectContaining({ code: "invalid_audience" }),
    );
  });

  test("rejects a payload that is not an object, and bad options, with TypeError/RangeError", () => {
    expect(() => checkJwtClaims(null as never)).toThrow(TypeError);
    expect(() => checkJwtClaims({ exp: NOW }, { clockSkewSeconds: -1 })).toThrow(RangeError);
  });
});
