// The command line of webpubsub-emulator, read through a table of its flags (FLAGS: what each one sets, and whether
// it takes a value, as `--flag value` or `--flag=value`), then merged: the defaults, the `--config` file, the flags;
// `--cert`/`--key` read together, `--event-handler`s added to the hubs' handlers, and the result checked as
// startEmulator would check it. Every problem is a UsageError naming the argument.
import { shown } from "@webpubsub/core";
import { checkHubSettings, checkSecurityOptions, type EmulatorOptions, type EventHandlerSettings } from "../options.ts";
import { normalizeHost, normalizeOrigin } from "../request-guard.ts";
import { SYSTEM_EVENT_NAMES } from "../upstream/index.ts";
import { readConfig, readPem } from "./config-file.ts";
import { asUsage, UsageError } from "./usage-error.ts";

export interface CliArgs {
  options: EmulatorOptions;
  verbose: boolean;
  help: boolean;
}

/** What the arguments said so far. */
interface Parsed {
  config: EmulatorOptions;
  flags: EmulatorOptions;
  handlers: Record<string, EventHandlerSettings[]>;
  issuers: string[];
  certFile: string | undefined;
  keyFile: string | undefined;
  verbose: boolean;
  help: boolean;
}

/** A flag: a switch (no value), or one that takes a value (`name` is the flag as written, for messages). */
type Flag =
  | { takesValue: false; set(p: Parsed): void }
  | { takesValue: true; set(p: Parsed, v: string, name: string): void };

const on = (set: (p: Parsed) => void): Flag => ({ takesValue: false, set });
const valued = (set: (p: Parsed, v: string, name: string) => void): Flag => ({ takesValue: true, set });

const FLAGS: Readonly<Record<string, Flag>> = {
  "--port": valued((p, v) => {
    p.flags.port = portNumber(v);
  }),
  "--host": valued((p, v) => {
    p.flags.host = v;
  }),
  "--access-key": valued((p, v) => {
    p.flags.accessKey = v;
  }),
  "--keep-alive": valued((p, v) => {
    if (!/^\d+$/.test(v)) throw new UsageError(`--keep-alive must be a number of milliseconds, got ${shown(v)}.`);
    p.flags.keepAliveIntervalMs = Number(v);
  }),
  "--allow-entra-tokens": on((p) => {
    p.flags.allowEntraTokens = true;
  }),
  "--entra-tenant-id": valued((p, v) => {
    p.flags.entraTenantId = v;
  }),
  "--entra-issuer": valued((p, v) => p.issuers.push(v)),
  "--dashboard": on((p) => {
    p.flags.dashboard = true;
  }),
  "--tls": on((p) => {
    p.flags.tls = true;
  }),
  "--trust-proxy": on((p) => {
    p.flags.trustProxy = true;
  }),
  "--cert": valued((p, v) => {
    p.certFile = v;
  }),
  "--key": valued((p, v) => {
    p.keyFile = v;
  }),
  "--allowed-origins": valued((p, v, name) => {
    p.flags.allowedOrigins = listValue(name, v, normalizeOrigin);
  }),
  "--allowed-hosts": valued((p, v, name) => {
    p.flags.allowedHosts = listValue(name, v, normalizeHost);
  }),
  "--config": valued((p, v) => {
    p.config = readConfig(v);
  }),
  "--event-handler": valued(addEventHandler),
  "--verbose": on((p) => {
    p.verbose = true;
  }),
  "-v": on((p) => {
    p.verbose = true;
  }),
  "--help": on((p) => {
    p.help = true;
  }),
  "-h": on((p) => {
    p.help = true;
  }),
};

/** Parses command-line arguments; throws UsageError with a message naming the bad argument. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const p: Parsed = {
    config: {},
    flags: {},
    handlers: {},
    issuers: [],
    certFile: undefined,
    keyFile: undefined,
    verbose: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const flag = Object.hasOwn(FLAGS, name) ? FLAGS[name] : undefined;
    if (flag === undefined) throw new UsageError(`Unknown option ${shown(arg)}.`);
    if (!flag.takesValue) {
      flag.set(p);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`${name} needs a value.`);
    flag.set(p, value, name);
  }
  return { options: merged(p), verbose: p.verbose, help: p.help };
}

/** The defaults, the config file and the flags, in that order of precedence, checked. */
function merged(p: Parsed): EmulatorOptions {
  const { flags, certFile, keyFile } = p;
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError("--cert and --key go together.");
  if (certFile !== undefined && keyFile !== undefined) {
    flags.tls = { cert: readPem("--cert", certFile), key: readPem("--key", keyFile) };
  }
  if (p.issuers.length > 0) flags.entraIssuer = p.issuers;
  const options: EmulatorOptions = { port: 8080, host: "localhost", ...p.config, ...flags };
  asUsage(() => checkSecurityOptions(options));
  if (Object.keys(p.handlers).length > 0) {
    const hubs = { ...(options.hubs ?? {}) };
    for (const [hub, list] of Object.entries(p.handlers)) {
      hubs[hub] = { ...hubs[hub], eventHandlers: [...(hubs[hub]?.eventHandlers ?? []), ...list] };
    }
    asUsage(() => checkHubSettings(hubs, "--event-handler"));
    options.hubs = hubs;
  }
  return options;
}

function portNumber(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`--port must be an integer 0..65535, got ${shown(v)}.`);
  return n;
}

/** `--event-handler <hub>=<url>`: every event of the hub goes to the url. */
function addEventHandler(p: Parsed, v: string): void {
  const at = v.indexOf("=");
  if (at <= 0) throw new UsageError(`--event-handler must look like <hub>=<url>, got ${shown(v)}.`);
  const hub = v.slice(0, at);
  const list = p.handlers[hub] ?? [];
  list.push({ urlTemplate: v.slice(at + 1), userEventPattern: "*", systemEvents: [...SYSTEM_EVENT_NAMES] });
  p.handlers[hub] = list;
}

/** `*` or a comma-separated list (empty entries dropped), each entry checked by `check` (which throws TypeError). */
function listValue(name: string, v: string, check: (entry: string, argName: string) => string): string[] | "*" {
  if (v.trim() === "*") return "*";
  const list = v
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new UsageError(`${name} needs a comma-separated list or *, got ${shown(v)}.`);
  asUsage(() => {
    for (const entry of list) check(entry, name);
  });
  return list;
}
