#!/usr/bin/env node
// webpubsub-emulator: runs the emulator until SIGINT/SIGTERM.
import { createHash, X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator } from "./emulator.ts";
import { checkHubSettings, checkSecurityOptions, type EmulatorOptions, type EventHandlerSettings } from "./options.ts";
import { normalizeHost, normalizeOrigin } from "./request-guard.ts";
import { SYSTEM_EVENT_NAMES } from "./upstream/index.ts";

const USAGE = `Usage: webpubsub-emulator [options]

A local Azure Web PubSub service: REST API under /api, WebSocket clients at /client/hubs/{hub}.

Options:
  --port <n>                 TCP port (default 8080; 0 picks a free one)
  --host <name>              interface to listen on (default localhost)
  --access-key <key>         access key for tokens (default: the well-known development key)
  --config <file>            JSON file: { port, host, accessKey, keepAliveIntervalMs, allowEntraTokens,
                             entraTenantId, entraIssuer, dashboard, allowedOrigins, allowedHosts, tls, certFile,
                             keyFile, trustProxy,
                             hubs: { <hub>: { eventHandlers: [{ urlTemplate, userEventPattern, systemEvents }] } } }
                             (certFile and keyFile are relative to the config file; flags win over the file)
  --event-handler <hub>=<url> send every event of <hub> to <url> (may contain {hub} and {event}); repeatable
  --keep-alive <ms>          WebSocket ping interval (default 20000; 0 disables)
  --allow-entra-tokens       also accept Microsoft Entra bearer tokens (shape, audience and lifetime checked; the
                             signature cannot be checked offline)
  --entra-tenant-id <guid>   with --allow-entra-tokens: Entra tokens must come from this tenant (tid, iss)
  --entra-issuer <url>       with --allow-entra-tokens: Entra tokens must carry this issuer (iss); repeatable
  --dashboard                serve a status page at /_emulator
  --tls                      serve https/wss with a self-signed certificate for localhost, 127.0.0.1 and ::1
                             (written to a file whose path is printed, to be trusted by clients)
  --trust-proxy              take the client's scheme and host from Forwarded / X-Forwarded-* headers (behind a
                             reverse proxy you run; off by default)
  --cert <file> --key <file> serve https/wss with this PEM certificate and key (both needed)
  --allowed-origins <list>   comma-separated origins of web pages that may connect besides loopback ones
                             (e.g. https://app.example.com), or * for any page
  --allowed-hosts <list>     comma-separated host names requests may use besides IP addresses, localhost and this
                             machine's name (DNS rebinding protection; .example.com admits subdomains), or * for any
  --verbose                  log one line per connection and per REST call (refused requests are always logged)
  -h, --help                 show this help
`;

/** A bad command line: the CLI prints the message and the usage, and exits with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface CliArgs {
  options: EmulatorOptions;
  verbose: boolean;
  help: boolean;
}

/** Parses command-line arguments; throws UsageError with a message naming the bad argument. */
export function parseArgs(argv: readonly string[]): CliArgs {
  let config: EmulatorOptions = {};
  const flags: EmulatorOptions = {};
  const handlers: Record<string, EventHandlerSettings[]> = {};
  let verbose = false;
  let help = false;
  let certFile: string | undefined;
  let keyFile: string | undefined;
  const issuers: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value.`);
      return v;
    };
    switch (name) {
      case "--port": {
        const v = value();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`--port must be an integer 0..65535, got '${v}'.`);
        flags.port = n;
        break;
      }
      case "--host":
        flags.host = value();
        break;
      case "--access-key":
        flags.accessKey = value();
        break;
      case "--keep-alive": {
        const v = value();
        if (!/^\d+$/.test(v)) throw new UsageError(`--keep-alive must be a number of milliseconds, got '${v}'.`);
        flags.keepAliveIntervalMs = Number(v);
        break;
      }
      case "--allow-entra-tokens":
        flags.allowEntraTokens = true;
        break;
      case "--entra-tenant-id":
        flags.entraTenantId = value();
        break;
      case "--entra-issuer":
        issuers.push(value());
        break;
      case "--dashboard":
        flags.dashboard = true;
        break;
      case "--tls":
        flags.tls = true;
        break;
      case "--trust-proxy":
        flags.trustProxy = true;
        break;
      case "--cert":
        certFile = value();
        break;
      case "--key":
        keyFile = value();
        break;
      case "--allowed-origins":
        flags.allowedOrigins = listValue(name, value(), normalizeOrigin);
        break;
      case "--allowed-hosts":
        flags.allowedHosts = listValue(name, value(), normalizeHost);
        break;
      case "--config":
        config = readConfig(value());
        break;
      case "--event-handler": {
        const v = value();
        const at = v.indexOf("=");
        if (at <= 0) throw new UsageError(`--event-handler must look like <hub>=<url>, got '${v}'.`);
        const hub = v.slice(0, at);
        const list = handlers[hub] ?? [];
        list.push({
          urlTemplate: v.slice(at + 1),
          userEventPattern: "*",
          systemEvents: [...SYSTEM_EVENT_NAMES],
        });
        handlers[hub] = list;
        break;
      }
      case "--verbose":
      case "-v":
        verbose = true;
        break;
      case "--help":
      case "-h":
        help = true;
        break;
      default:
        throw new UsageError(`Unknown option '${arg}'.`);
    }
  }
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError("--cert and --key go together.");
  if (certFile !== undefined && keyFile !== undefined) {
    flags.tls = { cert: readPem("--cert", certFile), key: readPem("--key", keyFile) };
  }
  if (issuers.length > 0) flags.entraIssuer = issuers;
  const options: EmulatorOptions = { port: 8080, host: "localhost", ...config, ...flags };
  try {
    checkSecurityOptions(options);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (Object.keys(handlers).length > 0) {
    const hubs = { ...(options.hubs ?? {}) };
    for (const [hub, list] of Object.entries(handlers)) {
      hubs[hub] = { ...hubs[hub], eventHandlers: [...(hubs[hub]?.eventHandlers ?? []), ...list] };
    }
    try {
      checkHubSettings(hubs, "--event-handler");
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    options.hubs = hubs;
  }
  return { options, verbose, help };
}

/** `*` or a comma-separated list (empty entries dropped), each entry checked by `check` (which throws TypeError). */
function listValue(name: string, v: string, check: (entry: string, argName: string) => string): string[] | "*" {
  if (v.trim() === "*") return "*";
  const list = v
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new UsageError(`${name} needs a comma-separated list or *, got '${v}'.`);
  try {
    for (const entry of list) check(entry, name);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return list;
}

function readPem(name: string, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(
      `Cannot read ${name} file '${file.slice(0, 200)}': ${(e as NodeJS.ErrnoException).code ?? "error"}`,
    );
  }
}

function readConfig(file: string): EmulatorOptions {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(`Cannot read --config file '${file}': ${(e as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--config file '${file}' must hold a JSON object.`);
  }
  const allowed = new Set([
    "port",
    "host",
    "accessKey",
    "hubs",
    "keepAliveIntervalMs",
    "allowEntraTokens",
    "entraTenantId",
    "entraIssuer",
    "dashboard",
    "allowedOrigins",
    "allowedHosts",
    "tls",
    "certFile",
    "keyFile",
    "trustProxy",
  ]);
  for (const key of Object.keys(parsed)) {
    if (!allowed.has(key)) throw new UsageError(`--config file '${file}': unknown setting '${key}'.`);
  }
  const { certFile, keyFile, ...rest } = parsed as EmulatorOptions & { certFile?: unknown; keyFile?: unknown };
  const cfg: EmulatorOptions = rest;
  for (const key of ["tls", "trustProxy", "allowEntraTokens", "dashboard"] as const) {
    if (cfg[key] !== undefined && typeof cfg[key] !== "boolean") {
      throw new UsageError(`--config file '${file}': ${key} must be true or false.`);
    }
  }
  if (certFile !== undefined || keyFile !== undefined) {
    if (typeof certFile !== "string" || typeof keyFile !== "string") {
      throw new UsageError(`--config file '${file}': certFile and keyFile go together, as file paths.`);
    }
    const base = dirname(file);
    cfg.tls = {
      cert: readPem("certFile", resolve(base, certFile)),
      key: readPem("keyFile", resolve(base, keyFile)),
    };
  }
  for (const [key, check] of [
    ["allowedOrigins", normalizeOrigin],
    ["allowedHosts", normalizeHost],
  ] as const) {
    const v: unknown = cfg[key];
    if (v === undefined || v === "*") continue;
    if (!Array.isArray(v) || v.some((e) => typeof e !== "string")) {
      throw new UsageError(`--config file '${file}': ${key} must be "*" or an array of strings.`);
    }
    try {
      for (const entry of v as string[]) check(entry, key);
    } catch (e) {
      throw new UsageError(`--config file '${file}': ${(e as Error).message}`);
    }
  }
  if (cfg.hubs !== undefined) {
    try {
      checkHubSettings(cfg.hubs, "hubs");
    } catch (e) {
      throw new UsageError(`--config file '${file}': ${(e as Error).message}`);
    }
  }
  return cfg;
}

export async function main(argv: readonly string[]): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`webpubsub-emulator: ${(e as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  // refused requests (level "warn") are printed even without --verbose: they explain why a page cannot connect
  const verbose = args.verbose;
  args.options.log = (line, level) => {
    if (level === "warn") process.stderr.write(`${new Date().toISOString()} ${line}\n`);
    else if (verbose) process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  };
  // signal handlers go in before anything is printed, so a signal right after the banner is never missed
  let emu: Awaited<ReturnType<typeof startEmulator>> | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (args.verbose) process.stdout.write(`${signal} received, shutting down\n`);
    // never hang on shutdown: whatever is left after 800 ms is dropped
    setTimeout(() => process.exit(0), 800).unref();
    if (emu === undefined) return;
    emu.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  try {
    emu = await startEmulator(args.options);
  } catch (e) {
    process.stderr.write(`webpubsub-emulator: cannot start: ${(e as Error).message}\n`);
    process.exit(1);
  }
  if (stopping) {
    await emu.close();
    process.exit(0);
  }
  const ws = emu.endpoint.replace(/^http/, "ws");
  process.stdout.write(
    `Azure Web PubSub emulator listening on ${emu.endpoint}\n` +
      `Connection string: ${emu.connectionString}\n` +
      `REST API: ${emu.endpoint}/api   WebSocket clients: ${ws}/client/hubs/{hub}\n` +
      (args.options.dashboard ? `Dashboard: ${emu.endpoint}/_emulator\n` : "") +
      (args.options.tls === true && emu.certificate !== undefined
        ? trustHint(writeCertificate(emu.certificate, emu.port))
        : "") +
      "Press Ctrl+C to stop.\n",
  );
}

/** Writes the generated certificate where clients can read it; returns the path. */
function writeCertificate(pem: string, port: number): string {
  const dir = join(tmpdir(), "webpubsub-emulator");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `localhost-${port}.pem`);
  writeFileSync(file, pem, { mode: 0o644 });
  return file;
}

function trustHint(file: string): string {
  const spki = createHash("sha256")
    .update(new X509Certificate(readFileSync(file)).publicKey.export({ type: "spki", format: "der" }))
    .digest("base64");
  return (
    `TLS certificate (self-signed, new on every start): ${file}\n` +
    `  Node clients: NODE_EXTRA_CA_CERTS=${file} (or pass it as the \`ca\` TLS option)\n` +
    `  Chromium: --ignore-certificate-errors-spki-list=${spki} (trusts this key only), or import the file as an authority\n`
  );
}

/**
 * MB per V8 semi-space for the CLI process. Under bursts of connects V8 grows its young generation to the default
 * maximum (16 MB semi-spaces, about 100 MB of pages) and those pages stay resident although the JS heap is back to
 * ~15 MB: RSS went from ~110 to ~200 MB over 8 x 2,000 connects. With 8 MB it levels off near 140 MB, at the same
 * connect rate (bench/src/benchmarks/soak.ts, README "Memory").
 */
export const CLI_SEMI_SPACE_MB = 8;

/**
 * Restarts this process image (same pid, same arguments) with `--max-semi-space-size` when it was not given, because
 * V8 reads it only at start-up. Skipped where process.execve is missing (Windows, Node < 22.15) or fails, when the
 * flag is already set (also via NODE_OPTIONS), and with WEBPUBSUB_EMULATOR_NO_REEXEC=1.
 */
function restartWithSemiSpaceCap(): void {
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (typeof execve !== "function" || process.env.WEBPUBSUB_EMULATOR_NO_REEXEC === "1") return;
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  if (given.some((a) => a.startsWith("--max-semi-space-size"))) return;
  const script = process.argv[1];
  if (script === undefined) return;
  try {
    execve.call(
      process,
      process.execPath,
      [
        process.execPath,
        `--max-semi-space-size=${CLI_SEMI_SPACE_MB}`,
        ...process.execArgv,
        script,
        ...process.argv.slice(2),
      ],
      process.env,
    );
  } catch {
    // keep running without the cap
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  restartWithSemiSpaceCap();
  void main(process.argv.slice(2));
}
