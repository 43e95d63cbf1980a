// How createWebPubSubRestClient (src/rest-client.ts) wires its pipeline from its arguments: the options object it
// takes, the access-key lifetime and the api-version it passes on, which bearer policy an Entra token goes through (the
// Azure one over https, the loopback-only one over http) and for which scope, a reverse proxy placed after the signing
// policy so the token stays the service's, redirects signed for their own URL, and the HTTP proxy (options or
// environment) that decides whether the proxy policy has work to do.
import { Agent as HttpsAgent } from "node:https";
import type { TokenCredential } from "@azure/core-auth";
import { createPipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { decodeJwt } from "@webpubsub/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AzureKeyCredential, createWebPubSubRestClient, DEFAULT_API_VERSION } from "../src/index.ts";
import { fakeHttpClient } from "./helpers/fake-http.ts";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const scopesAsked: string[][] = [];
const entra: TokenCredential = {
  getToken: async (scopes) => {
    scopesAsked.push([scopes].flat());
    return { token: "entra-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("createWebPubSubRestClient", () => {
  it("takes an options object or none, and refuses anything else before any request", () => {
    const key = new AzureKeyCredential(KEY);
    for (const bad of [null, "options", 5, true]) {
      expect(() => createWebPubSubRestClient("https://h", key, bad as never), String(bad)).toThrow(
        new TypeError("options must be an object"),
      );
    }
    expect(createWebPubSubRestClient("https://h", key)).toBeDefined();
    expect(createWebPubSubRestClient("https://h", key, undefined)).toBeDefined();
  });

  // Rule: the pair the pipeline would silently half-apply (tlsOptions beside an agent of the caller's) is refused
  // when the client is made, not discovered as a failed handshake later.
  it("refuses tlsOptions beside an agent when the client is made, and takes either one alone", () => {
    const key = new AzureKeyCredential(KEY);
    const agent = new HttpsAgent();
    expect(() => createWebPubSubRestClient("https://h", key, { agent, tlsOptions: { ca: "pem" } })).toThrow(
      /^options.tlsOptions is not applied to the connections of options.agent/,
    );
    expect(createWebPubSubRestClient("https://h", key, { agent })).toBeDefined();
    expect(createWebPubSubRestClient("https://h", key, { tlsOptions: { ca: "pem" } })).toBeDefined();
  });

  it("signs access-key tokens for the lifetime it is given", async () => {
    const { client: httpClient, seen } = fakeHttpClient(() => ({ status: 200 }));
    const client = createWebPubSubRestClient("https://h", new AzureKeyCredential(KEY), {
      httpClient,
      tokenLifetimeInSeconds: 600,
    });
    await client.path("/api/health").head();
    const { payload } = decodeJwt((seen[0]?.headers.authorization ?? "").slice("Bearer ".length));
    expect(payload.exp! - payload.iat!).toBe(600);
  });

  it("sends the api-version it is given, else the default one", async () => {
    const { client: httpClient, seen } = fakeHttpClient(() => ({ status: 200 }));
    await createWebPubSubRestClient("https://h", new AzureKeyCredential(KEY), { httpClient })
      .path("/api/health")
      .head();
    await createWebPubSubRestClient("https://h", new AzureKeyCredential(KEY), {
      httpClient,
      apiVersion: "2021-10-01-preview",
    })
      .path("/api/health")
      .head();
    expect(seen.map((s) => new URL(s.url).searchParams.get("api-version"))).toEqual([
      DEFAULT_API_VERSION,
      "2021-10-01-preview",
    ]);
  });

  it("sends an Entra token through the Azure bearer policy over https, and the loopback-only one over http", () => {
    const policies = (endpoint: string) =>
      createWebPubSubRestClient(endpoint, entra)
        .pipeline.getOrderedPolicies()
        .map((p) => p.name);
    expect(policies("https://wps.contoso.com")).toContain("bearerTokenAuthenticationPolicy");
    expect(policies("https://wps.contoso.com")).not.toContain("webPubSubInsecureBearerTokenPolicy");
    expect(policies("http://localhost:8080")).toContain("webPubSubInsecureBearerTokenPolicy");
    expect(policies("http://localhost:8080")).not.toContain("bearerTokenAuthenticationPolicy");
  });

  it("places the reverse proxy after the signing policy, whichever credential signs", () => {
    for (const [credential, signer] of [
      [new AzureKeyCredential(KEY), "webPubSubKeyCredentialPolicy"],
      [entra, "bearerTokenAuthenticationPolicy"],
    ] as const) {
      const names = createWebPubSubRestClient("https://wps.contoso.com", credential, {
        reverseProxyEndpoint: "https://gw.contoso.com",
      })
        .pipeline.getOrderedPolicies()
        .map((p) => p.name);
      expect(names.indexOf(signer), signer).toBeGreaterThanOrEqual(0);
      expect(names.indexOf("webPubSubReverseProxyPolicy"), signer).toBeGreaterThan(names.indexOf(signer));
    }
  });

  // Rule: behind a reverse proxy an Entra token travels to the proxy, not to the service URL the request carries while
  // it is signed: a loopback proxy in front of an http service address gets it without an opt-in.
  it("sends an Entra token over http to a loopback proxy in front of any service address", async () => {
    const { client: httpClient, seen } = fakeHttpClient(() => ({ status: 200 }));
    const client = createWebPubSubRestClient("http://wps.contoso.com", entra, {
      httpClient,
      reverseProxyEndpoint: "http://localhost:8080",
    });
    await client.path("/api/health").head();
    expect(seen.map((s) => [new URL(s.url).origin, s.headers.authorization])).toEqual([
      ["http://localhost:8080", "Bearer entra-token"],
    ]);
  });

  it("asks for the Web PubSub scope over http too", async () => {
    scopesAsked.length = 0;
    const { client: httpClient } = fakeHttpClient(() => ({ status: 200 }));
    await createWebPubSubRestClient("http://localhost:8080", entra, { httpClient }).path("/api/health").head();
    expect(scopesAsked).toEqual([["https://webpubsub.azure.com/.default"]]);
  });

  // Rule: an access-key token is signed for the URL each request goes to, a redirected one included (the signing
  // policy runs after the redirect policy).
  it("signs a redirected request for the URL it is redirected to", async () => {
    const { client: httpClient, seen } = fakeHttpClient((_r, i) =>
      i === 0 ? { status: 307, headers: { location: "https://h/api/moved?x=1" } } : { status: 200 },
    );
    const client = createWebPubSubRestClient("https://h", new AzureKeyCredential(KEY), { httpClient });
    await client.path("/api/health").head();
    expect(seen.map((s) => decodeJwt((s.headers.authorization ?? "").slice(7)).payload.aud)).toEqual(
      seen.map((s) => s.url),
    );
    expect(seen[1]?.url).toBe("https://h/api/moved?x=1");
  });

  describe("its proxy policy (an HTTP proxy, not a reverse proxy)", () => {
    /** The request as the HttpClient got it, and whether the proxy policy passed it on as it was. */
    async function proxied(options: { proxyOptions?: { host: string; port: number } } = {}) {
      const { client: httpClient } = fakeHttpClient(() => ({ status: 200 }));
      let agent: unknown;
      const client = createWebPubSubRestClient("https://h.example", new AzureKeyCredential(KEY), {
        httpClient: {
          sendRequest: (request) => {
            agent = request.agent;
            return httpClient.sendRequest(request);
          },
        },
        ...options,
      });
      await client.path("/api/health").head();
      const policy = client.pipeline.getOrderedPolicies().find((p) => p.name === "proxyPolicy");
      const answer = Promise.resolve({} as PipelineResponse);
      const passedOn =
        policy?.sendRequest(createPipelineRequest({ url: "https://h.example/x" }), () => answer) === answer;
      return { agent, passedOn };
    }

    it("routes requests through the proxy given in the options", async () => {
      const { agent, passedOn } = await proxied({ proxyOptions: { host: "http://proxy.example", port: 8888 } });
      expect(agent).toBeDefined();
      expect(passedOn).toBe(false);
    });

    it("routes requests through the proxy the environment names when the client is made", async () => {
      vi.stubEnv("HTTPS_PROXY", "http://proxy.example:8888");
      vi.stubEnv("NO_PROXY", "");
      const { agent, passedOn } = await proxied();
      expect(agent).toBeDefined();
      expect(passedOn).toBe(false);
    });

    it("passes requests straight on without a proxy (no agent, no work of the policy's)", async () => {
      for (const name of ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]) {
        vi.stubEnv(name, "");
      }
      const { agent, passedOn } = await proxied();
      expect(agent).toBeUndefined();
      expect(passedOn).toBe(true);
    });
  });
});
