// The CLI's TLS flags: --tls generates a certificate, writes it to a file and prints how to trust it (never by turning
// certificate checks off) and removes it when it exits; --cert and --key serve the caller's PEM and only go together.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { get } from "node:https";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../src/cli.ts";
import { generateLoopbackCertificate } from "../src/tls/self-signed.ts";
import { spawnCli } from "./helpers/cli-process.ts";

describe("CLI TLS flags", { timeout: 120_000 }, () => {
  it("--cert and --key are read together; one without the other or an unreadable file is a usage error", async () => {
    const pems = await generateLoopbackCertificate();
    const dir = mkdtempSync(join(tmpdir(), "emu-tls-"));
    writeFileSync(join(dir, "c.pem"), pems.cert);
    writeFileSync(join(dir, "k.pem"), pems.key);
    const both = parseArgs(["--cert", join(dir, "c.pem"), "--key", join(dir, "k.pem")]);
    expect(both.options.tls).toEqual(pems);
    expect(() => parseArgs(["--cert", join(dir, "c.pem")])).toThrow(/--cert and --key go together/);
    expect(() => parseArgs(["--key", join(dir, "k.pem")])).toThrow(/--cert and --key go together/);
    expect(() => parseArgs(["--cert", join(dir, "none.pem"), "--key", join(dir, "k.pem")])).toThrow(
      /Cannot read --cert file .*ENOENT/,
    );
    expect(parseArgs(["--tls"]).options.tls).toBe(true);
    expect(parseArgs([]).options.tls).toBeUndefined();
  });

  it("--tls serves https, writes the certificate to the printed file and says how to trust it", async () => {
    const { child, banner: printed } = spawnCli(["--port", "0", "--tls"]);
    try {
      const banner = await printed;
      const endpoint = /listening on (https:\/\/\S+)/.exec(banner)?.[1];
      expect(endpoint).toBeDefined();
      expect(banner).toMatch(/WebSocket clients: wss:\/\//);
      const file = /TLS certificate[^:]*: (\S+)/.exec(banner)?.[1];
      expect(file).toBeDefined();
      expect(banner).toContain(`NODE_EXTRA_CA_CERTS=${file}`);
      expect(banner).toMatch(/--ignore-certificate-errors-spki-list=[A-Za-z0-9+/]{43}=/);
      expect(banner).not.toContain("NODE_TLS_REJECT_UNAUTHORIZED");
      const ca = readFileSync(file!, "utf8");
      const status = await new Promise<number | undefined>((resolve, reject) => {
        get(`${endpoint}/`, { ca }, (res) => {
          res.resume();
          resolve(res.statusCode);
        }).on("error", reject);
      });
      expect(status).toBe(404);
      // the certificate is new on every start: its directory goes with the process (each start left one behind)
      expect(existsSync(file!)).toBe(true);
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      expect(existsSync(file!)).toBe(false);
      expect(existsSync(dirname(file!))).toBe(false);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
