import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { rest, sign } from "./helpers/clients.ts";

let emu: RunningEmulator;
let entraEmu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
  entraEmu = await startEmulator({ allowEntraTokens: true });
});
afterAll(async () => {
  await emu.close();
  await entraEmu.close();
});

const now = () => Math.floor(Date.now() / 1000);

function sendUrl(e: RunningEmulator): string {
  return `${e.endpoint}/api/hubs/auth/:send?api-version=2024-12-01`;
}

async function send(e: RunningEmulator, token: string | null, url = sendUrl(e)) {
  const headers: Record<string, string> = { "content-type": "text/plain" };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return fetch(url, { method: "POST", body: "x", headers });
}

describe("REST authentication", () => {
  it("accepts the full URL or the URL without query as audience, case-insensitively", async () => {
    const url = sendUrl(emu);
    expect((await send(emu, sign({ aud: url, exp: now() + 60 }, emu.accessKey))).status).toBe(202);
    const noQuery = url.split("?")[0]!;
    expect((await send(emu, sign({ aud: noQuery, exp: now() + 60 }, emu.accessKey))).status).toBe(202);
    expect((await send(emu, sign({ aud: url.toUpperCase(), exp: now() + 60 }, emu.accessKey))).status).toBe(202);
    const encoded = `${emu.endpoint}/api/hubs/auth/%3Asend`;
    expect((await send(emu, sign({ aud: encoded, exp: now() + 60 }, emu.accessKey))).status).toBe(202);
  });

  it.each([
    ["no Authorization header", null],
    ["a malformed token", "not-a-jwt"],
    [
      "a token signed with another key",
      () => sign({ aud: sendUrl(emu), exp: now() + 60 }, "another-key-0123456789-0123456789"),
    ],
    ["an expired token (beyond 5 min skew)", () => sign({ aud: sendUrl(emu), exp: now() - 301 }, emu.accessKey)],
    ["a token without exp", () => sign({ aud: sendUrl(emu) }, emu.accessKey)],
    [
      "a token for another URL",
      () => sign({ aud: `${emu.endpoint}/api/hubs/other/:send`, exp: now() + 60 }, emu.accessKey),
    ],
    [
      "a token not valid before the future",
      () => sign({ aud: sendUrl(emu), exp: now() + 900, nbf: now() + 600 }, emu.accessKey),
    ],
    [
      "an Entra token when Entra tokens are not allowed",
      () => sign({ aud: "https://webpubsub.azure.com", exp: now() + 60 }, "x".repeat(32)),
    ],
  ])("answers 401 for %s", async (_name, make) => {
    const token = typeof make === "function" ? make() : make;
    const res = await send(emu, token);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    expect(res.headers.get("x-ms-error-code")).toBe("Error.Unauthorized");
  });

  it("tolerates 5 minutes of clock skew", async () => {
    expect((await send(emu, sign({ aud: sendUrl(emu), exp: now() - 200 }, emu.accessKey))).status).toBe(202);
  });

  it("rejects alg=none tokens", async () => {
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const token = `${enc({ alg: "none", typ: "JWT" })}.${enc({ aud: sendUrl(emu), exp: now() + 60 })}.`;
    expect((await send(emu, token)).status).toBe(401);
  });

  it("with allowEntraTokens, checks an Entra token's audience and expiry only", async () => {
    const entra = (claims: Record<string, unknown>) => sign(claims, "a-key-the-emulator-does-not-know-xxxx");
    expect((await send(entraEmu, entra({ aud: "https://webpubsub.azure.com", exp: now() + 60 }))).status).toBe(202);
    expect((await send(entraEmu, entra({ aud: "https://webpubsub.azure.com", exp: now() - 600 }))).status).toBe(401);
    expect((await send(entraEmu, entra({ aud: "https://management.azure.com", exp: now() + 60 }))).status).toBe(401);
    // access-key tokens keep working
    expect((await send(entraEmu, sign({ aud: sendUrl(entraEmu), exp: now() + 60 }, entraEmu.accessKey))).status).toBe(
      202,
    );
  });

  it("does not require auth for the health check, and answers api-supported-versions everywhere", async () => {
    const res = await fetch(`${emu.endpoint}/api/health`, { method: "HEAD" });
    expect(res.status).toBe(200);
    const r = await rest(emu, "HEAD", "/api/hubs/auth/users/nobody");
    expect(r.headers.get("api-supported-versions")).toBe("2021-10-01, 2022-11-01, 2023-07-01, 2024-01-01, 2024-12-01");
  });
});
