// Behind a TLS-terminating reverse proxy, with trustProxy, everything the emulator writes back (minted token
// audiences, client URLs, nextLinks) and the audience it expects use the scheme and host the proxy reports; without
// trustProxy those headers are ignored. Bad forwarded values are ignored, never echoed.
import { request as httpRequest } from "node:http";
import { createServer as createHttpsServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readForwarded } from "../src/forwarded.ts";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { generateLoopbackCertificate } from "../src/tls/self-signed.ts";
import { connect } from "./helpers/clients.ts";

/** An https server that forwards every request to `target` with X-Forwarded-Proto/Host, like a TLS-terminating proxy. */
async function startProxy(target: RunningEmulator, cert: { cert: string; key: string }): Promise<Server> {
  const targetUrl = new URL(target.endpoint);
  const server = createHttpsServer(cert, (req, res) => {
    const upstream = httpRequest(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        headers: {
          ...req.headers,
          host: targetUrl.host,
          "x-forwarded-proto": "https",
          "x-forwarded-host": req.headers.host,
        },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return server;
}

function entraShapedToken(): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ aud: "https://webpubsub.azure.com", nbf: now - 60, exp: now + 3600 })}.c2ln`;
}
const credential = {
  getToken: async () => ({ token: entraShapedToken(), expiresOnTimestamp: Date.now() + 3_600_000 }),
};

let trusting: RunningEmulator;
let plain: RunningEmulator;
let proxy: Server;
let plainProxy: Server;
let pems: { cert: string; key: string };
beforeAll(async () => {
  pems = await generateLoopbackCertificate();
  trusting = await startEmulator({ trustProxy: true, allowEntraTokens: true });
  plain = await startEmulator({ allowEntraTokens: true });
  proxy = await startProxy(trusting, pems);
  plainProxy = await startProxy(plain, pems);
});
afterAll(async () => {
  proxy.close();
  plainProxy.close();
  proxy.closeAllConnections();
  plainProxy.closeAllConnections();
  await trusting.close();
  await plain.close();
});

const proxyOrigin = (s: Server) => `https://localhost:${(s.address() as AddressInfo).port}`;

describe("trustProxy behind a TLS-terminating proxy", () => {
  it(":generateToken mints aud https://<forwarded host>/client/hubs/<hub> and a wss:// URL", async () => {
    const origin = proxyOrigin(proxy);
    const service = new WebPubSubServiceClient(origin, credential, "proxyHub", { tlsOptions: { ca: pems.cert } });
    const { token, url } = await service.getClientAccessToken({ userId: "u" });
    const aud = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).aud;
    expect(aud.toLowerCase()).toBe(`${origin}/client/hubs/proxyhub`);
    expect(url.toLowerCase().startsWith(`${origin.replace("https", "wss")}/client/hubs/proxyhub?access_token=`)).toBe(
      true,
    );
  });

  it("the official SDK pages listConnections through https nextLinks to the end", async () => {
    const clients = [];
    for (let i = 0; i < 5; i++)
      clients.push(await connect(trusting, "pagedHub", { claims: { "webpubsub.group": "g" } }));
    const service = new WebPubSubServiceClient(
      `Endpoint=${proxyOrigin(proxy)};AccessKey=${trusting.accessKey};Version=1.0;`,
      "pagedHub",
      { tlsOptions: { ca: pems.cert } },
    );
    const pages: number[] = [];
    for await (const page of (await service.group("g").listConnections({ maxPageSize: 2 })).byPage()) {
      pages.push(page.length);
    }
    expect(pages).toEqual([2, 2, 1]);
    for (const c of clients) await c.close();
  });

  it("without trustProxy the forwarded origin is ignored: a token for the proxy's audience is refused", async () => {
    const service = new WebPubSubServiceClient(
      `Endpoint=${proxyOrigin(plainProxy)};AccessKey=${plain.accessKey};Version=1.0;`,
      "pagedHub",
      { tlsOptions: { ca: pems.cert } },
    );
    await expect(service.sendToAll("x", { contentType: "text/plain" })).rejects.toMatchObject({ statusCode: 401 });
  });
});

describe("forwarded header parsing", () => {
  it("takes the first Forwarded element, else the first X-Forwarded-* values", () => {
    expect(readForwarded({ forwarded: 'for=1.2.3.4;proto=https;host="a.example:8443", proto=http;host=b' })).toEqual({
      scheme: "https",
      host: "a.example:8443",
    });
    expect(readForwarded({ "x-forwarded-proto": "https, http", "x-forwarded-host": "A.Example, b" })).toEqual({
      scheme: "https",
      host: "a.example",
    });
    expect(readForwarded({ "x-forwarded-host": "[::1]:9000" }).host).toBe("[::1]:9000");
  });

  it("ignores schemes other than http/https, hosts with paths, spaces or bad ports, and over-long headers", () => {
    expect(readForwarded({ "x-forwarded-proto": "javascript" }).scheme).toBeUndefined();
    expect(readForwarded({ "x-forwarded-host": "evil.example/path" }).host).toBeUndefined();
    expect(readForwarded({ "x-forwarded-host": "a b" }).host).toBeUndefined();
    expect(readForwarded({ "x-forwarded-host": "a.example:70000" }).host).toBeUndefined();
    expect(readForwarded({ "x-forwarded-host": "a.example:65535" }).host).toBe("a.example:65535");
    expect(readForwarded({ "x-forwarded-host": `${"a".repeat(1025)}` }).host).toBeUndefined();
    expect(readForwarded({ forwarded: "host=@evil" }).host).toBeUndefined();
  });
});
