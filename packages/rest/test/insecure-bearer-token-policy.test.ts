// The bearer-token policy for plain-http endpoints (src/insecure-bearer-token-policy.ts) on its own. Rule: a Microsoft
// Entra token never goes in clear to another host: over http it goes only to localhost, 127.0.0.1 and [::1], checked
// on every request, unless the caller opted in (anyHttpHost); over https it goes anywhere. And the token is fetched
// once, reused until two minutes before it expires, and fetched again from then on.
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { insecureBearerTokenPolicy, insecureBearerTokenPolicyName } from "../src/insecure-bearer-token-policy.ts";

const T0 = 1_700_000_000_000;
const SCOPES = ["https://webpubsub.azure.com/.default"];

/** A credential whose tokens expire `lifetimeMs` after they are fetched, numbered in the order fetched. */
function credential(lifetimeMs = 3_600_000) {
  const calls: { scopes: string[]; options?: GetTokenOptions }[] = [];
  const cred: TokenCredential = {
    async getToken(scopes, options) {
      calls.push({ scopes: [scopes].flat(), ...(options ? { options } : {}) });
      return { token: `token-${calls.length}`, expiresOnTimestamp: Date.now() + lifetimeMs };
    },
  };
  return { cred, calls };
}

/** Sends one request through `policy`; the Authorization header it went out with, or the error. */
async function send(policy: ReturnType<typeof insecureBearerTokenPolicy>, url: string, abortSignal?: AbortSignal) {
  const request = createPipelineRequest({ url, ...(abortSignal ? { abortSignal } : {}) });
  let sent = false;
  const next = async (r: typeof request): Promise<PipelineResponse> => {
    sent = true;
    return { status: 200, headers: createHttpHeaders(), request: r };
  };
  try {
    await policy.sendRequest(request, next);
    return { sent, authorization: request.headers.get("authorization") };
  } catch (error) {
    return { sent, error: error as Error, authorization: request.headers.get("authorization") };
  }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("insecureBearerTokenPolicy: where the token goes", () => {
  it("sends it over http to this machine's hosts", async () => {
    const { cred } = credential();
    const policy = insecureBearerTokenPolicy(cred, SCOPES);
    expect(policy.name).toBe("webPubSubInsecureBearerTokenPolicy");
    expect(insecureBearerTokenPolicyName).toBe(policy.name);
    for (const url of ["http://localhost:8080/api", "http://127.0.0.1/api", "http://[::1]:9000/api"]) {
      expect(await send(policy, url), url).toEqual({ sent: true, authorization: "Bearer token-1" });
    }
  });

  it("refuses to send it over http to any other host, before fetching or setting it, naming the origin", async () => {
    const { cred, calls } = credential();
    const policy = insecureBearerTokenPolicy(cred, SCOPES);
    const result = await send(policy, "http://wps.contoso.com:8080/api/health?x=1");
    expect(result.sent).toBe(false);
    expect(result.authorization).toBeUndefined();
    expect(result.error?.message).toBe(
      'A Microsoft Entra bearer token is not sent over plain http to "http://wps.contoso.com:8080": only to localhost, 127.0.0.1 and [::1] unless allowInsecureConnection is true.',
    );
    expect(calls).toHaveLength(0);
    // and not after a loopback request either: every request is checked
    await send(policy, "http://localhost/api");
    expect((await send(policy, "http://10.0.0.1/api")).sent).toBe(false);
  });

  it("sends it over https to any host", async () => {
    const { cred } = credential();
    const policy = insecureBearerTokenPolicy(cred, SCOPES);
    expect(await send(policy, "https://wps.contoso.com/api")).toEqual({ sent: true, authorization: "Bearer token-1" });
  });

  it("sends it over http to any host when the caller opted in, and only then", async () => {
    const { cred } = credential();
    const opted = insecureBearerTokenPolicy(cred, SCOPES, { anyHttpHost: true });
    expect(await send(opted, "http://wps.contoso.com/api")).toEqual({ sent: true, authorization: "Bearer token-1" });
    const notOpted = insecureBearerTokenPolicy(cred, SCOPES, { anyHttpHost: false });
    expect((await send(notOpted, "http://wps.contoso.com/api")).sent).toBe(false);
  });
});

describe("insecureBearerTokenPolicy: the token's reuse", () => {
  it("asks the credential for the scopes with the request's abort signal", async () => {
    const { cred, calls } = credential();
    const signal = new AbortController().signal;
    await send(insecureBearerTokenPolicy(cred, SCOPES), "http://localhost/api", signal);
    expect(calls).toEqual([{ scopes: SCOPES, options: { abortSignal: signal } }]);
  });

  it("reuses the token until two minutes before it expires, then fetches a new one", async () => {
    const { cred, calls } = credential(600_000);
    const policy = insecureBearerTokenPolicy(cred, SCOPES);
    expect((await send(policy, "http://localhost/a")).authorization).toBe("Bearer token-1");
    vi.setSystemTime(T0 + 480_000); // exactly two minutes left
    expect((await send(policy, "http://localhost/b")).authorization).toBe("Bearer token-1");
    vi.setSystemTime(T0 + 480_001); // less than two minutes left
    expect((await send(policy, "http://localhost/c")).authorization).toBe("Bearer token-2");
    expect((await send(policy, "http://localhost/d")).authorization).toBe("Bearer token-2");
    expect(calls).toHaveLength(2);
  });

  it("fails the request when the credential returns no token, naming the scopes, and asks again next time", async () => {
    let answer: AccessToken | null = null;
    const cred: TokenCredential = { getToken: async () => answer };
    const policy = insecureBearerTokenPolicy(cred, ["a/.default", "b/.default"]);
    const failed = await send(policy, "http://localhost/api");
    expect(failed.sent).toBe(false);
    expect(failed.error?.message).toBe("the credential returned no token for a/.default, b/.default");
    answer = { token: "late", expiresOnTimestamp: T0 + 3_600_000 };
    expect(await send(policy, "http://localhost/api")).toEqual({ sent: true, authorization: "Bearer late" });
  });
});
