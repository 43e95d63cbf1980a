// Every method against the emulator, with real WebSocket clients attached that connect with tokens from our own
// getClientAccessToken and report what they received.
import { Readable } from "node:stream";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { decodeJwt, signJwt } from "@webpubsub/core";
import { type RunningEmulator, startEmulator } from "@webpubsub/emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type GetClientAccessTokenOptions, odata, WebPubSubServiceClient } from "../src/index.ts";
import { TestClient } from "./helpers/ws-client.ts";

let emulator: RunningEmulator;
let service: WebPubSubServiceClient;
let hubCounter = 0;
const clients: TestClient[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, keepAliveIntervalMs: 0 });
});
afterAll(async () => {
  await emulator?.close();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

/** A fresh hub per test, so tests do not see each other's connections. */
function hub(): WebPubSubServiceClient {
  service = WebPubSubServiceClient.fromConnectionString(emulator.connectionString, `hub${++hubCounter}`, {
    retryOptions: { maxRetries: 0 },
  });
  return service;
}

async function connect(client: WebPubSubServiceClient, options?: GetClientAccessTokenOptions): Promise<TestClient> {
  const { url } = await client.getClientAccessToken(options);
  const c = await TestClient.connect(url);
  clients.push(c);
  return c;
}

describe("messages reach the clients with the right data type and payload", () => {
  it("sendToAll: text, JSON, binary bytes, a Node stream, a web stream and a Blob", async () => {
    const s = hub();
    const [a, b] = [await connect(s), await connect(s)];
    await s.sendToAll("hello");
    for (const c of [a, b])
      expect(await c.nextMessage()).toMatchObject({ from: "server", dataType: "text", data: "hello" });
    await s.sendToAll({ greeting: "hi", n: [1, 2], nested: { ok: true } });
    for (const c of [a, b]) {
      expect(await c.nextMessage()).toMatchObject({
        dataType: "json",
        data: { greeting: "hi", n: [1, 2], nested: { ok: true } },
      });
    }
    const bytes = new Uint8Array([0, 1, 2, 254, 255]);
    await s.sendToAll(bytes);
    const bin = await a.nextMessage();
    expect(bin.dataType).toBe("binary");
    expect([...Buffer.from(String(bin.data), "base64")]).toEqual([0, 1, 2, 254, 255]);
    await s.sendToAll(Readable.from([Buffer.from("streamed "), Buffer.from("in chunks")]));
    const streamed = await a.nextMessage();
    expect(streamed.dataType).toBe("binary");
    expect(Buffer.from(String(streamed.data), "base64").toString()).toBe("streamed in chunks");
    await s.sendToAll(new Blob(["from a web stream"]).stream());
    expect(Buffer.from(String((await a.nextMessage()).data), "base64").toString()).toBe("from a web stream");
    await s.sendToAll(new Blob([new Uint8Array([9, 8, 7])]));
    expect([...Buffer.from(String((await a.nextMessage()).data), "base64")]).toEqual([9, 8, 7]);
    await s.sendToAll("a JSON string", { contentType: "application/json" });
    expect(await a.nextMessage()).toMatchObject({ dataType: "json", data: "a JSON string" });
    await s.sendToAll(null);
    expect(await a.nextMessage()).toMatchObject({ dataType: "json", data: null });
    // b saw the same sequence
    for (const type of ["binary", "binary", "binary", "binary", "json", "json"]) {
      expect((await b.nextMessage()).dataType).toBe(type);
    }
  });

  it("sendToAll honours excludedConnections and OData filters", async () => {
    const s = hub();
    const a = await connect(s, { userId: "alice" });
    const b = await connect(s, { userId: "bob" });
    await s.sendToAll("not for a", { excludedConnections: [a.connectionId], messageTtlSeconds: 10 });
    await s.sendToConnection(a.connectionId, "marker");
    expect((await a.nextMessage()).data).toBe("marker");
    expect((await b.nextMessage()).data).toBe("not for a");
    await s.sendToAll("only bob", { filter: odata`userId eq ${"bob"}` });
    await s.sendToAll("everyone");
    expect((await a.nextMessage()).data).toBe("everyone");
    expect((await b.nextMessage()).data).toBe("only bob");
    expect((await b.nextMessage()).data).toBe("everyone");
  });

  it("sendToUser reaches all of the user's connections only; sendToConnection reaches one", async () => {
    const s = hub();
    const a1 = await connect(s, { userId: "o'neil" });
    const a2 = await connect(s, { userId: "o'neil" });
    const b = await connect(s, { userId: "bob" });
    await s.sendToUser("o'neil", { to: "user" });
    await s.sendToUser("o'neil", "filtered", { filter: odata`connectionId eq ${a2.connectionId}` });
    await s.sendToConnection(b.connectionId, new Uint8Array([1]));
    expect(await a1.nextMessage()).toMatchObject({ dataType: "json", data: { to: "user" } });
    expect(await a2.nextMessage()).toMatchObject({ dataType: "json", data: { to: "user" } });
    expect((await a2.nextMessage()).data).toBe("filtered");
    expect(await b.nextMessage()).toMatchObject({ dataType: "binary", data: "AQ==" });
    await s.sendToUser("o'neil", "end");
    expect((await a1.nextMessage()).data).toBe("end");
  });
});

describe("groups", () => {
  it("membership changes are observable by the clients", async () => {
    const s = hub();
    const a = await connect(s, { userId: "alice" });
    const b = await connect(s, { userId: "bob" });
    const group = s.group("room 1");
    await s.addConnectionToGroup("room 1", a.connectionId);
    await group.addUser("bob");
    expect(await s.groupExists("room 1")).toBe(true);
    await group.sendToAll("to the room");
    for (const c of [a, b])
      expect(await c.nextMessage()).toMatchObject({ from: "group", group: "room 1", data: "to the room" });
    await s.sendToGroup("room 1", { x: 1 }, { excludedConnections: [b.connectionId] });
    expect(await a.nextMessage()).toMatchObject({ from: "group", dataType: "json", data: { x: 1 } });
    await group.removeConnection(a.connectionId);
    await s.removeUserFromGroup("room 1", "bob");
    expect(await group.exists()).toBe(false);
    await group.addConnection(b.connectionId);
    expect(await group.exists()).toBe(true);
    await s.removeConnectionFromGroup("room 1", b.connectionId);
    await s.addUserToGroup("room 1", "alice");
    await group.removeUser("alice");
    await s.sendToGroup("room 1", "nobody hears this");
    await s.sendToAll("after");
    expect((await a.nextMessage()).data).toBe("after");
    expect((await b.nextMessage()).data).toBe("after");
    expect(await s.groupExists("room 1")).toBe(false);
  });

  it("addConnectionsToGroups / removeConnectionsFromGroups by filter, and the remove-from-all operations", async () => {
    const s = hub();
    const a = await connect(s, { userId: "user 1" });
    const b = await connect(s, { userId: "user 2" });
    await s.addConnectionsToGroups(["g1", "g2"], odata`userId eq ${"user 1"}`);
    await s.sendToGroup("g1", "g1");
    await s.sendToGroup("g2", "g2");
    expect((await a.nextMessage()).group).toBe("g1");
    expect((await a.nextMessage()).group).toBe("g2");
    await s.removeConnectionsFromGroups(["g1"], odata`userId eq ${"user 1"}`);
    expect(await s.groupExists("g1")).toBe(false);
    expect(await s.groupExists("g2")).toBe(true);
    await s.removeConnectionFromAllGroups(a.connectionId);
    expect(await s.groupExists("g2")).toBe(false);
    await s.addUserToGroup("g3", "user 2");
    expect(await s.groupExists("g3")).toBe(true);
    await s.removeUserFromAllGroups("user 2");
    expect(await s.groupExists("g3")).toBe(false);
    await s.sendToAll("done");
    expect((await b.nextMessage()).data).toBe("done");
  });

  it("groups in the token are joined on connect", async () => {
    const s = hub();
    const a = await connect(s, { groups: ["news"] });
    await s.sendToGroup("news", "headline");
    expect(await a.nextMessage()).toMatchObject({ from: "group", group: "news", data: "headline" });
  });

  it("listConnectionsInGroup pages with maxPageSize and stops at top", async () => {
    const s = hub();
    const conns: TestClient[] = [];
    for (let i = 0; i < 6; i++) conns.push(await connect(s, { userId: `u${i}`, groups: ["big"] }));
    const pages: number[] = [];
    const seen: string[] = [];
    for await (const page of s.listConnectionsInGroup("big", { maxPageSize: 2, top: 5 }).byPage()) {
      pages.push(page.length);
      seen.push(...page.map((m) => m.connectionId));
    }
    expect(pages).toEqual([2, 2, 1]);
    expect(new Set(seen).size).toBe(5);
    for (const id of seen) expect(conns.map((c) => c.connectionId)).toContain(id);
    const all = [];
    for await (const member of s.group("big").listConnections({ maxPageSize: 4 })) all.push(member);
    expect(all).toHaveLength(6);
    expect(all.map((m) => m.userId).sort()).toEqual(["u0", "u1", "u2", "u3", "u4", "u5"]);
    // Code written for the official Promise<iterator> keeps working: awaiting the iterator returns it.
    let awaited = 0;
    for await (const _ of await s.group("big").listConnections({ top: 2 })) awaited++;
    expect(awaited).toBe(2);
    const firstPage = await s.listConnectionsInGroup("big").byPage({ maxPageSize: 3 }).next();
    expect(firstPage.value).toHaveLength(3);
    const empty = [];
    for await (const m of s.listConnectionsInGroup("nobody")) empty.push(m);
    expect(empty).toEqual([]);
  });
});

describe("connections", () => {
  it("existence checks are true and false", async () => {
    const s = hub();
    const a = await connect(s, { userId: "alice" });
    expect(await s.connectionExists(a.connectionId)).toBe(true);
    expect(await s.connectionExists("no-such-connection")).toBe(false);
    expect(await s.userExists("alice")).toBe(true);
    expect(await s.userExists("nobody")).toBe(false);
    expect(await s.groupExists("none")).toBe(false);
    expect(await s.getServiceStatus()).toBe(true);
  });

  it("closeConnection sends the reason and closes the socket", async () => {
    const s = hub();
    const a = await connect(s);
    await s.closeConnection(a.connectionId, { reason: "kicked by admin" });
    expect(await a.next((f) => f.type === "system" && f.event === "disconnected")).toMatchObject({
      message: "kicked by admin",
    });
    await a.waitClosed();
    expect(await s.connectionExists(a.connectionId)).toBe(false);
  });

  it("closeAllConnections keeps the excluded ones; closeUserConnections and closeGroupConnections", async () => {
    const s = hub();
    const keep = await connect(s, { userId: "keep" });
    const drop = await connect(s, { userId: "drop" });
    await s.closeAllConnections({ reason: "maintenance", excluded: [keep.connectionId] });
    expect((await drop.next((f) => f.event === "disconnected")).message).toBe("maintenance");
    await drop.waitClosed();
    expect(await s.connectionExists(keep.connectionId)).toBe(true);

    const u = await connect(s, { userId: "carol" });
    await s.closeUserConnections("carol", { reason: "user closed" });
    expect((await u.next((f) => f.event === "disconnected")).message).toBe("user closed");
    expect(await s.userExists("carol")).toBe(false);

    const g1 = await connect(s, { groups: ["doomed"] });
    const g2 = await connect(s, { groups: ["doomed"] });
    await s.group("doomed").closeAllConnections({ reason: "group closed", excluded: [g2.connectionId] });
    expect((await g1.next((f) => f.event === "disconnected")).message).toBe("group closed");
    await g1.waitClosed();
    expect(await s.connectionExists(g2.connectionId)).toBe(true);
    await s.closeGroupConnections("doomed");
    await g2.waitClosed();
    expect(await s.connectionExists(keep.connectionId)).toBe(true);
  });
});

describe("permissions", () => {
  it("grant, check and revoke are observable by the client", async () => {
    const s = hub();
    const a = await connect(s);
    const denied = await a.invoke({ type: "joinGroup", group: "vip" });
    expect(denied.success).toBe(false);
    expect(await s.checkPermission(a.connectionId, "joinLeaveGroup", { targetName: "vip" })).toBe(false);

    await s.grantPermission(a.connectionId, "joinLeaveGroup", { targetName: "vip" });
    expect(await s.hasPermission(a.connectionId, "joinLeaveGroup", { targetName: "vip" })).toBe(true);
    expect((await a.invoke({ type: "joinGroup", group: "vip" })).success).toBe(true);
    expect((await a.invoke({ type: "joinGroup", group: "other" })).success).toBe(false);
    await s.sendToGroup("vip", "welcome");
    expect((await a.nextMessage()).data).toBe("welcome");

    expect((await a.invoke({ type: "sendToGroup", group: "vip", dataType: "text", data: "hi" })).success).toBe(false);
    await s.grantPermission(a.connectionId, "sendToGroup", { targetName: "vip" });
    expect(await s.checkPermission(a.connectionId, "sendToGroup", { targetName: "vip" })).toBe(true);
    expect(await s.checkPermission(a.connectionId, "sendToGroup", { targetName: "other" })).toBe(false);
    expect((await a.invoke({ type: "sendToGroup", group: "vip", dataType: "text", data: "hi" })).success).toBe(true);

    await s.revokePermission(a.connectionId, "joinLeaveGroup", { targetName: "vip" });
    expect(await s.checkPermission(a.connectionId, "joinLeaveGroup", { targetName: "vip" })).toBe(false);
    expect((await a.invoke({ type: "leaveGroup", group: "vip" })).success).toBe(false);
  });

  it("roles in the token grant permissions from the start", async () => {
    const s = hub();
    const a = await connect(s, { roles: ["webpubsub.joinLeaveGroup.lobby", "webpubsub.sendToGroup.lobby"] });
    expect((await a.invoke({ type: "joinGroup", group: "lobby" })).success).toBe(true);
    expect((await a.invoke({ type: "joinGroup", group: "other" })).success).toBe(false);
  });

  it("granting to an unknown connection is a RestError with the service's code", async () => {
    const s = hub();
    const error = await s.grantPermission("ghost", "sendToGroup", { targetName: "g" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 404 });
    expect(typeof (error as { code?: unknown }).code).toBe("string");
  });
});

describe("tokens", () => {
  it("Microsoft Entra ID: the token comes from :generateToken and connects; REST calls carry the bearer token", async () => {
    const entraEmulator = await startEmulator({ port: 0, keepAliveIntervalMs: 0, allowEntraTokens: true });
    try {
      let tokenRequests = 0;
      const credential: TokenCredential = {
        async getToken(scopes): Promise<AccessToken> {
          tokenRequests++;
          expect(scopes).toEqual(["https://webpubsub.azure.com/.default"]);
          // The emulator checks an Entra token's audience and lifetime only (it cannot verify Entra signatures).
          const token = await signJwt({ aud: "https://webpubsub.azure.com" }, "entra-signing-key", {
            expiresInSeconds: 600,
          });
          return { token, expiresOnTimestamp: Date.now() + 600_000 };
        },
      };
      const s = new WebPubSubServiceClient(entraEmulator.endpoint, credential, "entrahub");
      const { url, token } = await s.getClientAccessToken({
        userId: "erin",
        groups: ["g"],
        roles: ["webpubsub.sendToGroup.g"],
      });
      expect(decodeJwt(token).payload).toMatchObject({ sub: "erin", "webpubsub.group": ["g"] });
      const c = await TestClient.connect(url);
      clients.push(c);
      expect(c.userId).toBe("erin");
      await s.sendToGroup("g", "via entra");
      expect(await c.nextMessage()).toMatchObject({ from: "group", group: "g", data: "via entra" });
      expect((await c.invoke({ type: "sendToGroup", group: "g", dataType: "text", data: "x" })).success).toBe(true);
      expect(tokenRequests).toBeGreaterThan(0);
    } finally {
      await entraEmulator.close();
    }
  });

  it("a token whose exp is in the past is refused with 401; mqtt and socketio URLs use their paths", async () => {
    const s = hub();
    const aud = `${emulator.endpoint}/client/hubs/${s.hubName}`;
    const { baseUrl } = await s.getClientAccessToken();
    expect(baseUrl).toBe(`${emulator.endpoint.replace("http", "ws")}/client/hubs/${s.hubName}`);
    // Signed with the right key and audience, but expired two hours ago (far beyond any clock-skew allowance).
    const now = Math.floor(Date.now() / 1000);
    const expired = await signJwt({ aud, sub: "alice" }, emulator.accessKey, { now: now - 7200, expiresInSeconds: 60 });
    expect(decodeJwt(expired).payload.exp).toBeLessThan(now - 3600);
    await expect(TestClient.connect(`${baseUrl}?access_token=${expired}`)).rejects.toThrow(/handshake failed: 401/);
    // The same claims with a current lifetime connect, so the 401 is the expiry.
    const fresh = await signJwt({ aud, sub: "alice" }, emulator.accessKey, { now, expiresInSeconds: 60 });
    const a = await TestClient.connect(`${baseUrl}?access_token=${fresh}`);
    clients.push(a);
    expect(a.userId).toBe("alice");
    const wsBase = emulator.endpoint.replace("http", "ws");
    for (const protocol of ["mqtt", "socketio"] as const) {
      const res = await s.getClientAccessToken({ clientProtocol: protocol });
      expect(res.baseUrl).toBe(`${wsBase}/clients/${protocol}/hubs/${s.hubName}`);
      expect(res.url).toBe(`${res.baseUrl}?access_token=${res.token}`);
      expect(decodeJwt(res.token).payload.aud).toBe(`${emulator.endpoint}/clients/${protocol}/hubs/${s.hubName}`);
    }
  });
});
