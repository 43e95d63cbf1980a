// Every TLS, Entra and proxy option has a CLI flag and a --config key: they reach the emulator (flags win over the
// file, certFile/keyFile are read relative to the config file), and bad values are usage errors (exit code 2) before
// anything listens. One CLI run from a config file serves https, checks the expected tenant and honours forwarded
// headers.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../src/cli.ts";
import { generateLoopbackCertificate } from "../src/tls/self-signed.ts";
import { CLI, spawnCli } from "./helpers/cli-process.ts";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER = "00000000-0000-0000-0000-000000000001";
const ISSUER = `https://sts.windows.net/${TENANT}/`;

function configFile(settings: Record<string, unknown>, dir = mkdtempSync(join(tmpdir(), "emu-cfg-"))): string {
  const file = join(dir, "emulator.json");
  writeFileSync(file, JSON.stringify(settings));
  return file;
}

function entraToken(claims: Record<string, unknown>): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const payload = { aud: "https://webpubsub.azure.com", exp: now + 600, ...claims };
  return `${b64({ alg: "RS256", typ: "JWT" })}.${b64(payload)}.c2ln`;
}

describe("TLS, Entra and proxy flags", () => {
  it("--allow-entra-tokens with --entra-tenant-id and a repeated --entra-issuer", () => {
    const { options } = parseArgs([
      "--allow-entra-tokens",
      "--entra-tenant-id",
      TENANT,
      "--entra-issuer",
      ISSUER,
      `--entra-issuer=https://login.microsoftonline.com/${TENANT}/v2.0`,
      "--trust-proxy",
      "--tls",
    ]);
    expect(options).toMatchObject({
      allowEntraTokens: true,
      entraTenantId: TENANT,
      entraIssuer: [ISSUER, `https://login.microsoftonline.com/${TENANT}/v2.0`],
      trustProxy: true,
      tls: true,
    });
    expect(parseArgs([]).options).not.toHaveProperty("entraIssuer");
  });

  it("refuses a tenant or issuer without --allow-entra-tokens, a tenant that is not a GUID and an http issuer", () => {
    expect(() => parseArgs(["--entra-tenant-id", TENANT])).toThrow(/set allowEntraTokens: true/);
    expect(() => parseArgs(["--entra-issuer", ISSUER])).toThrow(/set allowEntraTokens: true/);
    expect(() => parseArgs(["--allow-entra-tokens", "--entra-tenant-id", "contoso"])).toThrow(/a GUID/);
    expect(() => parseArgs(["--allow-entra-tokens", "--entra-issuer", "http://sts.windows.net/"])).toThrow(/https/);
    expect(() => parseArgs(["--allow-entra-tokens", "--entra-tenant-id"])).toThrow(/--entra-tenant-id needs a value/);
  });
});

describe("TLS, Entra and proxy keys of --config", () => {
  it("reads tls, trustProxy, allowEntraTokens, entraTenantId and entraIssuer; flags win over the file", () => {
    const file = configFile({
      tls: true,
      trustProxy: true,
      allowEntraTokens: true,
      entraTenantId: TENANT,
      entraIssuer: ISSUER,
    });
    expect(parseArgs(["--config", file]).options).toMatchObject({
      tls: true,
      trustProxy: true,
      allowEntraTokens: true,
      entraTenantId: TENANT,
      entraIssuer: ISSUER,
    });
    const flagged = parseArgs(["--config", file, "--entra-tenant-id", OTHER, "--entra-issuer", "https://a.example/"]);
    expect(flagged.options).toMatchObject({ entraTenantId: OTHER, entraIssuer: ["https://a.example/"] });
  });

  it("reads certFile and keyFile relative to the config file, and only together", async () => {
    const pems = await generateLoopbackCertificate();
    const dir = mkdtempSync(join(tmpdir(), "emu-cfg-"));
    writeFileSync(join(dir, "c.pem"), pems.cert);
    writeFileSync(join(dir, "k.pem"), pems.key);
    const file = configFile({ certFile: "c.pem", keyFile: "k.pem" }, dir);
    expect(parseArgs(["--config", file]).options.tls).toEqual(pems);
    expect(parseArgs(["--config", file, "--tls"]).options.tls).toBe(true);
    expect(() => parseArgs(["--config", configFile({ certFile: "c.pem" }, dir)])).toThrow(
      /certFile and keyFile go together/,
    );
    expect(() => parseArgs(["--config", configFile({ certFile: "c.pem", keyFile: "none.pem" }, dir)])).toThrow(
      /Cannot read keyFile file .*ENOENT/,
    );
  });

  it("refuses values of the wrong type or shape, naming the setting", () => {
    expect(() => parseArgs(["--config", configFile({ tls: "yes" })])).toThrow(/tls must be true or false/);
    expect(() => parseArgs(["--config", configFile({ trustProxy: 1 })])).toThrow(/trustProxy must be true or false/);
    expect(() => parseArgs(["--config", configFile({ allowEntraTokens: "true" })])).toThrow(/allowEntraTokens must/);
    expect(() => parseArgs(["--config", configFile({ entraTenantId: TENANT })])).toThrow(/set allowEntraTokens/);
    expect(() => parseArgs(["--config", configFile({ allowEntraTokens: true, entraIssuer: [1] })])).toThrow(
      /entraIssuer must be an https/,
    );
  });

  it("--help names every flag and config key", async () => {
    const help = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ["--conditions=source", CLI, "--help"], {
        env: { ...process.env, WEBPUBSUB_EMULATOR_NO_REEXEC: "1" },
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.on("close", () => resolve(out));
    });
    for (const key of [
      "tls",
      "certFile",
      "keyFile",
      "trustProxy",
      "allowEntraTokens",
      "entraTenantId",
      "entraIssuer",
    ]) {
      expect(help, key).toMatch(new RegExp(`--config[\\s\\S]*\\b${key}\\b`));
    }
    for (const flag of [
      "--tls",
      "--cert <file>",
      "--key <file>",
      "--trust-proxy",
      "--entra-tenant-id <guid>",
      "--entra-issuer <url>",
    ]) {
      expect(help).toContain(flag);
    }
  });
});

describe("a CLI run from a config file with TLS, an expected tenant and trustProxy", { timeout: 120_000 }, () => {
  it("serves https, accepts the tenant's Entra tokens only, and mints audiences for the forwarded host", async () => {
    const file = configFile({ port: 0, tls: true, trustProxy: true, allowEntraTokens: true, entraTenantId: TENANT });
    const { child, banner: printed } = spawnCli(["--config", file]);
    try {
      const banner = await printed;
      const endpoint = /listening on (https:\/\/\S+)/.exec(banner)?.[1];
      const certPath = /TLS certificate \(self-signed, new on every start\): (\S+)/.exec(banner)?.[1];
      expect(endpoint, banner).toBeDefined();
      expect(certPath, banner).toBeDefined();
      const ca = readFileSync(certPath as string, "utf8");
      const post = (path: string, token: string, headers: Record<string, string> = {}) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = request(
            new URL(path, endpoint),
            { method: "POST", ca, headers: { authorization: `Bearer ${token}`, "content-length": "0", ...headers } },
            (res) => {
              let body = "";
              res.on("data", (d) => (body += d));
              res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
            },
          );
          req.on("error", reject);
          req.end();
        });
      const send = "/api/hubs/cfg/:send?api-version=2024-01-01";
      expect((await post(send, entraToken({ tid: TENANT }))).status).toBe(202);
      expect((await post(send, entraToken({ tid: OTHER }))).status).toBe(401);
      const minted = await post("/api/hubs/cfg/:generateToken?api-version=2024-01-01", entraToken({ tid: TENANT }), {
        "x-forwarded-proto": "https",
        "x-forwarded-host": "chat.example.test",
      });
      expect(minted.status).toBe(200);
      const token = JSON.parse(minted.body).token as string;
      const aud = JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString()).aud;
      expect(aud).toBe("https://chat.example.test/client/hubs/cfg");
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGINT");
      await exited;
    }
  });
});
