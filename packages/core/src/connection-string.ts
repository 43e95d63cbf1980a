// Parsing of "Endpoint=...;AccessKey=...;Version=1.0;[Port=...]" connection strings (protocol.md 1.1).

import { shown } from "./shown.ts";

export interface ParsedConnectionString {
  /** scheme://host[:port], no trailing slash. */
  endpoint: string;
  /** The access key, used as a UTF-8 string for HMAC signing. */
  accessKey: string;
}

/**
 * Parses a Web PubSub connection string. Key names are case-insensitive and unknown keys are ignored. An endpoint
 * without a scheme gets `https://`; `Port` overrides the endpoint's port. Errors name the problem but never echo the
 * access key (nor the rest of the string, which contains it).
 */
export function parseConnectionString(cs: string): ParsedConnectionString {
  if (typeof cs !== "string") throw new TypeError("connectionString must be a string");
  let endpoint: string | undefined;
  let accessKey: string | undefined;
  let port: string | undefined;
  for (const part of cs.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if (key === "endpoint") endpoint = value;
    else if (key === "accesskey") accessKey = value;
    else if (key === "port") port = value;
  }
  if (!endpoint) throw new TypeError("connectionString is missing the Endpoint key");
  if (!accessKey) throw new TypeError("connectionString is missing the AccessKey key");
  return { endpoint: normalizeEndpoint(endpoint, port), accessKey };
}

/**
 * Normalizes an endpoint to scheme://host[:port] (lowercased scheme and host, no path, no trailing slash).
 * `port` (from a connection string's Port key) overrides any port in the URL.
 */
export function normalizeEndpoint(endpoint: string, port?: string): string {
  if (typeof endpoint !== "string" || endpoint.trim() === "") {
    throw new TypeError("endpoint must be a non-empty string");
  }
  const raw = endpoint.trim();
  const withScheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new TypeError(`endpoint is not a valid URL: ${shown(raw)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`endpoint must use http or https, got ${shown(url.protocol.slice(0, -1))}`);
  }
  if (url.username || url.password) throw new TypeError("endpoint must not contain credentials");
  if (port !== undefined && port !== "") {
    const n = /^\d{1,5}$/.test(port) ? Number(port) : Number.NaN;
    if (!(n >= 1 && n <= 65535)) throw new RangeError(`Port must be an integer from 1 to 65535, got ${shown(port)}`);
    url.port = String(n);
  }
  return `${url.protocol}//${url.host}`;
}
