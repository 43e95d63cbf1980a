// Options of startEmulator() and the hub settings shared with the CLI config file; validated before anything starts.
import { createSecureContext } from "node:tls";
import { checkTimerDuration, HUB_NAME_PATTERN, shown } from "@webpubsub/core";
import type { EntraPolicy } from "./auth.ts";
import { normalizeHost, normalizeOrigin } from "./request-guard.ts";
import { DEFAULT_STREAM_IDLE_TIMEOUT_MS } from "./session-limits.ts";
import { checkEventHandlerSettings, type EventHandlerSettings, type SystemEventName } from "./upstream/index.ts";

export type { EventHandlerSettings, SystemEventName };

export const DEFAULT_ACCESS_KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

export interface HubSettings {
  eventHandlers?: EventHandlerSettings[];
}

export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. Default 0 for startEmulator(), 8080 for the CLI. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** The access key REST and client tokens are signed with. Default: the well-known development key. */
  accessKey?: string;
  /** Per-hub settings (event handlers), keyed by hub name (case-insensitive); `_default` applies to other hubs. */
  hubs?: Record<string, HubSettings>;
  /** Interval of WebSocket pings to clients; a client that misses a whole interval is dropped. Default 20000, 0 = off. */
  keepAliveIntervalMs?: number;
  /** Also accept Microsoft Entra bearer tokens (audience https://webpubsub.azure.com; signature not checkable). */
  allowEntraTokens?: boolean;
  /**
   * With allowEntraTokens: the Microsoft Entra tenant (directory) id, a GUID, Entra tokens must come from: their `tid`
   * claim must be it and their `iss`, when present, must name it. Default: any tenant.
   */
  entraTenantId?: string;
  /**
   * With allowEntraTokens: the issuer(s) Entra tokens must carry in `iss`, compared exactly (a trailing "/" aside),
   * e.g. `https://sts.windows.net/<tenant>/`. Default: any issuer.
   */
  entraIssuer?: string | readonly string[];
  /** Serve a read-only status page at /_emulator (and its JSON at /_emulator/state). Default false. */
  dashboard?: boolean;
  /**
   * Origins of web pages that may connect (WebSocket) and call the emulator, besides loopback ones
   * (`http(s)://localhost|127.0.0.1|[::1]` on any port, always allowed): e.g. `["https://app.example.com"]`, or `"*"`
   * for any page. Requests without an Origin header (non-browser clients) are always served.
   */
  allowedOrigins?: readonly string[] | "*";
  /**
   * Host names requests may address the emulator by, besides IP addresses, `localhost`, `*.localhost`, the `host`
   * option and this machine's name (DNS rebinding protection): e.g. `["emulator.test"]`; a leading "." admits
   * subdomains (`".example.com"`); `"*"` turns the check off.
   */
  allowedHosts?: readonly string[] | "*";
  /**
   * Receives one line per connection and per REST call (`level` "info"), and refused requests (`level` "warn": a
   * WebSocket upgrade from a page of another site, a request for a host name that is not the emulator's). Secrets are
   * redacted from every line.
   */
  log?: (line: string, level: "info" | "warn") => void;
  /** Bytes a connection may have queued in its socket before it is considered a slow consumer and closed. Default 16 MiB. */
  maxBufferedBytesPerConnection?: number;
  /** How long a dropped reliable connection stays recoverable. Default 30000. */
  recoveryWindowMs?: number;
  /** Timeout for blocking upstream calls (connect, user events), passed to the invoker. */
  upstreamTimeoutMs?: number;
  /** Idle timeout of a group stream whose start does not set `idleTimeoutMs`. Default 300000 (the service's). */
  streamIdleTimeoutMs?: number;
  /**
   * Serve https/wss: `true` generates a self-signed certificate for localhost, 127.0.0.1 and ::1 at start-up (exposed
   * as `certificate` on the running emulator); `{ cert, key }` serves the caller's PEM certificate and key.
   */
  tls?: boolean | { cert: string; key: string };
  /**
   * Behind a reverse proxy: take the scheme and host clients used from `Forwarded` / `X-Forwarded-Proto` /
   * `X-Forwarded-Host` for every URL written back (token audiences, client URLs, nextLinks) and the audience expected.
   * Default false: only turn it on when a proxy you run sets (and overwrites) those headers.
   */
  trustProxy?: boolean;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  accessKey: string;
  hubs: Map<string, HubSettings>;
  keepAliveIntervalMs: number;
  /** false: Entra tokens refused; otherwise the tenant and issuers they must come from (none: any) */
  allowEntraTokens: false | EntraPolicy;
  dashboard: boolean;
  allowedOrigins: "*" | ReadonlySet<string>;
  allowedHosts: "*" | ReadonlySet<string>;
  log: ((line: string, level: "info" | "warn") => void) | undefined;
  maxBufferedBytes: number;
  recoveryWindowMs: number;
  upstreamTimeoutMs: number | undefined;
  streamIdleTimeoutMs: number;
  /** "generate": a self-signed loopback certificate made at start-up; a pair: the caller's PEM */
  tls: "generate" | { cert: string; key: string } | undefined;
  trustProxy: boolean;
}

/** Validates an access key the way clients will use it: at least 32 UTF-8 bytes, no `;`, no control chars, trimmed. */
export function checkAccessKey(key: unknown, argName = "accessKey"): asserts key is string {
  if (typeof key !== "string") throw new TypeError(`${argName} must be a string.`);
  if (Buffer.byteLength(key, "utf8") < 32) throw new RangeError(`${argName} must be at least 32 bytes long.`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[;\u0000-\u001f\u007f]/.test(key)) {
    throw new TypeError(`${argName} must not contain ';' or control characters.`);
  }
  if (key.trim() !== key) throw new TypeError(`${argName} must not start or end with whitespace.`);
}

export function checkHubSettings(hubs: unknown, argName = "hubs"): asserts hubs is Record<string, HubSettings> {
  if (typeof hubs !== "object" || hubs === null || Array.isArray(hubs)) {
    throw new TypeError(`${argName} must be an object keyed by hub name.`);
  }
  for (const [hub, settings] of Object.entries(hubs as Record<string, unknown>)) {
    const where = `${argName}.${hub}`;
    if (hub !== "_default" && !HUB_NAME_PATTERN.test(hub)) {
      throw new TypeError(`${argName} key ${shown(hub)} is not a valid hub name (${HUB_NAME_PATTERN.source}).`);
    }
    if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
      throw new TypeError(`${where} must be an object.`);
    }
    const handlers = (settings as HubSettings).eventHandlers;
    if (handlers === undefined) continue;
    if (!Array.isArray(handlers)) throw new TypeError(`${where}.eventHandlers must be an array.`);
    for (const [i, h] of (handlers as unknown[]).entries())
      checkEventHandlerSettings(h, `${where}.eventHandlers[${i}]`);
  }
}

/** `"*"` or a list of strings, each normalized by `normalize` (which throws TypeError naming the bad entry). */
function resolveList(
  value: unknown,
  argName: string,
  normalize: (entry: string, argName: string) => string,
): "*" | ReadonlySet<string> {
  if (value === undefined) return new Set();
  if (value === "*") return "*";
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new TypeError(`${argName} must be "*" or an array of strings.`);
  }
  return new Set((value as string[]).map((v) => normalize(v, argName)));
}

export function resolveOptions(opts: EmulatorOptions | undefined): ResolvedOptions {
  const o = opts ?? {};
  if (typeof o !== "object") throw new TypeError("options must be an object.");
  const port = o.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError("port must be an integer 0..65535.");
  const host = o.host ?? "127.0.0.1";
  if (typeof host !== "string" || host.length === 0) throw new TypeError("host must be a non-empty string.");
  const accessKey = o.accessKey ?? DEFAULT_ACCESS_KEY;
  checkAccessKey(accessKey);
  const hubs = new Map<string, HubSettings>();
  if (o.hubs !== undefined) {
    checkHubSettings(o.hubs);
    for (const [name, s] of Object.entries(o.hubs)) hubs.set(name.toLowerCase(), s);
  }
  const keepAliveIntervalMs = o.keepAliveIntervalMs ?? 20_000;
  if (!Number.isFinite(keepAliveIntervalMs) || keepAliveIntervalMs < 0) {
    throw new RangeError("keepAliveIntervalMs must be a number >= 0 (0 disables keep-alive pings).");
  }
  if (o.log !== undefined && typeof o.log !== "function") throw new TypeError("log must be a function.");
  const maxBufferedBytes = o.maxBufferedBytesPerConnection ?? 16 * 1024 * 1024;
  if (!Number.isInteger(maxBufferedBytes) || maxBufferedBytes < 1024) {
    throw new RangeError("maxBufferedBytesPerConnection must be an integer >= 1024.");
  }
  const recoveryWindowMs = o.recoveryWindowMs ?? 30_000;
  if (!Number.isFinite(recoveryWindowMs) || recoveryWindowMs < 0) {
    throw new RangeError("recoveryWindowMs must be a number >= 0.");
  }
  if (o.upstreamTimeoutMs !== undefined && (!Number.isFinite(o.upstreamTimeoutMs) || o.upstreamTimeoutMs <= 0)) {
    throw new RangeError("upstreamTimeoutMs must be a number > 0.");
  }
  const streamIdleTimeoutMs = o.streamIdleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS;
  checkTimerDuration(streamIdleTimeoutMs, "streamIdleTimeoutMs");
  if (streamIdleTimeoutMs < 1) throw new RangeError("streamIdleTimeoutMs must be at least 1 ms.");
  const { tls, allowEntraTokens, trustProxy } = resolveSecurityOptions(o);
  return {
    tls,
    trustProxy,
    port,
    host,
    accessKey,
    hubs,
    keepAliveIntervalMs,
    allowEntraTokens,
    dashboard: o.dashboard === true,
    allowedOrigins: resolveList(o.allowedOrigins, "allowedOrigins", normalizeOrigin),
    allowedHosts: resolveList(o.allowedHosts, "allowedHosts", normalizeHost),
    log: o.log,
    maxBufferedBytes,
    recoveryWindowMs,
    upstreamTimeoutMs: o.upstreamTimeoutMs,
    streamIdleTimeoutMs,
  };
}

/** The TLS, Entra and proxy options, checked (TypeError/RangeError naming the option) and resolved. */
function resolveSecurityOptions(o: EmulatorOptions): Pick<ResolvedOptions, "tls" | "allowEntraTokens" | "trustProxy"> {
  if (o.trustProxy !== undefined && typeof o.trustProxy !== "boolean") {
    throw new TypeError("trustProxy must be a boolean.");
  }
  return { tls: resolveTls(o.tls), allowEntraTokens: resolveEntra(o), trustProxy: o.trustProxy === true };
}

/** Checks the TLS, Entra and proxy options alone, as startEmulator() will (the CLI, before it starts anything). */
export function checkSecurityOptions(o: EmulatorOptions): void {
  resolveSecurityOptions(o);
}

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ISSUER = 2048;

function resolveEntra(o: EmulatorOptions): ResolvedOptions["allowEntraTokens"] {
  if (o.allowEntraTokens !== undefined && typeof o.allowEntraTokens !== "boolean") {
    throw new TypeError("allowEntraTokens must be a boolean.");
  }
  const { entraTenantId: tenant, entraIssuer: issuer } = o;
  if (o.allowEntraTokens !== true) {
    if (tenant !== undefined || issuer !== undefined) {
      throw new TypeError("entraTenantId and entraIssuer apply to Entra tokens: set allowEntraTokens: true as well.");
    }
    return false;
  }
  const policy: { tenantId?: string; issuers?: readonly string[] } = {};
  if (tenant !== undefined) {
    if (typeof tenant !== "string" || !TENANT_ID.test(tenant)) {
      throw new TypeError("entraTenantId must be a tenant id (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47).");
    }
    policy.tenantId = tenant.toLowerCase();
  }
  if (issuer !== undefined) {
    const list: unknown[] = Array.isArray(issuer) ? issuer : [issuer];
    if (list.length === 0) throw new TypeError("entraIssuer must name at least one issuer.");
    for (const i of list) {
      if (typeof i !== "string" || i.length > MAX_ISSUER || !/^https:\/\/[^\s/]+(\/\S*)?$/.test(i)) {
        throw new TypeError(
          "entraIssuer must be an https:// URL (or a list of them), e.g. https://sts.windows.net/<tenant>/.",
        );
      }
    }
    policy.issuers = list as string[];
  }
  return policy;
}

const PEM_LIMIT = 1024 * 1024;

function resolveTls(value: unknown): ResolvedOptions["tls"] {
  if (value === undefined || value === false) return undefined;
  if (value === true) return "generate";
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError("tls must be true, false or { cert, key } (PEM strings).");
  }
  const { cert, key } = value as { cert?: unknown; key?: unknown };
  for (const [name, pem] of [
    ["tls.cert", cert],
    ["tls.key", key],
  ] as const) {
    if (typeof pem !== "string" || !pem.includes("-----BEGIN ")) {
      throw new TypeError(`${name} must be a PEM string (-----BEGIN ...).`);
    }
    if (pem.length > PEM_LIMIT) throw new RangeError(`${name} must be at most 1 MiB.`);
  }
  checkKeyPair(cert as string, key as string);
  return { cert: cert as string, key: key as string };
}

/** Whether `cert` and `key` make a TLS context (what the https server will build): a TypeError naming them if not. */
function checkKeyPair(cert: string, key: string): void {
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === "ERR_OSSL_X509_KEY_VALUES_MISMATCH")
      throw new TypeError("tls.key must be the private key of tls.cert.");
    const reason = typeof code === "string" ? ` (${shown(code)})` : "";
    throw new TypeError(`tls.cert and tls.key must be a PEM certificate and its private key${reason}.`);
  }
}
