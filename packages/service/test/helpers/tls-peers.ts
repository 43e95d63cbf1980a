// Peers for the tests against an emulator over TLS: a static TokenCredential handing out a Microsoft Entra-shaped
// access token (the emulator's Entra dev mode checks its shape, audience and lifetime only), a self-signed certificate
// for the loopback names, and a TLS-terminating reverse proxy in front of a plain-http emulator that reports the
// scheme and host clients used in X-Forwarded-Proto / X-Forwarded-Host, for requests and WebSocket upgrades alike.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { TokenCredential } from "@azure/core-auth";
import { generateLoopbackCertificate } from "@webpubsub/emulator";

/** An unsigned JWT with the header and claims of an Entra access token for https://webpubsub.azure.com. */
export function entraShapedToken(nowSeconds = Math.floor(Date.now() / 1000)): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  const header = { alg: "RS256", typ: "JWT", kid: "test-key" };
  const payload = {
    aud: "https://webpubsub.azure.com",
    iss: `https://sts.windows.net/${tenant}/`,
    tid: tenant,
    oid: "11111111-1111-1111-1111-111111111111",
    iat: nowSeconds,
    nbf: nowSeconds - 60,
    exp: nowSeconds + 3600,
  };
  return `${b64(header)}.${b64(payload)}.${Buffer.from("not-a-real-signature").toString("base64url")}`;
}

/** A TokenCredential that returns a fresh Entra-shaped token and counts its calls. */
export function staticEntraCredential(): TokenCredential & { calls: number } {
  const credential = {
    calls: 0,
    async getToken() {
      credential.calls++;
      return { token: entraShapedToken(), expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
  return credential;
}

/** A self-signed certificate (its own trust anchor) for localhost, 127.0.0.1 and ::1, valid for a day. */
export function loopbackCertificate(): Promise<{ cert: string; key: string }> {
  return generateLoopbackCertificate({ validDays: 1 });
}

export interface TlsProxy {
  /** https://localhost:<port>, the origin clients use */
  readonly origin: string;
  /** The request targets (path and query) it forwarded, in order, WebSocket upgrades included. */
  readonly forwarded: string[];
  close(): Promise<void>;
}

/** An https server forwarding every request and WebSocket upgrade to the http `target` with X-Forwarded-*. */
export async function startTlsProxy(target: string, pems: { cert: string; key: string }): Promise<TlsProxy> {
  const to = new URL(target);
  const forwarded: string[] = [];
  const sockets = new Set<Socket | Duplex>();
  const headersFor = (req: IncomingMessage): IncomingHttpHeaders => ({
    ...req.headers,
    host: to.host,
    "x-forwarded-proto": "https",
    "x-forwarded-host": req.headers.host ?? "",
  });
  const server = createServer(pems, (req, res) => {
    forwarded.push(req.url ?? "");
    const upstream = httpRequest(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: headersFor(req) },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    forwarded.push(req.url ?? "");
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    const upstream = connect(Number(to.port), to.hostname, () => {
      let text = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (const [name, value] of Object.entries(headersFor(req))) {
        for (const one of [value].flat()) if (one !== undefined) text += `${name}: ${one}\r\n`;
      }
      upstream.write(`${text}\r\n`);
      upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://localhost:${port}`,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
