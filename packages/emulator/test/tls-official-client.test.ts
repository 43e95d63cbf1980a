// The official @azure/web-pubsub-client 1.1.0 connects with a wss:// URL from the official service SDK against
// `startEmulator({ tls: true })`, in a child process that trusts the certificate through NODE_EXTRA_CA_CERTS (the way a
// user's Node process would), never by turning certificate checks off.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { describe, expect, it } from "vitest";
import { useEmulator } from "./helpers/use-emulator.ts";

const PKG = fileURLToPath(new URL("..", import.meta.url));
const emu = useEmulator({ tls: true });

const SCRIPT = `
import { WebPubSubClient } from "@azure/web-pubsub-client";
const client = new WebPubSubClient(process.argv[1]);
client.on("connected", (e) => { console.log("connected " + e.connectionId); client.stop(); });
client.on("stopped", () => process.exit(0));
await client.start();
`;

function runClient(url: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", SCRIPT, url], {
      cwd: PKG,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

describe("@azure/web-pubsub-client 1.1.0 over wss", { timeout: 60_000 }, () => {
  it("connects with NODE_EXTRA_CA_CERTS naming the emulator's certificate", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "emu-ca-")), "cert.pem");
    writeFileSync(file, emu.certificate!);
    const service = new WebPubSubServiceClient(emu.connectionString, "tlsClient", {
      tlsOptions: { ca: emu.certificate! },
    });
    const { url } = await service.getClientAccessToken({ userId: "u" });
    expect(url.startsWith("wss://")).toBe(true);
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: file };
    delete env.NODE_TLS_REJECT_UNAUTHORIZED;
    const result = await runClient(url, env);
    expect(result.out).toMatch(/connected \S+/);
    expect(result.code).toBe(0);
  });
});
