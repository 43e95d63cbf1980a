// Entra dev mode (allowEntraTokens): a bearer token shaped like a Microsoft Entra access token is accepted when its
// audience is https://webpubsub.azure.com or the emulator's endpoint and it is within its lifetime (the signature cannot
// be checked offline); wrong audience, expired, not-yet-valid and malformed tokens are refused; with the mode off such
// tokens are refused. With an expected tenant (entraTenantId) or issuer (entraIssuer), tokens from another tenant or
// issuer are refused too, and those options are refused without the mode or with a malformed value.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { sign } from "./helpers/clients.ts";

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);
const entra = (claims: Record<string, unknown>) => `${b64({ alg: "RS256", typ: "JWT" })}.${b64(claims)}.c2lnbmF0dXJl`;

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER = "00000000-0000-0000-0000-000000000001";
const V1_ISSUER = `https://sts.windows.net/${TENANT}/`;

let on: RunningEmulator;
let off: RunningEmulator;
let tenant: RunningEmulator;
let issuer: RunningEmulator;
beforeAll(async () => {
  on = await startEmulator({ allowEntraTokens: true });
  off = await startEmulator();
  tenant = await startEmulator({ allowEntraTokens: true, entraTenantId: TENANT.toUpperCase() });
  issuer = await startEmulator({
    allowEntraTokens: true,
    entraIssuer: [V1_ISSUER, `https://login.microsoftonline.com/${TENANT}/v2.0`],
  });
});
afterAll(async () => {
  await on.close();
  await off.close();
  await tenant.close();
  await issuer.close();
});

async function send(emu: RunningEmulator, token: string): Promise<number> {
  const res = await fetch(`${emu.endpoint}/api/hubs/entra/:send?api-version=2024-01-01`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
    body: "x",
  });
  await res.arrayBuffer();
  return res.status;
}

describe("Entra dev mode", () => {
  it("accepts the Web PubSub audience or the endpoint's origin, within the token's lifetime", async () => {
    expect(await send(on, entra({ aud: "https://webpubsub.azure.com", nbf: now() - 60, exp: now() + 600 }))).toBe(202);
    expect(await send(on, entra({ aud: on.endpoint, exp: now() + 600 }))).toBe(202);
    expect(await send(on, entra({ aud: `${on.endpoint.replace("http:", "https:")}/`, exp: now() + 600 }))).toBe(202);
  });

  it("refuses a wrong audience, an expired or not-yet-valid token, and a malformed one", async () => {
    expect(await send(on, entra({ aud: "https://management.azure.com", exp: now() + 600 }))).toBe(401);
    expect(await send(on, entra({ aud: "http://127.0.0.1:1", exp: now() + 600 }))).toBe(401);
    expect(await send(on, entra({ aud: "https://webpubsub.azure.com", exp: now() - 3600 }))).toBe(401);
    expect(await send(on, entra({ aud: "https://webpubsub.azure.com", nbf: now() + 3600, exp: now() + 7200 }))).toBe(
      401,
    );
    expect(await send(on, entra({ aud: "https://webpubsub.azure.com" }))).toBe(401); // no exp
    expect(await send(on, "not-a-jwt")).toBe(401);
    expect(await send(on, `${b64({ alg: "RS256" })}.bm90IGpzb24.c2ln`)).toBe(401);
  });

  it("with the mode off, refuses Entra-shaped tokens", async () => {
    expect(await send(off, entra({ aud: "https://webpubsub.azure.com", exp: now() + 600 }))).toBe(401);
    expect(await send(off, entra({ aud: off.endpoint, exp: now() + 600 }))).toBe(401);
  });
});

describe("Entra dev mode with an expected tenant (entraTenantId)", () => {
  const claims = (extra: Record<string, unknown>) => ({
    aud: "https://webpubsub.azure.com",
    exp: now() + 600,
    ...extra,
  });

  it("accepts tokens of that tenant (tid, any case), with a v1 or v2 issuer naming it or no issuer", async () => {
    expect(await send(tenant, entra(claims({ tid: TENANT, iss: V1_ISSUER })))).toBe(202);
    expect(await send(tenant, entra(claims({ tid: TENANT.toUpperCase() })))).toBe(202);
    const v2 = `https://login.microsoftonline.com/${TENANT}/v2.0`;
    expect(await send(tenant, entra(claims({ tid: TENANT, iss: v2 })))).toBe(202);
  });

  it("refuses another tenant, a missing tid, and an issuer naming another tenant", async () => {
    expect(await send(tenant, entra(claims({ tid: OTHER, iss: `https://sts.windows.net/${OTHER}/` })))).toBe(401);
    expect(await send(tenant, entra(claims({ iss: V1_ISSUER })))).toBe(401);
    expect(await send(tenant, entra(claims({ tid: TENANT, iss: `https://sts.windows.net/${OTHER}/` })))).toBe(401);
    expect(await send(tenant, entra(claims({ tid: TENANT, iss: "not a url" })))).toBe(401);
    // still refused for the reasons that hold without a tenant
    expect(await send(tenant, entra({ tid: TENANT, aud: "https://management.azure.com", exp: now() + 600 }))).toBe(401);
  });

  it("names the failed claim in the 401 and keeps access-key tokens working", async () => {
    const res = await fetch(`${tenant.endpoint}/api/hubs/entra/:send?api-version=2024-01-01`, {
      method: "POST",
      headers: { authorization: `Bearer ${entra(claims({ tid: OTHER }))}`, "content-type": "text/plain" },
      body: "x",
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("tenant (tid)");
    const keyed = sign({ aud: `${tenant.endpoint}/api/hubs/entra/:send`, exp: now() + 600 }, tenant.accessKey);
    expect(await send(tenant, keyed)).toBe(202);
  });
});

describe("Entra dev mode with expected issuers (entraIssuer)", () => {
  const claims = (extra: Record<string, unknown>) => ({
    aud: "https://webpubsub.azure.com",
    exp: now() + 600,
    ...extra,
  });

  it("accepts a listed issuer, with or without its trailing slash", async () => {
    expect(await send(issuer, entra(claims({ iss: V1_ISSUER })))).toBe(202);
    expect(await send(issuer, entra(claims({ iss: V1_ISSUER.slice(0, -1) })))).toBe(202);
    expect(await send(issuer, entra(claims({ iss: `https://login.microsoftonline.com/${TENANT}/v2.0` })))).toBe(202);
  });

  it("refuses another issuer, another tenant's issuer and a token without iss", async () => {
    expect(await send(issuer, entra(claims({ iss: "https://sts.example.com/" })))).toBe(401);
    expect(await send(issuer, entra(claims({ iss: `https://sts.windows.net/${OTHER}/` })))).toBe(401);
    expect(await send(issuer, entra(claims({ iss: `${V1_ISSUER}x` })))).toBe(401);
    expect(await send(issuer, entra(claims({})))).toBe(401);
  });
});

describe("Entra options are checked before anything listens", () => {
  it("refuses a tenant or issuer without allowEntraTokens, a tenant that is not a GUID and a non-https issuer", async () => {
    await expect(startEmulator({ entraTenantId: TENANT })).rejects.toThrow(/set allowEntraTokens: true/);
    await expect(startEmulator({ entraIssuer: V1_ISSUER })).rejects.toThrow(/set allowEntraTokens: true/);
    await expect(startEmulator({ allowEntraTokens: true, entraTenantId: "contoso.onmicrosoft.com" })).rejects.toThrow(
      /entraTenantId must be a tenant id \(a GUID/,
    );
    await expect(startEmulator({ allowEntraTokens: true, entraIssuer: "http://sts.windows.net/x/" })).rejects.toThrow(
      /entraIssuer must be an https:\/\/ URL/,
    );
    await expect(startEmulator({ allowEntraTokens: true, entraIssuer: [] })).rejects.toThrow(/at least one issuer/);
    await expect(startEmulator({ allowEntraTokens: "yes" as never })).rejects.toThrow(/allowEntraTokens must be/);
  });
});
