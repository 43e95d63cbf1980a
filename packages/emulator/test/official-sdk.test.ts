// The official @azure/web-pubsub 1.2.0 server SDK and @azure/web-pubsub-client 1.1.0 run against the emulator.
import { odata, WebPubSubServiceClient } from "@azure/web-pubsub";
import { WebPubSubClient, WebPubSubJsonProtocol } from "@azure/web-pubsub-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { ALL_GROUP_ROLES as ALL, connect, sign } from "./helpers/clients.ts";

let emu: RunningEmulator;
// the official SDK refuses plain http unless told otherwise: the emulator speaks http
const insecure = { allowInsecureConnection: true };
beforeAll(async () => {
  emu = await startEmulator({ allowEntraTokens: true });
});
afterAll(async () => {
  await emu.close();
});

describe("@azure/web-pubsub 1.2.0 against the emulator", () => {
  it("sends to all, users, connections and groups with every content type", async () => {
    const service = new WebPubSubServiceClient(emu.connectionString, "sdkSends", insecure);
    const a = await connect(emu, "sdkSends", { claims: { sub: "alice", role: ALL } });
    const b = await connect(emu, "sdkSends", { claims: { sub: "bob", role: ALL } });
    await service.sendToAll("hello", { contentType: "text/plain" });
    await a.message((m) => m.data === "hello");
    await service.sendToAll({ x: 1 });
    await a.message((m) => m.dataType === "json" && (m.data as { x?: number }).x === 1);
    await service.sendToAll(new Uint8Array([1, 2, 3]).buffer);
    const bin = await b.message((m) => m.dataType === "binary");
    expect(Buffer.from(bin.data as string, "base64")).toEqual(Buffer.from([1, 2, 3]));
    await service.sendToAll("not-bob", { contentType: "text/plain", filter: odata`userId ne ${"bob"}` });
    await service.sendToAll("not-alice", { contentType: "text/plain", excludedConnections: [a.connectionId] });
    await b.message((m) => m.data === "not-alice");
    await a.message((m) => m.data === "not-bob");
    expect(a.messages.some((m) => m.data === "not-alice")).toBe(false);
    expect(b.messages.some((m) => m.data === "not-bob")).toBe(false);

    await service.sendToUser("bob", "to-bob", { contentType: "text/plain", messageTtlSeconds: 60 });
    await b.message((m) => m.data === "to-bob");
    await service.sendToConnection(a.connectionId, "to-a", { contentType: "text/plain" });
    await a.message((m) => m.data === "to-a");
    await service.sendToConnection("missing-connection", "x", { contentType: "text/plain" });

    const group = service.group("room");
    await group.addConnection(a.connectionId);
    await group.sendToAll("room-msg", { contentType: "text/plain" });
    const gm = await a.message((m) => m.data === "room-msg");
    expect(gm).toMatchObject({ from: "group", group: "room" });
    expect(b.messages.some((m) => m.data === "room-msg")).toBe(false);
    await a.close();
    await b.close();
  });

  it("manages connections, users, groups and permissions", async () => {
    const service = new WebPubSubServiceClient(emu.connectionString, "sdkManage", insecure);
    const a = await connect(emu, "sdkManage", { claims: { sub: "alice" } });
    const b = await connect(emu, "sdkManage", { claims: { sub: "bob" } });
    expect(await service.connectionExists(a.connectionId)).toBe(true);
    expect(await service.connectionExists("nope")).toBe(false);
    expect(await service.userExists("alice")).toBe(true);
    expect(await service.userExists("nobody")).toBe(false);
    expect(await service.groupExists("g1")).toBe(false);

    const g1 = service.group("g1");
    await g1.addUser("alice");
    expect(await service.groupExists("g1")).toBe(true);
    await g1.removeUser("alice");
    expect(await service.groupExists("g1")).toBe(false);
    await g1.addConnection(b.connectionId);
    await g1.removeConnection(b.connectionId);
    expect(await service.groupExists("g1")).toBe(false);
    await expect(g1.addConnection("nope")).rejects.toMatchObject({ statusCode: 404 });

    await service.addConnectionsToGroups(["g2", "g3"], odata`userId eq ${"alice"}`);
    expect(await service.groupExists("g2")).toBe(true);
    const members = [];
    for await (const m of await service.group("g3").listConnections()) members.push(m);
    expect(members).toEqual([{ connectionId: a.connectionId, userId: "alice" }]);
    await service.removeConnectionsFromGroups(["g2"], "userId eq 'alice'");
    expect(await service.groupExists("g2")).toBe(false);
    await service.removeConnectionFromAllGroups(a.connectionId);
    expect(await service.groupExists("g3")).toBe(false);
    await g1.addUser("bob");
    await service.removeUserFromAllGroups("bob");
    expect(await service.groupExists("g1")).toBe(false);

    expect(await service.hasPermission(a.connectionId, "joinLeaveGroup", { targetName: "g9" })).toBe(false);
    await service.grantPermission(a.connectionId, "joinLeaveGroup", { targetName: "g9" });
    expect(await service.hasPermission(a.connectionId, "joinLeaveGroup", { targetName: "g9" })).toBe(true);
    a.send({ type: "joinGroup", group: "g9", ackId: 1 });
    expect(await a.message((m) => m.ackId === 1)).toMatchObject({ success: true });
    await service.revokePermission(a.connectionId, "joinLeaveGroup", { targetName: "g9" });
    expect(await service.hasPermission(a.connectionId, "joinLeaveGroup", { targetName: "g9" })).toBe(false);
    a.send({ type: "leaveGroup", group: "g9", ackId: 2 });
    expect(await a.message((m) => m.ackId === 2)).toMatchObject({ success: false, error: { name: "Forbidden" } });
    await expect(service.grantPermission("nope", "sendToGroup", { targetName: "x" })).rejects.toMatchObject({
      statusCode: 404,
      code: "Info.Connection.NotExisted",
    });

    await service.closeConnection(a.connectionId, { reason: "bye" });
    await a.closed;
    expect(a.messages.at(-1)).toEqual({ type: "system", event: "disconnected", message: "bye" });
    expect(a.closeCode).toBe(1000);
    await service.closeUserConnections("bob");
    await b.closed;
    const c = await connect(emu, "sdkManage", { claims: { sub: "carol" } });
    const d = await connect(emu, "sdkManage", { claims: { sub: "dave" } });
    await service.group("gx").addConnection(c.connectionId);
    await service.group("gx").closeAllConnections({ reason: "group closed" });
    await c.closed;
    expect(d.closeCode).toBeUndefined();
    await service.closeAllConnections({ reason: "all" });
    await d.closed;
    expect(await service.userExists("dave")).toBe(false);
  });

  it("lists group members across pages", async () => {
    const service = new WebPubSubServiceClient(emu.connectionString, "sdkList", insecure);
    const clients = [];
    for (let i = 0; i < 6; i++) clients.push(await connect(emu, "sdkList", { claims: { "webpubsub.group": "g" } }));
    const pages: number[] = [];
    const ids: string[] = [];
    const iterator = await service.group("g").listConnections({ maxPageSize: 2, top: 5 });
    for await (const page of iterator.byPage()) {
      pages.push(page.length);
      for (const m of page) ids.push(m.connectionId);
    }
    expect(pages).toEqual([2, 2, 1]);
    expect(ids).toEqual(clients.slice(0, 5).map((c) => c.connectionId));
    for (const c of clients) await c.close();
  });

  it("mints client tokens locally and through :generateToken with a TokenCredential", async () => {
    const keyed = new WebPubSubServiceClient(emu.connectionString, "sdkTokens", insecure);
    const local = await keyed.getClientAccessToken({
      userId: "u1",
      roles: ["webpubsub.joinLeaveGroup"],
      groups: ["a"],
    });
    const credential = {
      getToken: async () => {
        const now = Math.floor(Date.now() / 1000);
        return {
          token: sign(
            { aud: "https://webpubsub.azure.com", exp: now + 600, iat: now },
            "not-the-access-key-at-all-xxxxxxx",
          ),
          expiresOnTimestamp: (now + 600) * 1000,
        };
      },
    };
    // core-rest-pipeline sends bearer tokens to https URLs only: point the client at https and let a policy that runs
    // after signing switch the request back to the emulator's http
    const entra = new WebPubSubServiceClient(
      emu.endpoint.replace("http:", "https:"),
      credential as never,
      "sdkTokens",
      {
        ...insecure,
        additionalPolicies: [
          {
            position: "perRetry",
            policy: {
              name: "toHttp",
              sendRequest: (req, next) => {
                req.url = req.url.replace("https:", "http:");
                return next(req);
              },
            },
          },
        ],
      },
    );
    const remote = await entra.getClientAccessToken({ userId: "u2", groups: ["b"], expirationTimeInMinutes: 5 });
    for (const [t, user, group] of [
      [local, "u1", "a"],
      [remote, "u2", "b"],
    ] as const) {
      const { TestClient, JSON_PROTOCOL } = await import("./helpers/clients.ts");
      const c = new TestClient(t.url.replace("wss:", "ws:"), JSON_PROTOCOL);
      const connected = await c.message((m) => m.event === "connected");
      expect(connected.userId).toBe(user);
      await keyed.group(group).sendToAll("hi", { contentType: "text/plain" });
      await c.message((m) => m.group === group && m.data === "hi");
      await c.close();
    }
    // an Entra-authenticated client can call any operation
    await entra.sendToAll("ok", { contentType: "text/plain" });
    expect(await entra.userExists("nobody")).toBe(false);
  });

  it("health check answers 200", async () => {
    const res = await fetch(`${emu.endpoint}/api/health?api-version=2024-12-01`, { method: "HEAD" });
    expect(res.status).toBe(200);
  });
});

describe("@azure/web-pubsub-client 1.1.0 (WebPubSubJsonProtocol) against the emulator", () => {
  it("connects, joins, sends to a group and receives group and server messages", async () => {
    const service = new WebPubSubServiceClient(emu.connectionString, "sdkClient", insecure);
    const getUrl = async () =>
      (
        await service.getClientAccessToken({
          userId: "web",
          roles: ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"],
        })
      ).url;
    const client = new WebPubSubClient(
      { getClientAccessUrl: getUrl },
      { protocol: WebPubSubJsonProtocol(), messageRetryOptions: { maxRetries: 0 } },
    );
    const received: unknown[] = [];
    const server: unknown[] = [];
    let connectionId = "";
    let waiting: (() => void) | undefined;
    const notify = () => waiting?.();
    const until = async (pred: () => boolean) => {
      const deadline = Date.now() + 30_000; // a hang detector: the wait itself is event-driven (notify)
      while (!pred()) {
        if (Date.now() > deadline) throw new Error("timed out");
        await new Promise<void>((r) => {
          waiting = r;
          setTimeout(r, 100);
        });
      }
    };
    client.on("connected", (e) => {
      connectionId = e.connectionId;
      notify();
    });
    client.on("group-message", (e) => {
      received.push(e.message.data);
      notify();
    });
    client.on("server-message", (e) => {
      server.push(e.message.data);
      notify();
    });
    await client.start();
    await until(() => connectionId !== "");
    await client.joinGroup("lobby");
    const peer = await connect(emu, "sdkClient", { claims: { role: ["webpubsub.joinLeaveGroup"] } });
    peer.send({ type: "joinGroup", group: "lobby", ackId: 1 });
    await peer.message((m) => m.ackId === 1);
    const r = await client.sendToGroup("lobby", { hello: "world" }, "json");
    expect(r.isDuplicated).toBe(false);
    await client.sendToGroup("lobby", "text message", "text", { noEcho: true });
    await peer.message((m) => m.data === "text message");
    await until(() => received.length >= 1);
    expect(received).toEqual([{ hello: "world" }]);
    await service.sendToConnection(connectionId, "direct", { contentType: "text/plain" });
    await until(() => server.length === 1);
    expect(server).toEqual(["direct"]);
    await expect(client.sendEvent("nohandler", "x", "text")).rejects.toMatchObject({
      errorDetail: { name: "InternalServerError" },
    });
    client.stop();
    await peer.close();
  });
});
