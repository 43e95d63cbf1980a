// startEmulator(), the entry point: checks the options, builds the service, its upstream invoker and (with the
// dashboard) the activity feed, starts the listener (server.ts) and keep-alive (keep-alive.ts), and returns the handle
// whose close() shuts everything down (shutdown.ts).
import { ActivityFeed } from "./activity-feed.ts";
import { startKeepAlive } from "./keep-alive.ts";
import { type EmulatorOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { createEmulatorServer, listen, stopListening } from "./server.ts";
import { Service } from "./service.ts";
import { closeAllSessions } from "./shutdown.ts";
import { generateLoopbackCertificate } from "./tls/self-signed.ts";
import { UpstreamInvoker, type UpstreamInvokerOptions } from "./upstream/index.ts";
import { createWebSocketServer } from "./ws/upgrade.ts";

export interface RunningEmulator {
  /** http://host:port (https:// with `tls`), what connection strings and SDK clients use */
  readonly endpoint: string;
  readonly port: number;
  /** Endpoint=...;AccessKey=...;Version=1.0; */
  readonly connectionString: string;
  readonly accessKey: string;
  /** With `tls`: the PEM certificate served (to trust it: NODE_EXTRA_CA_CERTS, a `ca` option, a browser import) */
  readonly certificate: string | undefined;
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
  // the dashboard's live feed exists only when the dashboard is on
  const feed = opts.dashboard ? new ActivityFeed({ secrets: [opts.accessKey] }) : undefined;
  feed?.observe(service.events);
  const wss = createWebSocketServer();
  const dashboard = feed === undefined ? undefined : { service, feed, startedAt: new Date() };
  const tls = opts.tls === "generate" ? await generateLoopbackCertificate() : opts.tls;
  const server = createEmulatorServer({ service, wss, dashboard, tls });
  const port = await listen(server, opts.port, opts.host);
  const origin = `${displayHost(opts.host)}:${port}`;
  const endpoint = `${tls === undefined ? "http" : "https"}://${origin}`;
  service.upstream = new UpstreamInvoker(upstreamOptions(service, opts, origin));
  const stopKeepAlive = startKeepAlive(service, opts.keepAliveIntervalMs);

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      stopKeepAlive();
      feed?.close();
      await closeAllSessions(service);
      await service.upstream.close?.();
      await stopListening(server);
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
    certificate: tls?.cert,
    close,
  };
}

function upstreamOptions(service: Service, opts: ResolvedOptions, origin: string): UpstreamInvokerOptions {
  const hubs = opts.hubs;
  const upstream: UpstreamInvokerOptions = {
    getHandlers: (hub) => (hubs.get(hub.toLowerCase()) ?? hubs.get("_default"))?.eventHandlers ?? [],
    accessKeys: [opts.accessKey],
    origin,
    log: (line) => service.log(line),
    onOutcome: (outcome) => service.events.upstream(outcome),
  };
  if (opts.upstreamTimeoutMs !== undefined) upstream.timeoutMs = opts.upstreamTimeoutMs;
  return upstream;
}
