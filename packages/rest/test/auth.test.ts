// Authentication of the REST client: access-key JWTs per request URL (also behind a reverse proxy and across key
// rotation), and Microsoft Entra bearer tokens, with plain http allowed only where it is safe.
import type { TokenCredential } from "@azure/core-auth";
import { decodeJwt, JwtError, restAudienceMatches, verifyJwt } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import {
  AzureKeyCredential,
  createWebPubSubRestClient,
  DEFAULT_API_VERSION,
  keyCredentialPolicy,
  reverseProxyPolicy,
  WEBPUBSUB_SCOPE,
} from "../src/index.ts";
import { fakeHttpClient } from "./helpers/fake-http.ts";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

function bearer(headers: Record<string, string>): string {
  const auth = headers.authorization ?? "";
  expect(auth).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  return auth.slice("Bearer ".length);
}

describe("access-key authentication", () => {
  it("signs each request with an HS256 JWT whose aud is the full request URL", async () => {
    const { client: httpClient, seen } = fakeHttpClient(() => ({ status: 202 }));
    const client = createWebPubSubRestClient("https://contoso.webpubsub.azure.com/", new AzureKeyCredential(KEY), {
      httpClient,
    });
    const res = await client.path("/api/hubs/{hub}/:send", "chat").post({
      contentType: "text/plain",
      body: "hi",
      queryParameters: { excluded: ["c 1", "c2"], messageTtlSeconds: 10 },
    });
    expect(res.status).toBe("202");
    const sent = seen[0]!;
    expect(sent.url).toBe(
      `https://contoso.webpubsub.azure.com/api/hubs/chat/:send?excluded=c%201&excluded=c2&messageTtlSeconds=10&api-version=${DEFAULT_API_VERSION}`,
    );
    const token = bearer(sent.headers);
    const payload = await verifyJwt(token, KEY, { audience: (aud) => restAudienceMatches(aud, sent.url) });
    expect(payload.aud).toBe(sent.url);
    expect(decodeJwt(token).header.alg).toBe("HS256");
    expect(payload.exp! - payload.iat!).toBe(3600);
    // A token for one URL is not valid for another.
    await expect(
      verifyJwt(token, KEY, {
        audience: (aud) => restAudienceMatches(aud, "https://contoso.webpubsub.azure.com/api/hubs/other/:send"),
      }),
    ).rejects.toBeInstanceOf(JwtError);
    await expect(verifyJwt(token, "another-key-another-key-another-key")).rejects.toMatchObject({
      code: "invalid_signature",
    });
  });

  it("keeps the service URL as audience behind a reverse proxy, also on retries", async () => {
    const { client: httpClient, seen } = fakeHttpClient((_req, i) => ({ status: i === 0 ? 503 : 204 }));
    const client = createWebPubSubRestClient("https://contoso.webpubsub.azure.com", new AzureKeyCredential(KEY), {
      httpClient,
      reverseProxyEndpoint: "https://gateway.example.com/wps/",
      retryOptions: { maxRetries: 1, retryDelayInMs: 1, maxRetryDelayInMs: 1 },
    });
    const res = await client.path("/api/hubs/{hub}/users/{userId}/groups", "chat", "bob").delete();
    expect(res.status).toBe("204");
    expect(seen).toHaveLength(2);
    const serviceUrl = `https://contoso.webpubsub.azure.com/api/hubs/chat/users/bob/groups?api-version=${DEFAULT_API_VERSION}`;
    for (const s of seen) {
      expect(s.url).toBe(
        `https://gateway.example.com/wps/api/hubs/chat/users/bob/groups?api-version=${DEFAULT_API_VERSION}`,
      );
      expect(decodeJwt(bearer(s.headers)).payload.aud).toBe(serviceUrl);
    }
    // The response still names the service URL, so isUnexpected and paging work on it.
    expect(res.request.url).toBe(serviceUrl);
  });

  it("follows key rotation through AzureKeyCredential.update and reuses tokens per URL", async () => {
    const { client: httpClient, seen } = fakeHttpClient(() => ({ status: 200 }));
    const credential = new AzureKeyCredential(KEY);
    const client = createWebPubSubRestClient("https://h.example", credential, { httpClient });
    const call = () => client.path("/api/hubs/{hub}/groups/{group}/connections/{connectionId}", "h", "g", "c").put();
    await call();
    await call();
    expect(seen[1]!.headers.authorization).toBe(seen[0]!.headers.authorization);
    credential.update("NEWKEYNEWKEYNEWKEYNEWKEYNEWKEYNEWKEY");
    await call();
    await verifyJwt(bearer(seen[2]!.headers), "NEWKEYNEWKEYNEWKEYNEWKEYNEWKEYNEWKEY");
  });

  it("re-signs once half of the token lifetime has passed", async () => {
    let now = 1_700_000_000_000;
    const policy = keyCredentialPolicy(new AzureKeyCredential(KEY), { tokenLifetimeInSeconds: 600, now: () => now });
    const tokens: string[] = [];
    const request = { url: "https://h/api/health?api-version=1", headers: new Map<string, string>() };
    const send = async () => {
      await policy.sendRequest(
        { url: request.url, headers: { set: (_k: string, v: string) => tokens.push(v) } } as never,
        async () => ({}) as never,
      );
    };
    await send();
    now += 299_000;
    await send();
    now += 2_000;
    await send();
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
    expect(decodeJwt(tokens[2]!.slice(7)).payload.exp).toBe(Math.floor(now / 1000) + 600);
  });

  it("uses http for a local endpoint without extra options", async () => {
    const { client: httpClient, seen } = fakeHttpClient(() => ({ status: 200 }));
    const client = createWebPubSubRestClient("http://localhost:8080", new AzureKeyCredential(KEY), { httpClient });
    await client.path("/api/health").head();
    expect(seen[0]!.url).toBe(`http://localhost:8080/api/health?api-version=${DEFAULT_API_VERSION}`);
  });
});

describe("Microsoft Entra authentication", () => {
  function fakeCredential() {
    const scopes: string[][] = [];
    const credential: TokenCredential = {
      async getToken(s) {
        scopes.push(Array.isArray(s) ? s : [s]);
        return { token: "entra-token", expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    return { credential, scopes };
  }

  it("sends a bearer token for the Web PubSub scope (https)", async () => {
    const { credential, scopes } = fakeCredential();
    const { client: httpClient, seen } = fakeHttpClient(() => ({ status: 200, body: { token: "t" } }));
    const client = createWebPubSubRestClient("https://h.example", credential, { httpClient });
    const res = await client.path("/api/hubs/{hub}/:generateToken", "chat").post({ queryParameters: { userId: "u" } });
    expect(res.status).toBe("200");
    expect(seen[0]!.headers.authorization).toBe("Bearer entra-token");
    expect(scopes[0]).toEqual([WEBPUBSUB_SCOPE]);
  });

  it("also works against a plain-http endpoint such as the emulator", async () => {
    const { credential, scopes } = fakeCredential();
    const { client: httpClient, seen } = fakeHttpClient(() => ({ status: 200 }));
    const client = createWebPubSubRestClient("http://127.0.0.1:1234", credential, { httpClient });
    await client.path("/api/health").head();
    await client.path("/api/health").head();
    expect(seen.map((s) => s.headers.authorization)).toEqual(["Bearer entra-token", "Bearer entra-token"]);
    expect(scopes).toHaveLength(1);
  });

  it("auto-allows plain http only for loopback hosts", async () => {
    for (const endpoint of ["http://localhost:8080", "http://127.0.0.1:1234", "http://[::1]:9000"]) {
      const { credential } = fakeCredential();
      const { client: httpClient, seen } = fakeHttpClient(() => ({ status: 200 }));
      const client = createWebPubSubRestClient(endpoint, credential, { httpClient });
      await client.path("/api/health").head();
      expect(seen[0]!.headers.authorization, endpoint).toBe("Bearer entra-token");
    }
  });

  it("refuses a bearer token over http to another host unless allowInsecureConnection is true", async () => {
    const { credential, scopes } = fakeCredential();
    const { client: httpClient, seen } = fakeHttpClient(() => ({ status: 200 }));
    expect(() => createWebPubSubRestClient("http://wps.contoso.com", credential, { httpClient })).toThrow(
      /endpoint http:\/\/wps.contoso.com uses plain http.*allowInsecureConnection: true/,
    );
    expect(() =>
      createWebPubSubRestClient("https://wps.contoso.com", credential, {
        httpClient,
        reverseProxyEndpoint: "http://gateway.contoso.com",
      }),
    ).toThrow(/options.reverseProxyEndpoint http:\/\/gateway.contoso.com uses plain http/);
    expect(() =>
      createWebPubSubRestClient("http://localhost:8080", credential, { httpClient, allowInsecureConnection: false }),
    ).toThrow(/allowInsecureConnection/);
    expect(seen).toHaveLength(0);
    expect(scopes).toHaveLength(0);
    // An explicit opt-in sends it.
    const client = createWebPubSubRestClient("http://wps.contoso.com", credential, {
      httpClient,
      allowInsecureConnection: true,
    });
    await client.path("/api/health").head();
    expect(seen[0]!.headers.authorization).toBe("Bearer entra-token");
    // An https proxy in front of an http service address is fine: the token travels over https.
    const viaProxy = createWebPubSubRestClient("http://wps.contoso.com", credential, {
      httpClient,
      reverseProxyEndpoint: "https://gateway.contoso.com",
    });
    await viaProxy.path("/api/health").head();
    expect(seen[1]!.url).toMatch(/^https:\/\/gateway.contoso.com\/api\/health/);
  });

  // Rule: without allowInsecureConnection: true, a Microsoft Entra token travels over plain http only to this machine,
  // for every request the pipeline sends (a redirect the app allowed across origins included), not only the first.
  it("does not send the bearer token over http to another host a loopback endpoint redirects to", async () => {
    const redirectTo = (location: string) => {
      const { credential } = fakeCredential();
      return {
        ...fakeHttpClient((_req, i) => (i === 0 ? { status: 307, headers: { location } } : { status: 200 })),
        credential,
      };
    };
    const remote = redirectTo("http://wps.contoso.com/api/health");
    const client = createWebPubSubRestClient("http://127.0.0.1:1234", remote.credential, {
      httpClient: remote.client,
      redirectOptions: { allowCrossOriginRedirects: true },
    });
    await expect(client.path("/api/health").head()).rejects.toThrow(
      /not sent over plain http to "http:\/\/wps\.contoso\.com"/,
    );
    expect(remote.seen.map((s) => s.url)).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:1234\//)]);

    // the other side: a redirect to another loopback origin, or to https, carries it; and so does one to another
    // http host when the app opted in with allowInsecureConnection: true
    for (const [location, allowInsecureConnection] of [
      ["http://localhost:8080/api/health", undefined],
      ["https://wps.contoso.com/api/health", undefined],
      ["http://wps.contoso.com/api/health", true],
    ] as const) {
      const ok = redirectTo(location);
      const c = createWebPubSubRestClient("http://127.0.0.1:1234", ok.credential, {
        httpClient: ok.client,
        redirectOptions: { allowCrossOriginRedirects: true },
        ...(allowInsecureConnection ? { allowInsecureConnection } : {}),
      });
      await c.path("/api/health").head();
      expect(ok.seen[1]?.url, location).toMatch(new RegExp(`^${location.split("/api")[0]}`));
      expect(ok.seen[1]?.headers.authorization, location).toBe("Bearer entra-token");
    }
  });

  it("keeps access keys working over http to any host (per-request JWTs, no reusable secret)", async () => {
    const { client: httpClient, seen } = fakeHttpClient(() => ({ status: 200 }));
    const client = createWebPubSubRestClient("http://wps.contoso.com", new AzureKeyCredential(KEY), { httpClient });
    await client.path("/api/health").head();
    expect(bearer(seen[0]!.headers)).toBeTruthy();
  });
});

describe("argument validation", () => {
  const key = new AzureKeyCredential(KEY);
  it("rejects bad endpoints, credentials and options before any request", () => {
    expect(() => createWebPubSubRestClient("", key)).toThrow(/endpoint must be a non-empty URL/);
    expect(() => createWebPubSubRestClient("contoso", key)).toThrow(TypeError);
    expect(() => createWebPubSubRestClient("ftp://h", key)).toThrow(/endpoint must use http or https/);
    expect(() => createWebPubSubRestClient("https://h?x=1", key)).toThrow(/query or fragment/);
    expect(() => createWebPubSubRestClient("https://h", {} as never)).toThrow(/credential must be/);
    expect(() => createWebPubSubRestClient("https://h", { key: "" })).toThrow(
      /credential.key must be a non-empty access key/,
    );
    expect(() => createWebPubSubRestClient("https://h", key, { reverseProxyEndpoint: "nope" })).toThrow(
      /options.reverseProxyEndpoint/,
    );
    expect(() => createWebPubSubRestClient("https://h", key, { apiVersion: "latest" })).toThrow(/options.apiVersion/);
    expect(() => createWebPubSubRestClient("https://h", key, { tokenLifetimeInSeconds: 0 })).toThrow(RangeError);
  });

  // Rule: bad input fails with a TypeError/RangeError naming it when the client or policy is made, not at a request;
  // an option is honoured or refused, never ignored.
  it("refuses tokenLifetimeInSeconds with a TokenCredential, whose tokens have their own lifetime", () => {
    const credential: TokenCredential = { getToken: async () => ({ token: "t", expiresOnTimestamp: 0 }) };
    expect(() => createWebPubSubRestClient("https://h", credential, { tokenLifetimeInSeconds: 600 })).toThrow(
      new TypeError(
        "options.tokenLifetimeInSeconds applies to an access key; a TokenCredential's tokens have their own lifetime.",
      ),
    );
    expect(() => createWebPubSubRestClient("https://h", credential, { tokenLifetimeInSeconds: -1 })).toThrow(TypeError);
    // the other side: without it, or with an access key, the client is made
    expect(createWebPubSubRestClient("https://h", credential)).toBeDefined();
    expect(createWebPubSubRestClient("https://h", key, { tokenLifetimeInSeconds: 600 })).toBeDefined();
  });

  // Rule: plain http for an Entra token is an explicit opt-in: only the boolean true opts in; a value of another type
  // is a TypeError, never a truthy "yes" (or "false") that sends the token unencrypted.
  it("refuses an allowInsecureConnection that is not a boolean, before any request", async () => {
    const credential: TokenCredential = {
      getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3_600_000 }),
    };
    const { client: httpClient, seen } = fakeHttpClient(() => ({ status: 200 }));
    for (const value of ["false", "true", 1, 0, {}]) {
      for (const cred of [credential, key]) {
        expect(() =>
          createWebPubSubRestClient("http://wps.contoso.com", cred, {
            httpClient,
            allowInsecureConnection: value as never,
          }),
        ).toThrow(new TypeError("options.allowInsecureConnection must be a boolean when given."));
      }
    }
    expect(seen).toHaveLength(0);
    // the other side: true, false and absent (undefined or null) keep their meaning
    expect(() => createWebPubSubRestClient("http://wps.contoso.com", credential, { httpClient })).toThrow(/plain http/);
    expect(() =>
      createWebPubSubRestClient("http://wps.contoso.com", credential, {
        httpClient,
        allowInsecureConnection: null as never,
      }),
    ).toThrow(/plain http/);
    expect(() =>
      createWebPubSubRestClient("http://wps.contoso.com", credential, { httpClient, allowInsecureConnection: false }),
    ).toThrow(/plain http/);
    const opted = createWebPubSubRestClient("http://wps.contoso.com", credential, {
      httpClient,
      allowInsecureConnection: true,
    });
    await opted.path("/api/health").head();
    expect(seen).toHaveLength(1);
  });

  it("the exported policies check their arguments when made: the credential, the proxy endpoint", () => {
    for (const bad of [undefined, null, {}, { key: 5 }, "key"]) {
      expect(() => keyCredentialPolicy(bad as never)).toThrow(
        new TypeError("credential must be a KeyCredential (an AzureKeyCredential or an object with a string key)."),
      );
    }
    expect(() => reverseProxyPolicy("nope")).toThrow(/^proxyEndpoint must be an absolute http\(s\) URL/);
    expect(() => reverseProxyPolicy(42 as never)).toThrow(/^proxyEndpoint must be a non-empty URL string/);
    expect(() => reverseProxyPolicy("ftp://gw")).toThrow(/^proxyEndpoint must use http or https/);
    // the other side
    expect(keyCredentialPolicy({ key: KEY }).name).toBe("webPubSubKeyCredentialPolicy");
    expect(reverseProxyPolicy("https://gw.contoso.com/prefix").name).toBe("webPubSubReverseProxyPolicy");
  });

  it("fails a request whose key was emptied", async () => {
    const { client: httpClient, seen } = fakeHttpClient(() => ({ status: 200 }));
    const credential = new AzureKeyCredential(KEY);
    const client = createWebPubSubRestClient("https://h", credential, { httpClient, retryOptions: { maxRetries: 0 } });
    (credential as unknown as { _key: string })._key = "";
    await expect(client.path("/api/health").head()).rejects.toThrow(/credential.key/);
    expect(seen).toHaveLength(0);
  });
});
