// Entra dev mode (allowEntraTokens): a bearer token shaped like a Microsoft Entra access token is accepted when its
// audience is https://webpubsub.azure.com or the emulator's endpoint and it is within its lifetime (the signature cannot
// be checked offline); wrong audience, expired, not-yet-valid and malformed tokens are refused; with the mode off such
// tokens are refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);
const entra = (claims: Record<string, unknown>) => `${b64({ alg: "RS256", typ: "JWT" })}.${b64(claims)}.c2lnbmF0dXJl`;

let on: RunningEmulator;
let off: RunningEmulator;
beforeAll(async () => {
  on = await startEmulator({ allowEntraTokens: true });
  off = await startEmulator();
});
afterAll(async () => {
  await on.close();
  await off.close();
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
    expect(await send(on, "not-a-jwt")).toBe(401);
    expect(await send(on, `${b64({ alg: "RS256" })}.bm90IGpzb24.c2ln`)).toBe(401);
  });

  it("with the mode off, refuses Entra-shaped tokens", async () => {
    expect(await send(off, entra({ aud: "https://webpubsub.azure.com", exp: now() + 600 }))).toBe(401);
    expect(await send(off, entra({ aud: off.endpoint, exp: now() + 600 }))).toBe(401);
  });
});
