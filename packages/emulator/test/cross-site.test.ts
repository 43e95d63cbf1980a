// Cross-site protection (README "Security"): anyone can sign tokens with the well-known development key, so a web page
// of another site must not reach the emulator. WebSocket upgrades (and any request) carrying the Origin of a page that
// is not loopback, and not listed in allowedOrigins, are refused with 403 and one log line; requests naming the
// emulator by a host name that is not its own (DNS rebinding) are refused with 403; invalid Host headers get 400.
// Both sides of every boundary are tested with raw clients, and the browser side with a real Chromium whose host
// resolver maps evil.example to 127.0.0.1.
import { createServer, type Server } from "node:http";
import { connect as tcpConnect } from "node:net";
import { hasChromium, launchChromium } from "@webpubsub/test-kit";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { clientToken, hubNames, JSON_PROTOCOL, rest } from "./helpers/clients.ts";

const hub = hubNames("xs");

let emu: RunningEmulator;
const logs: { line: string; level: string }[] = [];
beforeAll(async () => {
  emu = await startEmulator({ dashboard: true, log: (line, level) => logs.push({ line, level }) });
});
afterAll(async () => {
  await emu.close();
});

/** The HTTP status of a WebSocket upgrade to `target` with these headers (101 when it was accepted). */
function upgradeStatus(target: RunningEmulator, h: string, headers: Record<string, string>): Promise<number> {
  const url = `${target.endpoint.replace("http", "ws")}/client/hubs/${h}?access_token=${clientToken(target, h)}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, JSON_PROTOCOL, { headers });
    ws.once("open", () => {
      ws.terminate();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.once("error", reject);
  });
}

/** Sends raw request bytes and returns the status code of the answer (the Host header can be anything here). */
function rawStatus(target: RunningEmulator, head: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(target.port, "127.0.0.1", () => socket.write(head));
    let data = "";
    socket.on("data", (d) => {
      data += d.toString("latin1");
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) {
        resolve(Number(m[1]));
        socket.destroy();
      }
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error(`no status line; got ${JSON.stringify(data.slice(0, 200))}`)));
  });
}

describe("Origin of WebSocket upgrades", () => {
  it("accepts upgrades without an Origin (non-browser clients) and from loopback origins on any port", async () => {
    const h = hub();
    expect(await upgradeStatus(emu, h, {})).toBe(101);
    for (const origin of [
      "http://localhost:5173",
      "https://localhost",
      "http://127.0.0.1:1",
      "https://[::1]:8443",
      "http://LOCALHOST:3000",
      "http://app.localhost:3000",
    ]) {
      expect(await upgradeStatus(emu, h, { origin }), origin).toBe(101);
    }
  });

  it("refuses upgrades from any other origin with 403, names it once in the log, and lets no session start", async () => {
    const h = hub();
    for (const origin of [
      "https://evil.example",
      "http://localhost.evil.example",
      "http://127.0.0.1.evil.example:8080",
      "http://evil.example:80@localhost", // not an origin a browser sends; never parsed as localhost
      "null",
      "ftp://localhost",
      "http://192.168.1.10:3000",
    ]) {
      expect(await upgradeStatus(emu, h, { origin }), origin).toBe(403);
    }
    const warned = logs.filter((l) => l.level === "warn" && l.line.includes('"https://evil.example"'));
    expect(warned).toHaveLength(1);
    expect(warned[0]!.line).toMatch(/refused a WebSocket connection: .*allowedOrigins/);
    // a retry is refused again, but not logged again
    expect(await upgradeStatus(emu, h, { origin: "https://evil.example" })).toBe(403);
    expect(logs.filter((l) => l.line.includes('"https://evil.example"'))).toHaveLength(1);
    expect((await rest(emu, "HEAD", `/api/hubs/${h}/users/nobody`)).status).toBe(404);
  });

  it("allowedOrigins admits the listed origins exactly (scheme, host and port), and '*' admits any page", async () => {
    const listed = await startEmulator({
      allowedOrigins: ["https://app.example.com", "http://dev.example:8080", "null"],
    });
    const any = await startEmulator({ allowedOrigins: "*" });
    try {
      const h = hub();
      expect(await upgradeStatus(listed, h, { origin: "https://app.example.com" })).toBe(101);
      expect(await upgradeStatus(listed, h, { origin: "https://APP.example.com" })).toBe(101);
      expect(await upgradeStatus(listed, h, { origin: "http://dev.example:8080" })).toBe(101);
      expect(await upgradeStatus(listed, h, { origin: "http://localhost:1234" })).toBe(101);
      // pages with an opaque origin (about:blank, file:, sandboxed frames) only when "null" is listed
      expect(await upgradeStatus(listed, h, { origin: "null" })).toBe(101);
      expect(await upgradeStatus(listed, h, { origin: "http://app.example.com" })).toBe(403);
      expect(await upgradeStatus(listed, h, { origin: "https://app.example.com:444" })).toBe(403);
      expect(await upgradeStatus(listed, h, { origin: "http://dev.example" })).toBe(403);
      expect(await upgradeStatus(listed, h, { origin: "https://evil.example" })).toBe(403);
      expect(await upgradeStatus(any, h, { origin: "https://evil.example" })).toBe(101);
    } finally {
      await listed.close();
      await any.close();
    }
  });

  it("rejects invalid allowedOrigins and allowedHosts before listening, naming the option", async () => {
    await expect(startEmulator({ allowedOrigins: ["not an origin"] })).rejects.toThrow(/allowedOrigins/);
    await expect(startEmulator({ allowedOrigins: ["https://a.example/path"] })).rejects.toThrow(/without a path/);
    await expect(startEmulator({ allowedOrigins: "all" as never })).rejects.toThrow(/allowedOrigins must be/);
    await expect(startEmulator({ allowedHosts: ["http://a.example"] })).rejects.toThrow(/allowedHosts/);
    await expect(startEmulator({ allowedHosts: ["a.example:8080"] })).rejects.toThrow(/allowedHosts/);
  });

  it("REST calls and the dashboard from a page of another site are refused too", async () => {
    const r = await rest(emu, "HEAD", "/api/health", { headers: { origin: "https://evil.example" } });
    expect(r.status).toBe(403);
    const page = await fetch(`${emu.endpoint}/_emulator/state`, { headers: { origin: "https://evil.example" } });
    expect(page.status).toBe(403);
    expect((await rest(emu, "HEAD", "/api/health", { headers: { origin: "http://localhost:3000" } })).status).toBe(200);
  });
});

describe("Host header (DNS rebinding)", () => {
  const at = (host: string, path = "/api/health") =>
    rawStatus(emu, `HEAD ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);

  it("serves the emulator's own names: IP addresses, localhost, *.localhost, with or without port", async () => {
    for (const host of [
      `127.0.0.1:${emu.port}`,
      "127.0.0.1",
      `localhost:${emu.port}`,
      "LocalHost",
      `[::1]:${emu.port}`,
      "10.1.2.3:8080",
      "[fe80::1]",
      "app.localhost",
    ]) {
      expect(await at(host), host).toBe(200);
    }
  });

  it("refuses other host names with 403 on REST, the dashboard and upgrades, and logs the host once", async () => {
    for (const host of ["evil.example", `evil.example:${emu.port}`, "localhost.evil.example", "127.0.0.1.nip.io"]) {
      expect(await at(host), host).toBe(403);
      expect(await at(host, "/_emulator/state"), host).toBe(403);
    }
    const upgrade = await rawStatus(
      emu,
      `GET /client/hubs/h HTTP/1.1\r\nHost: evil.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    );
    expect(upgrade).toBe(403);
    const warned = logs.filter((l) => l.level === "warn" && l.line.includes('Host "evil.example"'));
    expect(warned).toHaveLength(1);
    expect(warned[0]!.line).toMatch(/DNS rebinding.*allowedHosts/);
  });

  it("allowedHosts admits listed names and (with a leading dot) their subdomains; '*' turns the check off", async () => {
    const listed = await startEmulator({ allowedHosts: ["emulator.test", ".dev.example"] });
    const any = await startEmulator({ allowedHosts: "*" });
    try {
      const status = (target: RunningEmulator, host: string) =>
        rawStatus(target, `HEAD /api/health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      expect(await status(listed, "emulator.test:8080")).toBe(200);
      expect(await status(listed, "dev.example")).toBe(200);
      expect(await status(listed, "a.b.dev.example")).toBe(200);
      expect(await status(listed, "sub.emulator.test")).toBe(403);
      expect(await status(listed, "baddev.example")).toBe(403);
      expect(await status(any, "evil.example")).toBe(200);
    } finally {
      await listed.close();
      await any.close();
    }
  });

  it("answers invalid Host authorities with 400 (not 500), on REST and on upgrades", async () => {
    for (const host of ["[", "a b", "h:99999", "h:port", "user@h", "h/x", "[::1", "h?x", "h#x", "h\\x"]) {
      expect(await at(host), host).toBe(400);
      expect(await at(host, "/client/hubs/h"), host).toBe(400);
    }
  });
});

describe("HTTP limits", () => {
  it("answers a header block over the limit with 431 on REST and on upgrades (40 KB token in a header or query)", async () => {
    const big = "a".repeat(40_000);
    expect(
      await rawStatus(
        emu,
        `HEAD /api/health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${big}\r\nConnection: close\r\n\r\n`,
      ),
    ).toBe(431);
    expect(await upgradeStatus(emu, hub(), { authorization: `Bearer ${big}` }).catch(() => 431)).toBe(431);
    const status = await rawStatus(
      emu,
      `GET /client/hubs/h?access_token=${big} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\n` +
        "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    );
    expect(status).toBe(431);
    // below the limit, an ordinary malformed request is still 400
    expect(await rawStatus(emu, "HEAD /api/health HTTP/1.1\r\nBad Header\r\n\r\n")).toBe(400);
  });
});

describe("dashboard hardening", () => {
  it("the page forbids sniffing and framing and runs under a strict Content-Security-Policy", async () => {
    const res = await fetch(`${emu.endpoint}/_emulator`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain("unsafe-inline");
    for (const path of ["/_emulator/state", "/_emulator/events?since=abc"]) {
      const r = await fetch(`${emu.endpoint}${path}`);
      await r.body?.cancel();
      expect(r.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(r.headers.get("x-frame-options"), path).toBe("DENY");
    }
  });
});

describe.skipIf(!hasChromium("the cross-site browser tests"))("in Chromium: a page of another site", () => {
  let pages: Server;
  let pagePort: number;
  let browser: Browser;

  beforeAll(async () => {
    // one page that opens a WebSocket to the emulator given in its query and reports what happened
    pages = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><script>
        const target = new URL(location.href).searchParams.get("ws");
        window.result = new Promise((resolve) => {
          const ws = new WebSocket(target, "${JSON_PROTOCOL}");
          ws.onmessage = (e) => { resolve("message: " + e.data); ws.close(); };
          ws.onclose = (e) => resolve("closed " + e.code);
        });
      </script>`);
    });
    await new Promise<void>((resolve) => pages.listen(0, "127.0.0.1", resolve));
    pagePort = (pages.address() as { port: number }).port;
    browser = await launchChromium(["--host-resolver-rules=MAP evil.example 127.0.0.1"]);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => pages?.close(resolve));
  });

  async function resultOf(pageUrl: string, target: RunningEmulator): Promise<string> {
    const h = hub();
    const ws = `${target.endpoint.replace("http", "ws")}/client/hubs/${h}?access_token=${clientToken(target, h)}`;
    const page = await browser.newPage();
    try {
      await page.goto(`${pageUrl}?ws=${encodeURIComponent(ws)}`);
      return await page.evaluate(() => (window as unknown as { result: Promise<string> }).result);
    } finally {
      await page.close();
    }
  }

  it("a page of http://localhost connects; the same page from http://evil.example cannot", async () => {
    expect(await resultOf(`http://localhost:${pagePort}/`, emu)).toMatch(/^message: .*"event":"connected"/);
    expect(await resultOf(`http://evil.example:${pagePort}/`, emu)).toBe("closed 1006");
  });

  it("allowedOrigins lets the listed site's page connect", async () => {
    const open = await startEmulator({ allowedOrigins: [`http://evil.example:${pagePort}`] });
    try {
      expect(await resultOf(`http://evil.example:${pagePort}/`, open)).toMatch(/"event":"connected"/);
    } finally {
      await open.close();
    }
  });

  it("DNS rebinding: the dashboard and REST under the attacker's host name answer 403", async () => {
    const page = await browser.newPage();
    try {
      const dashboard = await page.goto(`http://evil.example:${emu.port}/_emulator`);
      expect(dashboard?.status()).toBe(403);
      const status = await page.evaluate(async () => (await fetch("/_emulator/state")).status);
      expect(status).toBe(403);
      const local = await page.goto(`http://localhost:${emu.port}/_emulator`);
      expect(local?.status()).toBe(200);
      // the page runs under its CSP without violations (its script renders the totals)
      await page.waitForFunction(() => document.getElementById("totals")?.textContent?.includes("hub(s)"));
    } finally {
      await page.close();
    }
  });
});
