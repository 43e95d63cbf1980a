// HS256 round trips over generated claims, keys and clocks: a token verifies under its own key with exactly the
// claims it was signed with (plus iat and exp), under no other key, and not after any single-character change.
import { decodeJwt, JwtError, signJwtSync, verifyJwtSync } from "@webpubsub/core";
import fc from "fast-check";
import { describe, expect, test } from "vitest";

const RESERVED = new Set(["iat", "exp", "nbf", "aud", "__proto__"]);
/** Claims: JSON objects as JSON carries them (-0 reads back as 0), without the claims the signer sets itself. */
const claims = fc
  .dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 })
  .map((c) => JSON.parse(JSON.stringify(c)) as Record<string, unknown>)
  .map((c) => Object.fromEntries(Object.entries(c).filter(([k]) => !RESERVED.has(k))));
const key = fc.string({ unit: "grapheme", minLength: 1, maxLength: 80 });
const now = fc.integer({ min: 0, max: 4_000_000_000 });
const lifetime = fc.integer({ min: 1, max: 100_000 });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof JwtError ? e.code : `not a JwtError: ${String(e)}`;
  }
}

describe("signJwt and verifyJwt round trip", () => {
  test("a token verifies under its key, from iat until exp, and yields exactly its claims plus iat and exp", () => {
    fc.assert(
      fc.property(claims, key, now, lifetime, fc.integer({ min: 0, max: 1 }), (c, k, t, life, at) => {
        const token = signJwtSync(c, k, { now: t, expiresInSeconds: life });
        const expected = { ...c, iat: t, exp: t + life };
        const checkAt = at === 0 ? t : t + life - 1;
        expect(verifyJwtSync(token, k, { now: checkAt, clockSkewSeconds: 0 })).toEqual(expected);
        expect(decodeJwt(token)).toEqual({ header: { alg: "HS256", typ: "JWT" }, payload: expected });
        expect(codeOf(() => verifyJwtSync(token, k, { now: t + life, clockSkewSeconds: 0 }))).toBe("expired");
      }),
      { numRuns: 300 },
    );
  });

  test("a token does not verify under any other key", () => {
    fc.assert(
      fc.property(claims, key, key, now, (c, k, other, t) => {
        fc.pre(k !== other);
        const token = signJwtSync(c, k, { now: t, expiresInSeconds: 60 });
        expect(codeOf(() => verifyJwtSync(token, other, { now: t }))).toBe("invalid_signature");
        expect(verifyJwtSync(token, [other, k], { now: t })).toMatchObject(c);
      }),
      { numRuns: 300 },
    );
  });

  test("changing any one character of a token makes it fail verification", () => {
    const token = signJwtSync({ sub: "alice", role: ["webpubsub.sendToGroup.g"] }, "key", { expiresInSeconds: 60 });
    fc.assert(
      fc.property(
        fc.nat({ max: token.length - 1 }),
        fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
        (index, char) => {
          fc.pre(token[index] !== char);
          const changed = token.slice(0, index) + char + token.slice(index + 1);
          // A change in the unused low bits of a segment's last character leaves its bytes as they were: that is
          // the same token, not a tampered one (Node's decoder, independent of ours, tells).
          const segments = changed.split(".");
          const original = token.split(".");
          fc.pre(
            segments.length !== 3 ||
              segments.some((s, i) => !Buffer.from(s, "base64url").equals(Buffer.from(original[i]!, "base64url"))),
          );
          expect(codeOf(() => verifyJwtSync(changed, "key"))).toBeDefined();
        },
      ),
      { numRuns: 500 },
    );
  });
});
