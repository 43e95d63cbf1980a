// The chat app's server: starts an emulator, serves the page (public/ plus the browser script bundled by esbuild at
// startup), mints client access URLs at /negotiate?user=<name>, and is the emulator's event handler for the
// connected/disconnected events, which it announces to everyone through @webpubsub/service. With `tls`, the page is
// served over https and the emulator over https/wss with one generated certificate (see certificate.ts); the emulator
// then delivers events to a second, plain-http listener on the same interface (its event handler calls trust the
// public certificate authorities only).
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { DEFAULT_ACCESS_KEY, type RunningEmulator, startEmulator } from "@webpubsub/emulator";
import { WebPubSubEventHandler } from "@webpubsub/handler";
import { toNodeListener } from "@webpubsub/handler/node";
import { WebPubSubServiceClient } from "@webpubsub/service";
import { build } from "esbuild";
import { loopbackCertificate, type PemPair } from "./certificate.ts";

export interface ChatOptions {
  /** Port of the chat page; 0 (the default) picks a free one. The emulator always takes a free port. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Hub name. Default "chat". */
  hub?: string;
  /**
   * Serve the page over https and the emulator over https/wss: `true` generates one self-signed certificate for
   * localhost, 127.0.0.1 and ::1 (exposed as `certificate`); `{ cert, key }` uses yours. Default false.
   */
  tls?: boolean | PemPair;
}

export interface RunningChat {
  /** The chat page, e.g. http://127.0.0.1:5173/ (https:// with `tls`) */
  url: string;
  emulator: RunningEmulator;
  /** With `tls`: the PEM certificate the page and the emulator serve, for browsers and Node clients to trust. */
  certificate: string | undefined;
  /** Stops the emulator and the page server. Idempotent. */
  close(): Promise<void>;
}

export const CHAT_GROUP = "chat";
const USER_PATTERN = /^[\p{L}\p{N}_. -]{1,32}$/u;
const publicDir = new URL("./public/", import.meta.url);

/** Bundles browser/main.ts (and @webpubsub/client from its TypeScript sources) for the browser, in memory. */
async function bundleBrowserScript(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./browser/main.ts", import.meta.url))],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["source"],
    sourcemap: "inline",
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error("esbuild produced no output for the chat page");
  return file.text;
}

export async function startChat(options: ChatOptions = {}): Promise<RunningChat> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError("options.port must be 0..65535");
  const host = options.host ?? "127.0.0.1";
  const hub = options.hub ?? "chat";
  const tls = options.tls === true ? await loopbackCertificate() : options.tls || undefined;
  if (tls !== undefined && (typeof tls.cert !== "string" || typeof tls.key !== "string")) {
    throw new TypeError("options.tls must be true, false or { cert, key } (PEM strings)");
  }

  const [script, page, style] = await Promise.all([
    bundleBrowserScript(),
    readFile(new URL("index.html", publicDir)),
    readFile(new URL("style.css", publicDir)),
  ]);
  const assets: Record<string, { type: string; body: string | Buffer }> = {
    "/": { type: "text/html; charset=utf-8", body: page },
    "/index.html": { type: "text/html; charset=utf-8", body: page },
    "/style.css": { type: "text/css; charset=utf-8", body: style },
    "/app.js": { type: "text/javascript; charset=utf-8", body: script },
  };

  // The service client exists once the emulator is up; the emulator needs this server's URL first.
  let service: WebPubSubServiceClient | undefined;
  const announce = (event: "joined" | "left", user: string | undefined) =>
    user === undefined ? Promise.resolve() : service?.sendToAll({ event, user });
  const handler = new WebPubSubEventHandler(hub, {
    // the emulator signs every call with its access key; the handler rejects calls that are not signed with it
    accessKeys: [DEFAULT_ACCESS_KEY],
    onConnected: (req) => announce("joined", req.context.userId),
    onDisconnected: (req) => announce("left", req.context.userId),
    onError: (error) => console.error("chat event handler:", error),
  });
  const handleEvents = toNodeListener(handler);

  const negotiate = async (url: URL, res: ServerResponse) => {
    const user = url.searchParams.get("user")?.trim() ?? "";
    if (!USER_PATTERN.test(user)) {
      return send(res, 400, "text/plain; charset=utf-8", "user must be 1-32 letters, digits, spaces, '_', '.' or '-'");
    }
    if (!service) return send(res, 503, "text/plain; charset=utf-8", "starting up");
    const token = await service.getClientAccessToken({
      userId: user,
      groups: [CHAT_GROUP],
      roles: [`webpubsub.sendToGroup.${CHAT_GROUP}`],
    });
    send(res, 200, "application/json", JSON.stringify({ url: token.url }));
  };

  const onRequest: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" && url.pathname === "/negotiate") {
      negotiate(url, res).catch((error: unknown) => {
        console.error("negotiate:", error);
        if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", "could not mint a token");
      });
      return;
    }
    const asset = req.method === "GET" || req.method === "HEAD" ? assets[url.pathname] : undefined;
    if (asset) return send(res, 200, asset.type, asset.body);
    // everything else may be the emulator calling the event handler
    handleEvents(req, res, () => send(res, 404, "text/plain; charset=utf-8", "Not Found"));
  };
  const onEvent: RequestListener = (req, res) =>
    handleEvents(req, res, () => send(res, 404, "text/plain; charset=utf-8", "Not Found"));

  const server = tls === undefined ? createServer(onRequest) : createHttpsServer(tls, onRequest);
  // over TLS the emulator calls the event handler on its own plain-http port (loopback, same interface)
  const eventServer = tls === undefined ? server : createServer(onEvent);
  const servers = tls === undefined ? [server] : [server, eventServer];
  try {
    await listen(server, port, host);
    if (eventServer !== server) await listen(eventServer, 0, host);
  } catch (error) {
    await closeServers(servers);
    throw error;
  }
  const hostInUrl = host.includes(":") ? `[${host}]` : host;
  const origin = `${tls === undefined ? "http" : "https"}://${hostInUrl}:${(server.address() as AddressInfo).port}`;
  const eventOrigin = `http://${hostInUrl}:${(eventServer.address() as AddressInfo).port}`;

  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({
      port: 0,
      host,
      accessKey: DEFAULT_ACCESS_KEY,
      dashboard: true,
      ...(tls === undefined ? {} : { tls }),
      hubs: {
        [hub]: {
          eventHandlers: [
            { urlTemplate: `${eventOrigin}/api/webpubsub/hubs/{hub}/`, systemEvents: ["connected", "disconnected"] },
          ],
        },
      },
    });
  } catch (error) {
    await closeServers(servers);
    throw error;
  }
  // over TLS the service client trusts the emulator's certificate (only this one, for this client)
  service = new WebPubSubServiceClient(
    emulator.connectionString,
    hub,
    tls === undefined ? {} : { tlsOptions: { ca: tls.cert } },
  );

  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/`,
    emulator,
    certificate: tls?.cert,
    close() {
      closing ??= (async () => {
        await emulator.close();
        await closeServers(servers);
      })();
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function closeServers(servers: Server[]): Promise<unknown> {
  return Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          if (!server.listening) return resolve();
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}
