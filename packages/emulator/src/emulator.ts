// startEmulator(): one HTTP server that serves the REST API under /api and WebSocket clients under /client.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { ActivityFeed } from "./activity-feed.ts";
import { handleDashboard } from "./dashboard.ts";
import { type EmulatorOptions, resolveOptions } from "./options.ts";
import { checkHost, checkOrigin, type Refusal, type RequestPolicy } from "./request-guard.ts";
import { RestFailure, writeFailure } from "./rest/failure.ts";
import { handleRest } from "./rest/router.ts";
import { Service } from "./service.ts";
import { UpstreamInvoker } from "./upstream/index.ts";
import { handleUpgrade, MAX_FRAME_BYTES, reject, SELECTED } from "./ws/handshake.ts";

export interface RunningEmulator {
  /** http://host:port, what connection strings and SDK clients use */
  readonly endpoint: string;
  readonly port: number;
  /** Endpoint=...;AccessKey=...;Version=1.0; */
  readonly connectionString: string;
  readonly accessKey: string;
  /** Ends every connection, stops listening and frees the port. Idempotent. */
  close(): Promise<void>;
}

function displayHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "localhost";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** Starts a local Web PubSub service. Rejects with the listen error (e.g. EADDRINUSE) if the port is taken. */
export async function startEmulator(options?: EmulatorOptions): Promise<RunningEmulator> {
  const opts = resolveOptions(options);
  const service = new Service(opts);
  const startedAt = new Date();
  // the dashboard's live feed exists only when the dashboard is on
  const feed = opts.dashboard ? new ActivityFeed({ secrets: [opts.accessKey] }) : null;
  service.feed = feed;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (_protocols, req) => (req as IncomingMessage & { [SELECTED]?: string })[SELECTED] ?? false,
  });

  const policy: RequestPolicy = {
    allowedOrigins: opts.allowedOrigins,
    allowedHosts: opts.allowedHosts,
    host: opts.host,
  };
  /** Why `req` is not served at all (Host, then Origin; see request-guard.ts), logged once per host or origin. */
  const refusal = (req: IncomingMessage, what: string): Refusal | undefined => {
    const host = checkHost(req.headers.host, policy);
    if (host !== undefined) {
      if (host.status === 403) service.warn(`host ${host.subject}`, `refused ${what}: ${host.message}`);
      return host;
    }
    const origin = checkOrigin(req.headers.origin, policy);
    if (origin !== undefined) service.warn(`origin ${origin.subject}`, `refused ${what}: ${origin.message}`);
    return origin;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0]!.toLowerCase();
    const refused = refusal(req, `a request for ${path.slice(0, 100)}`);
    if (refused !== undefined) {
      if (path === "/api" || path.startsWith("/api/")) {
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
    if (path === "/api" || path.startsWith("/api/")) {
      handleRest(service, req, res).catch((e) => {
        service.log(`REST failure: ${String(e)}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
      return;
    }
    if (opts.dashboard && path.startsWith("/_emulator") && handleDashboard(service, startedAt, req, res)) return;
    if (path.startsWith("/client")) {
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
      res.end("This endpoint expects a WebSocket upgrade.\n");
      return;
    }
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
    res.end("Azure Web PubSub emulator: REST API under /api, WebSocket clients at /client/hubs/{hub}.\n");
  });
  // Keep idle HTTP connections for 2 minutes (Node's default is 5 s). A client that reuses a pooled socket just as the
  // server drops it gets ECONNRESET on a request it must not retry blindly (a send may have been accepted), so the
  // server should rarely be the side that closes; close() still ends every connection at once.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  server.on("upgrade", (req: IncomingMessage, socket, head: Buffer) => {
    socket.on("error", () => {});
    const refused = refusal(req, "a WebSocket connection");
    if (refused !== undefined) {
      reject(socket, refused.status, refused.message);
      return;
    }
    handleUpgrade(service, wss, req, socket, head).catch((e) => {
      service.log(`handshake failure: ${String(e)}`);
      if (!socket.destroyed) socket.destroy();
    });
  });
  // requests the HTTP parser refuses: a header block over Node's limit (--max-http-header-size, 16 KiB by default,
  // request line included) is 431, also on a WebSocket upgrade; anything else malformed is 400
  server.on("clientError", (err: Error & { code?: string }, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = err.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large" : "400 Bad Request";
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `${displayHost(opts.host)}:${port}`;
  const endpoint = `http://${origin}`;
  const hubs = opts.hubs;
  const upstreamOpts: ConstructorParameters<typeof UpstreamInvoker>[0] = {
    getHandlers: (hub) => (hubs.get(hub.toLowerCase()) ?? hubs.get("_default"))?.eventHandlers ?? [],
    accessKeys: [opts.accessKey],
    origin,
    log: (line) => service.log(line),
  };
  if (opts.upstreamTimeoutMs !== undefined) upstreamOpts.timeoutMs = opts.upstreamTimeoutMs;
  if (feed !== null) {
    upstreamOpts.onOutcome = (o) => {
      const entry: Parameters<ActivityFeed["record"]>[0] = {
        kind: "upstream",
        hub: o.hub,
        connectionId: o.connectionId,
        userId: o.userId,
        event: o.event,
        durationMs: o.durationMs,
      };
      if (o.url !== undefined) entry.to = o.url;
      if (o.status !== undefined) entry.status = o.status;
      if (o.error !== undefined) entry.error = o.error;
      feed.record(entry);
    };
  }
  service.upstream = new UpstreamInvoker(upstreamOpts);

  let keepAlive: NodeJS.Timeout | undefined;
  if (opts.keepAliveIntervalMs > 0) {
    keepAlive = setInterval(() => {
      for (const conn of service.allConnections()) {
        const ws = conn.socket;
        if (ws === null || ws.readyState !== 1) continue;
        if (!conn.alive) {
          service.log(`connection ${conn.id} missed a keep-alive ping; dropping the socket`);
          ws.terminate();
          continue;
        }
        conn.alive = false;
        ws.ping();
      }
    }, opts.keepAliveIntervalMs);
    keepAlive.unref();
  }

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      if (keepAlive !== undefined) clearInterval(keepAlive);
      feed?.close();
      const sockets = service.allConnections().flatMap((c) => (c.socket === null ? [] : [c.socket]));
      service.shutdown();
      // give a few clients a moment to answer the close frames (tests like clean closes); with many, answering them
      // all would only delay the exit: the frames are already written, so drop the sockets right away
      if (sockets.length <= 1000) {
        const gone = sockets.map((ws) => (ws.readyState === 3 ? undefined : new Promise((r) => ws.once("close", r))));
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.all(gone),
          new Promise((r) => {
            timer = setTimeout(r, 250);
          }),
        ]);
        clearTimeout(timer);
      } else {
        await new Promise((r) => setImmediate(r));
      }
      for (const ws of sockets) if (ws.readyState !== 3) ws.terminate();
      await service.upstream.close?.();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      wss.close();
    })();
    return closed;
  };

  service.log(`emulator listening on ${endpoint}`);
  return {
    endpoint,
    port,
    connectionString: `Endpoint=${endpoint};AccessKey=${opts.accessKey};Version=1.0;`,
    accessKey: opts.accessKey,
    close,
  };
}
