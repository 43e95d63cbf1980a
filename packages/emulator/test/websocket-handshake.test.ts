import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { clientToken, connect, JSON_PROTOCOL, rest, sign, TestClient } from "./helpers/clients.ts";

let emu: RunningEmulator;
let ws: string;
beforeAll(async () => {
  emu = await startEmulator();
  ws = emu.endpoint.replace("http", "ws");
});
afterAll(async () => {
  await emu.close();
});

const now = () => Math.floor(Date.now() / 1000);

async function status(url: string, headers?: Record<string, string>): Promise<number> {
  const c = new TestClient(url, JSON_PROTOCOL, headers);
  try {
    await c.opened;
    c.ws.terminate();
    return 101;
  } catch (e) {
    return Number(/HTTP (\d+)/.exec(String(e))?.[1] ?? 0);
  }
}

describe("WebSocket handshake", () => {
  it("accepts /client/hubs/{hub}, /client?hub= and the Authorization header", async () => {
    const token = clientToken(emu, "hs");
    expect(await status(`${ws}/client/hubs/hs?access_token=${token}`)).toBe(101);
    expect(await status(`${ws}/client/?hub=hs&access_token=${token}`)).toBe(101);
    expect(await status(`${ws}/client?hub=hs&access_token=${token}`)).toBe(101);
    expect(await status(`${ws}/client/hubs/hs`, { authorization: `Bearer ${token}` })).toBe(101);
  });

  it.each([
    ["missing", () => ""],
    ["expired", () => clientToken(emu, "hs", { exp: now() - 400 })],
    ["tampered", () => `${clientToken(emu, "hs").slice(0, -3)}abc`],
    ["for another hub", () => clientToken(emu, "other")],
    ["for another host", () => clientToken(emu, "hs", { aud: "http://example.com/client/hubs/hs" })],
    ["signed with another key", () => sign({ aud: `${emu.endpoint}/client/hubs/hs`, exp: now() + 60 }, "k".repeat(40))],
    ["without exp", () => sign({ aud: `${emu.endpoint}/client/hubs/hs` }, emu.accessKey)],
    ["garbage", () => "garbage"],
  ])("answers 401 to a %s token", async (_n, make) => {
    expect(await status(`${ws}/client/hubs/hs?access_token=${make()}`)).toBe(401);
  });

  it("answers 400 for bad hub names and group claims, 404 for unknown paths", async () => {
    expect(await status(`${ws}/client/hubs/9bad?access_token=${clientToken(emu, "9bad")}`)).toBe(400);
    expect(await status(`${ws}/client?access_token=${clientToken(emu, "hs")}`)).toBe(400);
    const badGroup = clientToken(emu, "hs", { "webpubsub.group": ["ok", "   "] });
    expect(await status(`${ws}/client/hubs/hs?access_token=${badGroup}`)).toBe(400);
    expect(await status(`${ws}/somewhere?access_token=${clientToken(emu, "hs")}`)).toBe(404);
    expect(await status(`${ws}/client/hubs/hs?webpubsub_mode=sendToGroup&access_token=${clientToken(emu, "hs")}`)).toBe(
      400,
    );
  });

  it("accepts tokens within the 5 minute skew, case-insensitive audiences and https audiences", async () => {
    expect(await status(`${ws}/client/hubs/hs?access_token=${clientToken(emu, "hs", { exp: now() - 100 })}`)).toBe(101);
    const upper = clientToken(emu, "hs", { aud: `${emu.endpoint}/CLIENT/HUBS/HS` });
    expect(await status(`${ws}/client/hubs/hs?access_token=${upper}`)).toBe(101);
    const https = clientToken(emu, "hs", { aud: `${emu.endpoint.replace("http", "https")}/client/hubs/hs` });
    expect(await status(`${ws}/client/hubs/hs?access_token=${https}`)).toBe(101);
  });

  it("sends connected with userId (null when anonymous) and joins the token's initial groups", async () => {
    const anon = await connect(emu, "hs2", { claims: { "webpubsub.group": "initial" } });
    expect(anon.messages[0]).toEqual({
      type: "system",
      event: "connected",
      userId: null,
      connectionId: anon.connectionId,
    });
    const named = await connect(emu, "hs2", { claims: { sub: "zed", "webpubsub.group": ["initial", "second"] } });
    expect(named.messages[0]).toMatchObject({ userId: "zed" });
    await rest(emu, "POST", "/api/hubs/hs2/groups/initial/:send", { body: "g", contentType: "text/plain" });
    await anon.message((m) => m.data === "g");
    await named.message((m) => m.data === "g");
    expect((await rest(emu, "HEAD", "/api/hubs/hs2/groups/second")).status).toBe(200);
  });

  it("picks the first supported subprotocol the client offers", async () => {
    const token = clientToken(emu, "hs");
    const c = new TestClient(`${ws}/client/hubs/hs?access_token=${token}`, [
      "custom.v1",
      JSON_PROTOCOL,
      "json.reliable.webpubsub.azure.v1",
    ]);
    await c.opened;
    expect(c.ws.protocol).toBe(JSON_PROTOCOL);
    await c.message((m) => m.event === "connected");
    await c.close();
  });
});
