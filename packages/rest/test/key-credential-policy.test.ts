// The access-key policy (src/key-credential-policy.ts) on its own: the options it takes (a token lifetime of at least
// one second, a cache of zero or more URLs), the JWT it signs per request URL, how long a signed token is reused (the
// first half of its lifetime, with the same key), which URLs the cache keeps (the most recently used ones), and that a
// cached token goes out in the same turn while a failure is a rejected promise, never a synchronous throw.
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { decodeJwt, verifyJwt } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import { keyCredentialPolicy, keyCredentialPolicyName } from "../src/key-credential-policy.ts";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const T0 = 1_700_000_000_000;

/** A policy on a clock the test moves; `send(url)` returns the claims of the token the request went out with. */
function harness(options: { tokenLifetimeInSeconds?: number; cacheSize?: number } = {}, key = KEY) {
  let now = T0;
  const credential = { key };
  const policy = keyCredentialPolicy(credential, { ...options, now: () => now });
  const answer = (request: PipelineResponse["request"]): PipelineResponse => ({
    status: 200,
    headers: createHttpHeaders(),
    request,
  });
  async function authorization(url: string): Promise<string> {
    const request = createPipelineRequest({ url });
    await policy.sendRequest(request, async (sent) => answer(sent));
    return request.headers.get("authorization") ?? "";
  }
  async function send(url: string) {
    const header = await authorization(url);
    expect(header).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    return decodeJwt(header.slice("Bearer ".length)).payload;
  }
  return {
    policy,
    credential,
    send,
    authorization,
    answer,
    tick(ms: number) {
      now += ms;
    },
    seconds: () => Math.floor(now / 1000),
  };
}

describe("keyCredentialPolicy options", () => {
  it("takes a token lifetime of one second or more, in whole seconds", async () => {
    const one = harness({ tokenLifetimeInSeconds: 1 });
    const claims = await one.send("https://h/api");
    expect(claims.exp! - claims.iat!).toBe(1);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "60"]) {
      expect(() => keyCredentialPolicy({ key: KEY }, { tokenLifetimeInSeconds: bad as never }), String(bad)).toThrow(
        RangeError,
      );
    }
    expect(() => keyCredentialPolicy({ key: KEY }, { tokenLifetimeInSeconds: 0 })).toThrow(
      "tokenLifetimeInSeconds must be a positive integer, got 0",
    );
  });

  it("signs tokens for an hour by default", async () => {
    const claims = await harness().send("https://h/api");
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(claims.iat).toBe(Math.floor(T0 / 1000));
  });

  it("takes a cache of zero or more URLs, in whole numbers", () => {
    expect(keyCredentialPolicy({ key: KEY }, { cacheSize: 0 }).name).toBe(keyCredentialPolicyName);
    for (const bad of [-1, 0.5, Number.NaN, "8"]) {
      expect(() => keyCredentialPolicy({ key: KEY }, { cacheSize: bad as never }), String(bad)).toThrow(RangeError);
    }
    expect(() => keyCredentialPolicy({ key: KEY }, { cacheSize: -1 })).toThrow(
      "cacheSize must be a non-negative integer, got -1",
    );
  });
});

describe("keyCredentialPolicy tokens", () => {
  it("signs an HS256 JWT with the key, whose audience is the request URL", async () => {
    const { authorization } = harness();
    const url = "https://h.example/api/hubs/chat/:send?api-version=2024-12-01";
    const header = await authorization(url);
    const payload = await verifyJwt(header.slice("Bearer ".length), KEY, { now: T0 / 1000 });
    expect(payload.aud).toBe(url);
  });

  it("reuses a token for its URL during the first half of its lifetime, and signs a new one from then on", async () => {
    const h = harness({ tokenLifetimeInSeconds: 600 });
    const first = await h.send("https://h/api");
    h.tick(299_999);
    expect((await h.send("https://h/api")).iat).toBe(first.iat);
    h.tick(1); // exactly half the lifetime
    const renewed = await h.send("https://h/api");
    expect(renewed.iat).toBe(first.iat! + 300);
    expect(renewed.exp).toBe(first.iat! + 300 + 600);
    // and the new token is reused for the first half of its own lifetime
    h.tick(299_000);
    expect((await h.send("https://h/api")).iat).toBe(renewed.iat);
  });

  it("keeps one token per URL: another URL, even one differing only in its query, gets its own", async () => {
    const h = harness();
    const a = await h.send("https://h/api?x=1");
    h.tick(1000);
    const b = await h.send("https://h/api?x=2");
    expect(b.aud).toBe("https://h/api?x=2");
    expect(b.iat).toBe(a.iat! + 1);
    expect((await h.send("https://h/api?x=1")).iat).toBe(a.iat);
  });

  it("signs with the credential's current key: a rotated key is used at once, cached tokens or not", async () => {
    const h = harness();
    await h.send("https://h/api");
    h.credential.key = "ROTATEDROTATEDROTATEDROTATEDROTATEDROTATED00";
    const header = await h.authorization("https://h/api");
    await expect(verifyJwt(header.slice(7), h.credential.key, { now: T0 / 1000 })).resolves.toBeDefined();
    await expect(verifyJwt(header.slice(7), KEY, { now: T0 / 1000 })).rejects.toMatchObject({
      code: "invalid_signature",
    });
  });

  it("signs every request anew with a cache size of 0", async () => {
    const h = harness({ cacheSize: 0 });
    const first = await h.send("https://h/api");
    h.tick(1000);
    expect((await h.send("https://h/api")).iat).toBe(first.iat! + 1);
  });

  // Rule: the cache keeps the `cacheSize` URLs used most recently (a reused token counts as a use); the least recently
  // used one goes first. Checked request by request against a plain model of that rule.
  it("keeps the tokens of the most recently used URLs, up to the cache size", async () => {
    const cacheSize = 3;
    const h = harness({ cacheSize });
    const model: string[] = []; // least recently used first
    const order = "A B C A D B E A A F C D A G A B".split(" ");
    const resigned: string[] = [];
    const expected: string[] = [];
    for (const name of order) {
      const url = `https://h/api/${name}`;
      const cached = model.includes(url);
      if (cached) model.splice(model.indexOf(url), 1);
      model.push(url);
      if (model.length > cacheSize) model.shift();
      h.tick(1000);
      const claims = await h.send(url);
      if (claims.iat === h.seconds()) resigned.push(name);
      if (!cached) expected.push(name);
    }
    expect(resigned).toEqual(expected);
    // the model's sequence re-signs often enough to mean something
    expect(expected.length).toBeGreaterThan(6);
    expect(expected.length).toBeLessThan(order.length);
  });

  it("counts a token signed again (half its lifetime gone) as the most recent use of its URL", async () => {
    const h = harness({ tokenLifetimeInSeconds: 600, cacheSize: 2 });
    await h.send("https://h/a");
    h.tick(100_000);
    await h.send("https://h/b");
    h.tick(200_000); // a's token is due again: signed anew, so b is now the least recently used
    const renewed = await h.send("https://h/a");
    expect(renewed.iat).toBe(h.seconds());
    h.tick(1000);
    await h.send("https://h/c"); // evicts b
    h.tick(1000);
    expect((await h.send("https://h/a")).iat).toBe(renewed.iat);
    expect((await h.send("https://h/b")).iat).toBe(h.seconds());
  });

  it("keeps exactly one URL with a cache size of 1", async () => {
    const h = harness({ cacheSize: 1 });
    const a = await h.send("https://h/a");
    h.tick(1000);
    expect((await h.send("https://h/a")).iat).toBe(a.iat);
    await h.send("https://h/b");
    h.tick(1000);
    expect((await h.send("https://h/a")).iat).toBe(h.seconds());
  });
});

describe("keyCredentialPolicy requests", () => {
  it("passes a request with a cached token on in the same turn: the answer is next's own promise", async () => {
    const h = harness();
    await h.send("https://h/api");
    const request = createPipelineRequest({ url: "https://h/api" });
    const answer = Promise.resolve(h.answer(request));
    expect(h.policy.sendRequest(request, () => answer)).toBe(answer);
    expect(request.headers.get("authorization")).toMatch(/^Bearer /);
  });

  it("fails a request whose key was emptied or is no longer a string with a rejected promise, sending nothing", async () => {
    for (const bad of ["", 5]) {
      const h = harness();
      (h.credential as { key: unknown }).key = bad;
      let sent = false;
      const result = h.policy.sendRequest(createPipelineRequest({ url: "https://h/api" }), async (r) => {
        sent = true;
        return h.answer(r);
      });
      await expect(result).rejects.toThrow(new TypeError("credential.key must be a non-empty string"));
      expect(sent).toBe(false);
    }
  });
});
