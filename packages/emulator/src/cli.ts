#!/usr/bin/env node
// webpubsub-emulator: runs the emulator until SIGINT/SIGTERM.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type CliArgs, parseArgs } from "./cli/args.ts";
import { removeCertificateFile, writeCertificateFile } from "./cli/certificate-file.ts";
import { type RunningEmulator, startEmulator } from "./emulator.ts";
import type { EmulatorOptions } from "./options.ts";
import { spkiHash } from "./tls/self-signed.ts";

export { type CliArgs, parseArgs } from "./cli/args.ts";
export { UsageError } from "./cli/usage-error.ts";

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
  let emu: RunningEmulator | undefined;
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
  process.stdout.write(banner(emu, args.options));
}

/** What the CLI prints once it listens: endpoint, connection string, URLs, and how to trust a generated certificate. */
function banner(emu: RunningEmulator, options: EmulatorOptions): string {
  const ws = emu.endpoint.replace(/^http/, "ws");
  return (
    `Azure Web PubSub emulator listening on ${emu.endpoint}\n` +
    `Connection string: ${emu.connectionString}\n` +
    `REST API: ${emu.endpoint}/api   WebSocket clients: ${ws}/client/hubs/{hub}\n` +
    (options.dashboard ? `Dashboard: ${emu.endpoint}/_emulator\n` : "") +
    (options.tls === true && emu.certificate !== undefined
      ? trustHint(certificateFile(emu.certificate, emu.port), emu.certificate)
      : "") +
    "Press Ctrl+C to stop.\n"
  );
}

/** Writes the generated certificate for clients to trust; its directory goes when the process exits. */
function certificateFile(pem: string, port: number): string {
  const file = writeCertificateFile(pem, port);
  process.once("exit", () => removeCertificateFile(file));
  return file;
}

function trustHint(file: string, pem: string): string {
  const spki = spkiHash(pem);
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
