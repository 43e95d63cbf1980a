// Against an emulator over TLS (`tls: true`, Entra dev mode), the way production code authenticates:
// `WebPubSubServiceClient.fromEnvironment()` with AZURE_WEBPUBSUB_ENDPOINT and an explicit TokenCredential runs the
// operations over https, and `getClientAccessToken` (the service's :generateToken under Entra) returns a wss:// URL
// that @webpubsub/client connects with. The certificate is trusted through the emulator's `certificate` (the
// pipeline's `tlsOptions.ca` or an https Agent, `ws`'s `ca` in the client's webSocketFactory), never by turning
// certificate checks off; a peer that does not trust it is refused on both sides.
import { Agent } from "node:https";
import { WebPubSubClient } from "@webpubsub/client";
import { generateLoopbackCertificate, type RunningEmulator, startEmulator } from "@webpubsub/emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { WebPubSubServiceClient } from "../src/index.ts";
import { staticEntraCredential } from "./helpers/tls-peers.ts";

let emu: RunningEmulator;
let ca: string;
const clients: WebPubSubClient[] = [];

beforeAll(async () => {
  emu = await startEmulator({ tls: true, allowEntraTokens: true, keepAliveIntervalMs: 0 });
  ca = emu.certificate as string;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
});
afterAll(async () => {
  await emu?.close();
});

async function fromEnvironment(hub: string, trust: "tlsOptions" | "agent" | "none" | string = "tlsOptions") {
  const credential = staticEntraCredential();
  const tls =
    trust === "tlsOptions"
      ? { tlsOptions: { ca } }
      : trust === "agent"
        ? { agent: new Agent({ ca }) }
        : trust === "none"
          ? {}
          : { tlsOptions: { ca: trust } };
  return {
    credential,
    service: await WebPubSubServiceClient.fromEnvironment({
      env: { AZURE_WEBPUBSUB_ENDPOINT: emu.endpoint, AZURE_WEBPUBSUB_HUB: hub },
      credential,
      retryOptions: { maxRetries: 0 },
      ...tls,
    }),
  };
}

/** Our client over wss with the emulator's certificate trusted; messages it received, and a wait for the next. */
async function connectClient(url: string) {
  const received: unknown[] = [];
  const waiters = new Set<() => void>();
  const client = new WebPubSubClient(url, {
    autoReconnect: false,
    webSocketFactory: (u, protocols) => new WebSocket(u, protocols, { ca }),
  });
  clients.push(client);
  const record = (data: unknown) => {
    received.push(data);
    for (const w of [...waiters]) w();
  };
  client.on("server-message", (e) => record(e.message.data));
  client.on("group-message", (e) => record(e.message.data));
  await client.start();
  const next = (data: unknown) =>
    new Promise<void>((resolve) => {
      const check = () => {
        const at = received.findIndex((d) => JSON.stringify(d) === JSON.stringify(data));
        if (at < 0) return;
        received.splice(at, 1);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  return { client, next };
}

describe("fromEnvironment() with AZURE_WEBPUBSUB_ENDPOINT and a TokenCredential, over https", () => {
  it("runs the operations with the certificate trusted through tlsOptions.ca", async () => {
    const { service, credential } = await fromEnvironment("tlsops");
    expect(service.endpoint).toBe(emu.endpoint);
    const { url } = await service.getClientAccessToken({ userId: "alice", roles: ["webpubsub.joinLeaveGroup"] });
    expect(url).toMatch(new RegExp(`^wss://127\\.0\\.0\\.1:${emu.port}/client/hubs/tlsops\\?access_token=`));
    const a = await connectClient(url);
    const id = a.client.connectionId as string;

    await service.sendToAll("to all");
    await a.next("to all");
    await service.sendToAll({ json: true });
    await a.next({ json: true });
    await service.sendToUser("alice", "to alice");
    await a.next("to alice");
    await service.sendToConnection(id, "to the connection");
    await a.next("to the connection");

    expect(await service.connectionExists(id)).toBe(true);
    expect(await service.userExists("alice")).toBe(true);
    await service.group("room").addConnection(id);
    expect(await service.groupExists("room")).toBe(true);
    await service.group("room").sendToAll("to the room");
    await a.next("to the room");
    await service.group("room").removeConnection(id);
    expect(await service.groupExists("room")).toBe(false);
    await service.group("users").addUser("alice");
    const members = [];
    for await (const m of service.group("users").listConnections()) members.push(m.connectionId);
    expect(members).toEqual([id]);
    await service.removeUserFromAllGroups("alice");
    expect(await service.groupExists("users")).toBe(false);

    await service.grantPermission(id, "sendToGroup", { targetName: "room" });
    expect(await service.hasPermission(id, "sendToGroup", { targetName: "room" })).toBe(true);
    await service.revokePermission(id, "sendToGroup", { targetName: "room" });
    expect(await service.hasPermission(id, "sendToGroup", { targetName: "room" })).toBe(false);

    const stopped = new Promise<void>((resolve) => a.client.once("stopped", () => resolve()));
    await service.closeConnection(id, { reason: "done" });
    await stopped;
    expect(await service.connectionExists(id)).toBe(false);
    await service.closeAllConnections();
    await service.closeUserConnections("alice");
    // every request carried the credential's token: the emulator accepted it as Entra, without an access key
    expect(credential.calls).toBeGreaterThan(0);
  });

  it("also trusts the certificate through an https Agent with `ca`", async () => {
    const { service } = await fromEnvironment("tlsagent", "agent");
    expect(await service.userExists("nobody")).toBe(false);
    const { url } = await service.getClientAccessToken({ userId: "bob" });
    expect(url.startsWith("wss://")).toBe(true);
  });

  // Rule: tlsOptions.ca is the whole trust for the client's requests: a CA that did not issue the emulator's
  // certificate fails every call, the right one passes.
  it("is refused when tlsOptions.ca is another certificate, before any request reaches the emulator", async () => {
    const other = await generateLoopbackCertificate();
    const { service } = await fromEnvironment("tlswrongca", other.cert);
    await expect(service.userExists("nobody")).rejects.toThrow(/certificate/i);
    await expect(service.sendToAll("x")).rejects.toMatchObject({ name: "RestError", statusCode: undefined });
    const { service: right } = await fromEnvironment("tlswrongca");
    expect(await right.userExists("nobody")).toBe(false);
  });

  it("is refused when the certificate is not trusted: REST calls and the client's wss connection", async () => {
    const { service } = await fromEnvironment("tlsuntrusted", "none");
    await expect(service.userExists("nobody")).rejects.toThrow(/certificate/i);

    const { service: trusted } = await fromEnvironment("tlsuntrusted");
    const { url } = await trusted.getClientAccessToken({ userId: "carol" });
    const client = new WebPubSubClient(url, {
      autoReconnect: false,
      connectTimeoutInMs: 10_000,
      webSocketFactory: (u, protocols) => new WebSocket(u, protocols),
    });
    clients.push(client);
    await expect(client.start()).rejects.toThrow(/self-signed certificate/);
    expect(client.state).toBe("Stopped");
  });
});
