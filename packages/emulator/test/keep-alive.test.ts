import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startEmulator } from "../src/index.ts";
import { clientToken, connect, JSON_PROTOCOL, rest } from "./helpers/clients.ts";

describe("keep-alive", () => {
  it("pings clients on the interval and drops one that stops answering, keeping the others", async () => {
    const emu = await startEmulator({ keepAliveIntervalMs: 250 });
    try {
      const healthy = await connect(emu, "ka");
      let pings = 0;
      const threePings = new Promise<void>((resolve) => {
        healthy.ws.on("ping", () => {
          if (++pings === 3) resolve();
        });
      });
      // a half-open peer: the socket stays up but never answers pings
      const url = `${emu.endpoint.replace("http", "ws")}/client/hubs/ka?access_token=${clientToken(emu, "ka")}`;
      const silent = new WebSocket(url, JSON_PROTOCOL, { autoPong: false });
      const silentId = await new Promise<string>((resolve) =>
        silent.once("message", (d: Buffer) => resolve(JSON.parse(d.toString()).connectionId)),
      );
      const closed = new Promise<number>((resolve) => silent.once("close", (code) => resolve(code)));
      expect(await closed).toBe(1006);
      expect((await rest(emu, "HEAD", `/api/hubs/ka/connections/${silentId}`)).status).toBe(404);
      await threePings;
      expect(healthy.ws.readyState).toBe(WebSocket.OPEN);
      expect((await rest(emu, "HEAD", `/api/hubs/ka/connections/${healthy.connectionId}`)).status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});
