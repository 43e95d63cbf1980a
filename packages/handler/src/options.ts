// Validation and normalization of WebPubSubEventHandler options: everything is checked in the constructor, so a bad
// configuration fails at startup with a TypeError/RangeError naming the option, never at the first request.
import { checkHubName, parseConnectionString, shown, shownValue } from "@webpubsub/core";
import type { HandlerErrorReporter, UnhandledRequestHandler, WebPubSubEventHandlerOptions } from "./types.ts";

export const DEFAULT_TIMEOUT_MS = 60_000;
/**
 * 1 MiB: the service carries at most 1 MB in one message, and within it the costliest JSON (arrays of small values)
 * parses in tens of milliseconds; 4 MiB of it held the event loop for 150-250 ms.
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_BODY_TIMEOUT_MS = 30_000;

export interface NormalizedOptions {
  hub: string;
  /** Lower-cased, starts and ends with `/`. */
  path: string;
  accessKeys: string[];
  verifySignature: boolean;
  /** Lower-cased hosts; `undefined` allows any origin. */
  allowedOrigins: string[] | undefined;
  timeoutInMs: number;
  maxBodyBytes: number;
  bodyTimeoutInMs: number;
  onUnhandled: UnhandledRequestHandler;
  onError: HandlerErrorReporter;
}

const HANDLER_NAMES = [
  "handleConnect",
  "handleUserEvent",
  "onConnected",
  "onDisconnected",
  "onGroupJoined",
  "onGroupLeft",
  "onUnhandled",
  "onError",
] as const;

export function normalizeOptions(hub: unknown, options: WebPubSubEventHandlerOptions | undefined): NormalizedOptions {
  checkHubName(hub, "hub");
  if (options !== undefined && (options === null || typeof options !== "object" || Array.isArray(options))) {
    throw new TypeError("options must be an object when given");
  }
  const o = options ?? {};
  for (const name of HANDLER_NAMES) {
    const fn = o[name];
    if (fn !== undefined && typeof fn !== "function") throw new TypeError(`options.${name} must be a function`);
  }
  const accessKeys = normalizeKeys(o);
  if (o.verifySignature !== undefined && typeof o.verifySignature !== "boolean") {
    throw new TypeError("options.verifySignature must be a boolean");
  }
  if (o.verifySignature === true && accessKeys.length === 0) {
    throw new TypeError("options.verifySignature requires options.accessKeys or options.connectionString");
  }
  return {
    hub,
    path: normalizePath(o.path, hub),
    accessKeys,
    verifySignature: o.verifySignature ?? accessKeys.length > 0,
    allowedOrigins: normalizeOrigins(o.allowedOrigins, o.allowedEndpoints),
    timeoutInMs: positiveInteger(o.timeoutInMs, "options.timeoutInMs", DEFAULT_TIMEOUT_MS, 2 ** 31 - 1),
    maxBodyBytes: positiveInteger(
      o.maxBodyBytes,
      "options.maxBodyBytes",
      DEFAULT_MAX_BODY_BYTES,
      Number.MAX_SAFE_INTEGER,
    ),
    bodyTimeoutInMs: positiveInteger(
      o.bodyTimeoutInMs,
      "options.bodyTimeoutInMs",
      DEFAULT_BODY_TIMEOUT_MS,
      2 ** 31 - 1,
    ),
    onUnhandled: o.onUnhandled ?? (() => new Response("Not Found", { status: 404 })),
    onError: o.onError ?? defaultErrorReporter,
  };
}

/** Logs a failed handler with its event name and connection id, both from the request, so shown bounded. */
function defaultErrorReporter(error: unknown, info: { eventName: string; connectionId?: string }): void {
  const connection = info.connectionId ? ` (connection ${shown(info.connectionId)})` : "";
  console.error(`[@webpubsub/handler] ${shown(info.eventName)} handler failed${connection}:`, error);
}

function normalizePath(path: unknown, hub: string): string {
  if (path === undefined) return `/api/webpubsub/hubs/${hub}/`.toLowerCase();
  if (typeof path !== "string" || path.trim() === "") throw new TypeError("options.path must be a non-empty string");
  if (/[?#\s]/.test(path)) throw new TypeError("options.path must be a URL path without query, fragment or spaces");
  let p = path.replaceAll("{hub}", hub).toLowerCase();
  if (!p.startsWith("/")) p = `/${p}`;
  if (!p.endsWith("/")) p = `${p}/`;
  return p;
}

function normalizeKeys(o: WebPubSubEventHandlerOptions): string[] {
  const keys: string[] = [];
  if (o.connectionString !== undefined) {
    if (typeof o.connectionString !== "string" || o.connectionString.trim() === "") {
      throw new TypeError("options.connectionString must be a non-empty string");
    }
    keys.push(parseConnectionString(o.connectionString).accessKey);
  }
  if (o.accessKeys !== undefined) {
    if (!Array.isArray(o.accessKeys)) throw new TypeError("options.accessKeys must be an array of strings");
    o.accessKeys.forEach((key, i) => {
      if (typeof key !== "string" || key === "") {
        throw new TypeError(`options.accessKeys[${i}] must be a non-empty string`);
      }
      if (!keys.includes(key)) keys.push(key);
    });
  }
  return keys;
}

function normalizeOrigins(origins: unknown, endpoints: unknown): string[] | undefined {
  if (origins === undefined && endpoints === undefined) return undefined;
  const hosts: string[] = [];
  if (endpoints !== undefined) {
    if (!Array.isArray(endpoints)) throw new TypeError("options.allowedEndpoints must be an array of URLs");
    endpoints.forEach((endpoint, i) => {
      hosts.push(hostOfUrl(endpoint, `options.allowedEndpoints[${i}]`));
    });
  }
  if (origins !== undefined) {
    if (!Array.isArray(origins)) throw new TypeError("options.allowedOrigins must be an array of hosts or URLs");
    for (const [i, origin] of origins.entries()) {
      const name = `options.allowedOrigins[${i}]`;
      if (typeof origin !== "string" || origin.trim() === "") throw new TypeError(`${name} must be a non-empty string`);
      if (origin.trim() === "*") return undefined;
      hosts.push(origin.includes("://") ? hostOfUrl(origin, name) : hostOnly(origin, name));
    }
  }
  return [...new Set(hosts)];
}

function hostOfUrl(value: unknown, name: string): string {
  if (typeof value === "string") {
    try {
      const host = new URL(value).host;
      if (host !== "") return host.toLowerCase();
    } catch {
      // reported below
    }
  }
  throw new TypeError(
    `Invalid URL in ${name}: ${shownValue(value)} (expected an absolute URL such as https://contoso.webpubsub.azure.com)`,
  );
}

function hostOnly(value: string, name: string): string {
  const trimmed = value.trim().toLowerCase();
  let host: string | undefined;
  try {
    host = new URL(`https://${trimmed}`).host;
  } catch {
    host = undefined;
  }
  // accept "host" and "host:port" only; anything with a path, user info or query is a mistake
  if (host === undefined || (host !== trimmed && `${host}:443` !== trimmed)) {
    throw new TypeError(
      `${name} must be a host such as contoso.webpubsub.azure.com or an absolute URL, got ${shown(value)}`,
    );
  }
  return host;
}

function positiveInteger(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value)) throw new TypeError(`${name} must be an integer`);
  if (value < 1 || value > max) throw new RangeError(`${name} must be between 1 and ${max}, got ${value}`);
  return value;
}
