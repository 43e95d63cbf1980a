import { createHmac } from "node:crypto";
import { base64UrlEncode, decodeJwt, JwtError, signJwt, verifyJwt } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const NOW = 1_730_000_000;

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(JwtError);
    return (e as JwtError).code;
  }
  throw new Error("expected a JwtError");
}

/** Independent HS256 check with node:crypto. */
function nodeVerify(token: string, key: string): Record<string, unknown> {
  const [h, p, sig] = token.split(".") as [string, string, string];
  expect(createHmac("sha256", key).update(`${h}.${p}`).digest("base64url")).toBe(sig);
  return JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
}

function forge(header: object, payload: object, key = KEY): string {
  const input = `${base64UrlEncode(JSON.stringify(header))}.${base64UrlEncode(JSON.stringify(payload))}`;
  return `${input}.${createHmac("sha256", key).update(input).digest("base64url")}`;
}

describe("signJwt", () => {
  test("produces a standard HS256 token (checked with node:crypto)", async () => {
    const token = await signJwt({ aud: "https://h/client/hubs/chat", sub: "alice", role: ["r"] }, KEY, {
      expiresInSeconds: 3600,
    });
    expect(nodeVerify(token, KEY)).toMatchObject({ sub: "alice", role: ["r"], aud: "https://h/client/hubs/chat" });
    const { header, payload } = decodeJwt(token);
    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  test("uses now for iat and keeps a given iat", async () => {
    const t1 = await signJwt({}, KEY, { now: NOW, expiresInSeconds: 60 });
    expect(decodeJwt(t1).payload).toEqual({ iat: NOW, exp: NOW + 60 });
    const t2 = await signJwt({ iat: 5 }, KEY, { now: NOW });
    expect(decodeJwt(t2).payload).toEqual({ iat: 5 });
  });

  test("matches an independent HS256 implementation byte for byte", async () => {
    const ours = await signJwt({ aud: "x", iat: NOW, exp: NOW + 10 }, KEY);
    expect(ours).toBe(forge({ alg: "HS256", typ: "JWT" }, { aud: "x", iat: NOW, exp: NOW + 10 }));
  });

  test("the key is used as UTF-8 text, not base64-decoded", async () => {
    const key = "ключ-🔑";
    const t = await signJwt({ iat: 1 }, key);
    expect(nodeVerify(t, key)).toEqual({ iat: 1 });
  });

  test("extra header fields such as kid are kept, alg cannot be overridden", async () => {
    const t = await signJwt({}, KEY, { header: { kid: "1234567890", alg: "none" } });
    expect(decodeJwt(t).header).toEqual({ kid: "1234567890", alg: "HS256", typ: "JWT" });
    await expect(verifyJwt(t, KEY, { requireExp: false })).resolves.toBeDefined();
  });

  test("bad arguments fail with TypeError/RangeError", async () => {
    await expect(signJwt(null as never, KEY)).rejects.toThrow(TypeError);
    await expect(signJwt({}, "")).rejects.toThrow(TypeError);
    await expect(signJwt({}, KEY, { expiresInSeconds: Number.NaN })).rejects.toThrow(TypeError);
    await expect(signJwt({}, KEY, { expiresInSeconds: -1 })).rejects.toThrow(RangeError);
  });

  test("different keys give different signatures (key cache is per key)", async () => {
    const a = await signJwt({ iat: 1 }, "key-a");
    const b = await signJwt({ iat: 1 }, "key-b");
    expect(a.split(".")[2]).not.toBe(b.split(".")[2]);
    await expect(verifyJwt(a, "key-a", { requireExp: false })).resolves.toBeDefined();
    expect(await code(verifyJwt(a, "key-b", { requireExp: false }))).toBe("invalid_signature");
  });
});

describe("verifyJwt", () => {
  test("accepts a valid token and returns its payload", async () => {
    const t = await signJwt({ aud: "a", sub: "u" }, KEY, { now: NOW, expiresInSeconds: 60 });
    await expect(verifyJwt(t, KEY, { now: NOW, audience: "a" })).resolves.toMatchObject({ sub: "u", aud: "a" });
  });

  test("accepts tokens signed by another implementation", async () => {
    const t = forge({ typ: "JWT", alg: "HS256" }, { sub: "u", aud: "aud", exp: Math.floor(Date.now() / 1000) + 60 });
    await expect(verifyJwt(t, KEY, { audience: "aud" })).resolves.toMatchObject({ sub: "u" });
  });

  test("any of several keys may match", async () => {
    const t = await signJwt({}, "secondary", { expiresInSeconds: 60 });
    await expect(verifyJwt(t, ["primary", "secondary"])).resolves.toBeDefined();
    expect(await code(verifyJwt(t, ["primary", "other"]))).toBe("invalid_signature");
  });

  test("rejects tampered payloads, headers and signatures", async () => {
    const t = await signJwt({ sub: "alice" }, KEY, { expiresInSeconds: 60 });
    const [h, p, s] = t.split(".") as [string, string, string];
    const evilPayload = base64UrlEncode(JSON.stringify({ ...decodeJwt(t).payload, sub: "mallory" }));
    expect(await code(verifyJwt(`${h}.${evilPayload}.${s}`, KEY))).toBe("invalid_signature");
    const otherHeader = base64UrlEncode(JSON.stringify({ alg: "HS256", typ: "JWT", kid: "x" }));
    expect(await code(verifyJwt(`${otherHeader}.${p}.${s}`, KEY))).toBe("invalid_signature");
    const flipped = (s[0] === "A" ? "B" : "A") + s.slice(1);
    expect(await code(verifyJwt(`${h}.${p}.${flipped}`, KEY))).toBe("invalid_signature");
    expect(await code(verifyJwt(`${h}.${p}.${s.slice(0, -3)}`, KEY))).toBe("invalid_signature");
    expect(await code(verifyJwt(`${h}.${p}.`, KEY))).toBe("invalid_signature");
  });

  test("wrong audience", async () => {
    const t = await signJwt({ aud: "https://h/client/hubs/a" }, KEY, { expiresInSeconds: 60 });
    expect(await code(verifyJwt(t, KEY, { audience: "https://h/client/hubs/b" }))).toBe("invalid_audience");
    expect(await code(verifyJwt(t, KEY, { audience: () => false }))).toBe("invalid_audience");
    const noAud = await signJwt({}, KEY, { expiresInSeconds: 60 });
    expect(await code(verifyJwt(noAud, KEY, { audience: "x" }))).toBe("invalid_audience");
  });

  test("audience comparison is case-insensitive, supports lists, arrays and predicates", async () => {
    const t = await signJwt({ aud: ["other", "https://H/Client/Hubs/A"] }, KEY, { expiresInSeconds: 60 });
    await expect(verifyJwt(t, KEY, { audience: "https://h/client/hubs/a" })).resolves.toBeDefined();
    await expect(verifyJwt(t, KEY, { audience: ["x", "OTHER"] })).resolves.toBeDefined();
    const seen: string[] = [];
    await verifyJwt(t, KEY, {
      audience: (a) => {
        seen.push(a);
        return a === "other";
      },
    });
    expect(seen).toEqual(["other"]);
  });

  test("expiry with clock skew", async () => {
    const t = await signJwt({}, KEY, { now: NOW, expiresInSeconds: 60 });
    const exp = NOW + 60;
    await expect(verifyJwt(t, KEY, { now: exp - 1, clockSkewSeconds: 0 })).resolves.toBeDefined();
    expect(await code(verifyJwt(t, KEY, { now: exp, clockSkewSeconds: 0 }))).toBe("expired");
    await expect(verifyJwt(t, KEY, { now: exp + 299 })).resolves.toBeDefined(); // default skew 300 s
    expect(await code(verifyJwt(t, KEY, { now: exp + 300 }))).toBe("expired");
    await expect(verifyJwt(t, KEY, { now: exp + 10, clockSkewSeconds: 20 })).resolves.toBeDefined();
    expect(await code(verifyJwt(t, KEY, { now: exp + 20, clockSkewSeconds: 20 }))).toBe("expired");
  });

  test("not-before with clock skew", async () => {
    const t = await signJwt({ nbf: NOW + 100 }, KEY, { now: NOW, expiresInSeconds: 3600 });
    expect(await code(verifyJwt(t, KEY, { now: NOW, clockSkewSeconds: 0 }))).toBe("not_yet_valid");
    expect(await code(verifyJwt(t, KEY, { now: NOW + 99, clockSkewSeconds: 0 }))).toBe("not_yet_valid");
    await expect(verifyJwt(t, KEY, { now: NOW + 100, clockSkewSeconds: 0 })).resolves.toBeDefined();
    await expect(verifyJwt(t, KEY, { now: NOW, clockSkewSeconds: 100 })).resolves.toBeDefined();
    expect(await code(verifyJwt(t, KEY, { now: NOW, clockSkewSeconds: 99 }))).toBe("not_yet_valid");
  });

  test("exp is required unless requireExp is false", async () => {
    const t = await signJwt({}, KEY);
    expect(await code(verifyJwt(t, KEY))).toBe("missing_exp");
    await expect(verifyJwt(t, KEY, { requireExp: false })).resolves.toBeDefined();
  });

  test("non-numeric time claims are malformed", async () => {
    expect(await code(verifyJwt(forge({ alg: "HS256" }, { exp: "tomorrow" }), KEY))).toBe("malformed");
    expect(await code(verifyJwt(forge({ alg: "HS256" }, { exp: NOW * 2, nbf: "x" }), KEY))).toBe("malformed");
  });

  test.each([[{ alg: "none" }], [{ alg: "HS384" }], [{ alg: "HS512" }], [{ alg: "RS256" }], [{ alg: "hs256" }], [{}]])(
    "rejects header %j as unsupported_algorithm",
    async (header) => {
      expect(await code(verifyJwt(forge(header, { exp: NOW * 2 }), KEY))).toBe("unsupported_algorithm");
    },
  );

  test("rejects alg none without signature", async () => {
    const none = `${base64UrlEncode(JSON.stringify({ alg: "none", typ: "JWT" }))}.${base64UrlEncode(JSON.stringify({ exp: NOW * 2 }))}.`;
    expect(await code(verifyJwt(none, KEY))).toBe("unsupported_algorithm");
  });

  test.each([
    "",
    "abc",
    "a.b",
    "a.b.c.d",
    ".e30.x",
    "!!!.e30.sig",
    `${base64UrlEncode("not json")}.e30.sig`,
    `${base64UrlEncode("[1]")}.e30.sig`,
    `${base64UrlEncode('{"alg":"HS256"}')}.${base64UrlEncode("null")}.sig`,
    `${base64UrlEncode('{"alg":"HS256"}')}.e30.s!g`,
  ])("rejects malformed token %j", async (t) => {
    expect(await code(verifyJwt(t, KEY, { requireExp: false }))).toBe("malformed");
  });

  test("non-string tokens are malformed", async () => {
    expect(await code(verifyJwt(42 as unknown as string, KEY))).toBe("malformed");
    expect(() => decodeJwt(undefined as unknown as string)).toThrow(JwtError);
  });

  test("bad keys and options are TypeErrors", async () => {
    const t = await signJwt({}, KEY, { expiresInSeconds: 60 });
    await expect(verifyJwt(t, [])).rejects.toThrow(TypeError);
    await expect(verifyJwt(t, "")).rejects.toThrow(TypeError);
    await expect(verifyJwt(t, KEY, { clockSkewSeconds: -1 })).rejects.toThrow(RangeError);
  });

  test("error messages never contain the key", async () => {
    const t = await signJwt({}, KEY, { expiresInSeconds: 60 });
    const attempts = [
      () => verifyJwt(t, "wrong-key-value"),
      () => verifyJwt(`${t}x`, KEY),
      () => verifyJwt("a.b.c", KEY),
    ];
    for (const attempt of attempts) {
      await attempt().then(
        () => expect.fail("should reject"),
        (e: Error) => {
          expect(e.message).not.toContain(KEY);
          expect(e.message).not.toContain("wrong-key-value");
        },
      );
    }
  });
});

describe("decodeJwt", () => {
  test("decodes without verifying", () => {
    const t = forge({ alg: "HS256", typ: "JWT" }, { sub: "x" }, "another key");
    expect(decodeJwt(t)).toEqual({ header: { alg: "HS256", typ: "JWT" }, payload: { sub: "x" } });
  });
});
