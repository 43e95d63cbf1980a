// Reads the scheme and host a TLS-terminating reverse proxy says the client used: `Forwarded` (RFC 7239, its first
// element: the proxy nearest the client) or else `X-Forwarded-Proto` / `X-Forwarded-Host` (first values). Only
// consulted with trustProxy. Values are bounded and checked: a scheme other than http/https or a host that is not a
// plain name, IPv4 or [IPv6] with an optional port is ignored (never echoed), and so is a header over 1 KiB.
import type { IncomingHttpHeaders } from "node:http";

const MAX_HEADER = 1024;
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

export interface Forwarded {
  scheme?: "http" | "https";
  host?: string;
}

function first(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.length > MAX_HEADER) return undefined;
  return v.split(",")[0]!.trim();
}

function scheme(v: string | undefined): "http" | "https" | undefined {
  const s = v?.toLowerCase();
  return s === "http" || s === "https" ? s : undefined;
}

function host(v: string | undefined): string | undefined {
  if (v === undefined || v.length > 261 || !HOST.test(v)) return undefined;
  const port = /:(\d+)$/.exec(v)?.[1];
  if (port !== undefined && Number(port) > 65535) return undefined;
  return v.toLowerCase();
}

export function readForwarded(headers: IncomingHttpHeaders): Forwarded {
  const element = first(headers.forwarded);
  if (element !== undefined && element.length > 0) {
    const out: Forwarded = {};
    for (const pair of element.split(";")) {
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim().toLowerCase();
      let value = pair.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (name === "proto") out.scheme = scheme(value);
      else if (name === "host") out.host = host(value);
    }
    if (out.scheme !== undefined || out.host !== undefined) return out;
  }
  return { scheme: scheme(first(headers["x-forwarded-proto"])), host: host(first(headers["x-forwarded-host"])) };
}
