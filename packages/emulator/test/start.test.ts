import { Agent, type IncomingMessage, request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { type DashboardState, DEFAULT_ACCESS_KEY, type RunningEmulator, startEmulator } from "../src/index.ts";
import { connect, rest } from "./helpers/clients.ts";

describe("startEmulator", () => {
  let emu: RunningEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it("listens on a random port and returns endpoint, connection string and key", async () => {
    emu = await startEmulator({ port: 0 });
    expect(emu.port).toBeGreaterThan(0);
    expect(emu.endpoint).toBe(`http://127.0.0.1:${emu.port}`);
    expect(emu.accessKey).toBe(DEFAULT_ACCESS_KEY);
    expect(emu.connectionString).toBe(`Endpoint=${emu.endpoint};AccessKey=${DEFAULT_ACCESS_KEY};Version=1.0;`);
    const health = await fetch(`${emu.endpoint}/api/health?api-version=2024-12-01`, { method: "HEAD" });
    expect(health.status).toBe(200);
    expect(health.headers.get("api-supported-versions")).toContain("2024-12-01");
  });

  it("uses a custom access key for REST auth", async () => {
    const key = "my-own-development-key-0123456789-abcdef";
    emu = await startEmulator({ accessKey: key });
    expect(emu.connectionString).toContain(`AccessKey=${key};`);
    expect((await rest(emu, "POST", "/api/hubs/h/:send", { body: "x", contentType: "text/plain" })).status).toBe(202);
  });

  it("close() ends connections and frees the port", async () => {
    emu = await startEmulator();
    const c = await connect(emu, "hub1");
    const port = emu.port;
    await emu.close();
    await c.closed;
    expect(c.messages.at(-1)).toMatchObject({ type: "system", event: "disconnected" });
    const again = await startEmulator({ port });
    expect(again.port).toBe(port);
    await again.close();
    await emu.close(); // idempotent
  });

  it("rejects invalid options before listening", async () => {
    await expect(startEmulator({ port: -1 })).rejects.toThrow(RangeError);
    await expect(startEmulator({ accessKey: "short" })).rejects.toThrow(/accessKey/);
    await expect(startEmulator({ hubs: { "1bad": {} } })).rejects.toThrow(/hub name/);
    await expect(startEmulator({ keepAliveIntervalMs: -1 })).rejects.toThrow(/keepAliveIntervalMs/);
    await expect(startEmulator({ maxBufferedBytesPerConnection: 10 })).rejects.toThrow(/maxBufferedBytesPerConnection/);
    await expect(startEmulator({ hubs: { chat: { eventHandlers: [{ urlTemplate: "ftp://x/y" }] } } })).rejects.toThrow(
      /urlTemplate/,
    );
  });

  it("rejects with the listen error when the port is taken", async () => {
    emu = await startEmulator();
    await expect(startEmulator({ port: emu.port })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe("dashboard", () => {
  it("serves a status page and its JSON only when enabled", async () => {
    const off = await startEmulator();
    const on = await startEmulator({ dashboard: true });
    try {
      expect((await fetch(`${off.endpoint}/_emulator`)).status).toBe(404);
      const page = await fetch(`${on.endpoint}/_emulator`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await page.text()).toContain("Web PubSub emulator");
      const c = await connect(on, "dash", { claims: { sub: "u1", "webpubsub.group": "g1" } });
      const state = (await (await fetch(`${on.endpoint}/_emulator/state`)).json()) as DashboardState;
      expect(state.totals).toEqual({ hubs: 1, connections: 1, groups: 1 });
      expect(state.hubs[0]).toMatchObject({
        name: "dash",
        connectionCount: 1,
        connections: [{ connectionId: c.connectionId, userId: "u1", groups: ["g1"], connected: true }],
        groups: [{ name: "g1", members: 1 }],
        users: [{ userId: "u1", connections: 1 }],
      });
      expect(JSON.stringify(state)).not.toContain(on.accessKey);
      await c.close();
    } finally {
      await off.close();
      await on.close();
    }
  });
});

describe("HTTP keep-alive", () => {
  it("advertises a 120 s idle timeout (Node's default is 5 s) and still closes at once", async () => {
    const emu = await startEmulator();
    try {
      // A HEAD over a keep-alive connection: the server's Keep-Alive header states its idle timeout.
      const agent = new Agent({ keepAlive: true });
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = request(`${emu.endpoint}/api/health?api-version=2024-12-01`, { method: "HEAD", agent }, resolve);
        req.on("error", reject);
        req.end();
      });
      res.resume();
      agent.destroy();
      expect(res.statusCode).toBe(200);
      expect(String(res.headers["keep-alive"])).toMatch(/timeout=120\b/);
    } finally {
      const started = Date.now();
      await emu.close();
      expect(Date.now() - started).toBeLessThan(2000);
    }
  });
});
