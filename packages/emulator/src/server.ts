// The emulator's listener: one HTTP server for the REST API (/api), the dashboard (/_emulator) and WebSocket upgrades
// (/client). Every request is first screened (Host, then Origin; see request-guard.ts). Only this file creates the
// server: node:https with the same handlers when `tls` holds a certificate.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { shown } from "@webpubsub/core";
import type { WebSocketServer } from "ws";
import { type DashboardSource, handleDashboard } from "./dashboard.ts";
import { checkHost, checkOrigin, type Refusal } from "./request-guard.ts";
import { RestFailure, writeFailure } from "./rest/failure.ts";
import { handleRest } from "./rest/router.ts";
import type { Service } from "./service.ts";
import { handleUpgrade } from "./ws/handshake.ts";
import { refuse } from "./ws/refusal.ts";

export interface ServerParts {
  service: Service;
  /** completes accepted WebSocket upgrades */
  wss: WebSocketServer;
  /** the dashboard's data, when it is on */
  dashboard: DashboardSource | undefined;
  /** PEM certificate and key: serve https/wss instead of http/ws */
  tls?: { cert: string; key: string } | undefined;
}

export function createEmulatorServer(parts: ServerParts): Server {
  const { service } = parts;
  const handler = (req: IncomingMessage, res: ServerResponse) => onRequest(parts, req, res);
  const server: Server =
    parts.tls === undefined
      ? createServer(handler)
      : createHttpsServer({ cert: parts.tls.cert, key: parts.tls.key }, handler);
  // Keep idle HTTP connections for 2 minutes (Node's default is 5 s). A client that reuses a pooled socket just as the
  // server drops it gets ECONNRESET on a request it must not retry blindly (a send may have been accepted), so the
  // server should rarely be the side that closes; close() still ends every connection at once.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => {});
    const refused = screen(service, req, "a WebSocket connection");
    if (refused !== undefined) {
      refuse(socket, refused.status, refused.message);
      return;
    }
    handleUpgrade(service, parts.wss, req, socket, head).catch((e) => {
      service.log(`handshake failure: ${String(e)}`);
      if (!socket.destroyed) socket.destroy();
    });
  });
  // requests the HTTP parser refuses: a header block over Node's limit (--max-http-header-size, 16 KiB by default,
  // request line included) is 431, also on a WebSocket upgrade; anything else malformed is 400
  server.on("clientError", (err: Error & { code?: string }, socket: Duplex) => {
    if (!socket.writable) return socket.destroy();
    const status = err.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large" : "400 Bad Request";
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  return server;
}

function onRequest(parts: ServerParts, req: IncomingMessage, res: ServerResponse): void {
  const { service } = parts;
  const path = (req.url ?? "/").split("?")[0]!.toLowerCase();
  const isRest = path === "/api" || path.startsWith("/api/");
  const refused = screen(service, req, `a request for ${shown(path)}`);
  if (refused !== undefined) {
    if (isRest) {
      const code = refused.status === 403 ? "Error.Forbidden" : "Error.BadRequest";
      writeFailure(res, new RestFailure(refused.status, code, refused.message), req.method === "HEAD");
    } else {
      res.writeHead(refused.status, {
        "content-type": "text/plain; charset=utf-8",
        "x-content-type-options": "nosniff",
      });
      res.end(`${refused.message}\n`);
    }
    return;
  }
  if (isRest) {
    handleRest(service, req, res).catch((e) => {
      service.log(`REST failure: ${String(e)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
    return;
  }
  if (parts.dashboard !== undefined && path.startsWith("/_emulator") && handleDashboard(parts.dashboard, req, res)) {
    return;
  }
  if (path.startsWith("/client")) {
    res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
    res.end("This endpoint expects a WebSocket upgrade.\n");
    return;
  }
  res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
  res.end("Azure Web PubSub emulator: REST API under /api, WebSocket clients at /client/hubs/{hub}.\n");
}

/** Why `req` is not served at all (Host, then Origin; see request-guard.ts), logged once per host or origin. */
function screen(service: Service, req: IncomingMessage, what: string): Refusal | undefined {
  const policy = service.opts;
  const host = checkHost(req.headers.host, policy);
  if (host !== undefined) {
    if (host.status === 403) service.warn(`host ${host.subject}`, `refused ${what}: ${host.message}`);
    return host;
  }
  const origin = checkOrigin(req.headers.origin, policy);
  if (origin !== undefined) service.warn(`origin ${origin.subject}`, `refused ${what}: ${origin.message}`);
  return origin;
}

/** Listens on `port` (0: a free one) and `host`; rejects with the listen error (e.g. EADDRINUSE). */
export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Stops listening and ends every HTTP connection at once. */
export function stopListening(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
