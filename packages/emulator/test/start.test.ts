import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_ACCESS_KEY, type RunningEmulator, startEmulator } from "../src/index.ts";
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
