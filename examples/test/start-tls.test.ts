// `pnpm start -- --tls` as a child process: the chat page is served over https and the emulator over wss with the
// generated certificate written to the printed file. Trusted the ways the banner says (the file as `ca` /
// NODE_EXTRA_CA_CERTS for Node, the printed SPKI flag for Chromium), the page loads over https and clients connect over
// wss; without trusting it, the page is refused. Unknown arguments exit with code 2.
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { get } from "node:https";
import { WebPubSubClient } from "@webpubsub/client";
import { hasChromium, launchChromium } from "@webpubsub/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { childEnv, examplesDir } from "./run-node.ts";

function startChat(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--conditions=source", "src/chat/start.ts", ...args], {
    cwd: examplesDir,
    env: childEnv(),
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** GET over https with `ca` trusted (undefined: the default authorities only). */
function httpsGet(url: string, ca: string | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, ca === undefined ? {} : { ca }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    }).on("error", reject);
  });
}

describe("pnpm start -- --tls", () => {
  let run: ReturnType<typeof startChat>;
  let page: string;
  let ca: string;
  let spki: string;

  beforeAll(async () => {
    // the `--` is what `pnpm start -- --tls` hands the script
    run = startChat(["--", "--tls"]);
    await new Promise<void>((resolve, reject) => {
      run.child.stdout?.on("data", () => {
        if (run.output().includes("Press Ctrl+C")) resolve();
      });
      run.child.on("close", () => reject(new Error(`exited before it was ready: ${run.output()}`)));
    });
    const banner = run.output();
    page = /chat page\s+(https:\/\/\S+)/.exec(banner)?.[1] as string;
    const file = /certificate (\S+\.pem)/.exec(banner)?.[1] as string;
    spki = /--ignore-certificate-errors-spki-list=(\S+)/.exec(banner)?.[1] as string;
    expect(page, banner).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(file, banner).toBeDefined();
    expect(spki, banner).toBeDefined();
    expect(banner).toMatch(/emulator\s+https:\/\/127\.0\.0\.1:\d+/);
    expect(banner).toContain(`NODE_EXTRA_CA_CERTS=${file}`);
    expect(banner).not.toContain("NODE_TLS_REJECT_UNAUTHORIZED");
    ca = readFileSync(file, "utf8");
  });

  afterAll(async () => {
    if (run.child.exitCode !== null) return;
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
  });

  it("serves the page over https to a peer trusting the printed certificate, and refuses one that does not", async () => {
    const html = await httpsGet(page, ca);
    expect(html.status).toBe(200);
    expect(html.body).toContain('<script type="module" src="/app.js"></script>');
    await expect(httpsGet(page, undefined)).rejects.toThrow(/self-signed certificate/);
  });

  it("hands out wss:// URLs that @webpubsub/client connects with, trusting the certificate", async () => {
    const negotiated = await httpsGet(new URL("/negotiate?user=nodeuser", page).toString(), ca);
    const { url } = JSON.parse(negotiated.body) as { url: string };
    expect(url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/client\/hubs\/chat\?access_token=/);
    const client = new WebPubSubClient(url, {
      autoReconnect: false,
      webSocketFactory: (u, protocols) => new WebSocket(u, protocols, { ca }),
    });
    const connected = new Promise<string>((resolve) => client.once("connected", (e) => resolve(e.connectionId)));
    await client.start();
    expect(await connected).toBeTruthy();
    await client.stop();
  });

  it.skipIf(!hasChromium("the https chat page in Chromium"))(
    "the page loads over https in Chromium started with the printed SPKI flag and connects over wss",
    async () => {
      const browser = await launchChromium([`--ignore-certificate-errors-spki-list=${spki}`]);
      try {
        const tab = await browser.newPage();
        const errors: string[] = [];
        tab.on("pageerror", (e) => errors.push(e.message));
        const response = await tab.goto(page);
        expect(response?.status()).toBe(200);
        await tab.fill("#name", "browseruser");
        await tab.click("#join");
        await tab.waitForSelector(`#status[data-state="Connected"]`, { timeout: 15_000 }).catch((error: unknown) => {
          throw new Error(`the page did not connect (${errors.join("; ") || String(error)})`);
        });
        expect(await tab.evaluate(() => location.protocol)).toBe("https:");
      } finally {
        await browser.close();
      }
    },
  );
});

it("pnpm start refuses an unknown argument with exit code 2", async () => {
  const run = startChat(["--bogus"]);
  expect(await run.exited).toBe(2);
  expect(run.output()).toContain("Unknown argument '--bogus'");
});
