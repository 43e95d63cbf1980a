// Behind a TLS-terminating reverse proxy (https outside, the emulator on plain http inside, X-Forwarded-Proto/Host),
// an emulator started with `trustProxy` writes the proxy's https origin into everything it hands back: our
// `getClientAccessToken` (the service's :generateToken under Entra) returns a wss:// URL of the proxy, whose token's
// audience is https://<forwarded host>/client/hubs/<hub>, that @webpubsub/client connects through; and paging
// `listConnectionsInGroup` follows the https:// nextLinks to the end. Without `trustProxy` the links name the
// emulator's own http origin, which this client refuses to follow (credentials go to the configured endpoint only).
import { request } from "node:https";
import { WebPubSubClient } from "@webpubsub/client";
import { decodeJwt } from "@webpubsub/core";
import { type RunningEmulator, startEmulator } from "@webpubsub/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { WebPubSubServiceClient } from "../src/index.ts";
import { loopbackCertificate, startTlsProxy, staticEntraCredential, type TlsProxy } from "./helpers/tls-peers.ts";

let pems: { cert: string; key: string };
let trusting: RunningEmulator;
let plain: RunningEmulator;
let proxy: TlsProxy;
let plainProxy: TlsProxy;
const clients: WebPubSubClient[] = [];

beforeAll(async () => {
  pems = await loopbackCertificate();
  trusting = await startEmulator({ trustProxy: true, allowEntraTokens: true, keepAliveIntervalMs: 0 });
  plain = await startEmulator({ allowEntraTokens: true, keepAliveIntervalMs: 0 });
  proxy = await startTlsProxy(trusting.endpoint, pems);
  plainProxy = await startTlsProxy(plain.endpoint, pems);
});
afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
  await proxy?.close();
  await plainProxy?.close();
  await trusting?.close();
  await plain?.close();
});

function serviceBehind(p: TlsProxy, hub: string): Promise<WebPubSubServiceClient> {
  return WebPubSubServiceClient.fromEnvironment({
    env: { AZURE_WEBPUBSUB_ENDPOINT: p.origin, AZURE_WEBPUBSUB_HUB: hub },
    credential: staticEntraCredential(),
    tlsOptions: { ca: pems.cert },
    retryOptions: { maxRetries: 0 },
  });
}

async function connect(url: string): Promise<WebPubSubClient> {
  const client = new WebPubSubClient(url, {
    autoReconnect: false,
    webSocketFactory: (u, protocols) => new WebSocket(u, protocols, { ca: pems.cert }),
  });
  clients.push(client);
  await client.start();
  return client;
}

/** The raw first page of a listing through the proxy, to read the nextLink the emulator wrote. */
function firstPage(p: TlsProxy, path: string, token: string): Promise<{ nextLink?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, p.origin),
      { ca: pems.cert, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve(JSON.parse(body)));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("behind a TLS-terminating proxy, with trustProxy", () => {
  it("getClientAccessToken returns a wss:// URL of the proxy, aud https://<forwarded host>/client/hubs/<hub>", async () => {
    const service = await serviceBehind(proxy, "proxyhub");
    const { url, token } = await service.getClientAccessToken({ userId: "u1" });
    expect(url.startsWith(`${proxy.origin.replace("https:", "wss:")}/client/hubs/proxyhub?access_token=`), url).toBe(
      true,
    );
    expect(decodeJwt(token).payload.aud).toBe(`${proxy.origin}/client/hubs/proxyhub`);
    const client = await connect(url);
    expect(client.connectionId).toBeTruthy();
    expect(proxy.forwarded.some((target) => target.startsWith("/client/hubs/proxyhub?"))).toBe(true);
  });

  it("pages listConnectionsInGroup through the https nextLinks to the end", async () => {
    const service = await serviceBehind(proxy, "paged");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { url } = await service.getClientAccessToken({ userId: `user${i}`, groups: ["g"] });
      ids.push((await connect(url)).connectionId as string);
    }
    const raw = await firstPage(
      proxy,
      "/api/hubs/paged/groups/g/connections?api-version=2024-12-01&maxpagesize=2",
      (await staticEntraCredential().getToken("https://webpubsub.azure.com/.default"))?.token as string,
    );
    expect(raw.nextLink?.startsWith(`${proxy.origin}/api/hubs/paged/groups/g/connections?`)).toBe(true);

    const before = proxy.forwarded.length;
    const pages: string[][] = [];
    for await (const page of service.group("g").listConnections().byPage({ maxPageSize: 2 })) {
      pages.push(page.map((m) => m.connectionId));
    }
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().sort()).toEqual([...ids].sort());
    // every page, the first and the two nextLinks, went through the proxy
    const listed = proxy.forwarded.slice(before).filter((t) => t.startsWith("/api/hubs/paged/groups/g/connections?"));
    expect(listed).toHaveLength(3);
  });
});

describe("behind the same proxy, without trustProxy", () => {
  it("the nextLink names the emulator's own http origin, and the listing stops there instead of following it", async () => {
    const service = await serviceBehind(plainProxy, "unpaged");
    for (let i = 0; i < 3; i++) {
      const { url, token } = await service.getClientAccessToken({ userId: `user${i}`, groups: ["g"] });
      // the forwarded headers are ignored: the minted token is for the emulator's own origin
      expect(decodeJwt(token).payload.aud).toBe(`http://127.0.0.1:${plain.port}/client/hubs/unpaged`);
      await connect(url);
    }
    const pages = service.group("g").listConnections().byPage({ maxPageSize: 2 });
    expect((await pages.next()).value).toHaveLength(2);
    await expect(pages.next()).rejects.toThrow(/refusing to follow the nextLink to "http:\/\/127\.0\.0\.1:\d+"/);
  });
});
