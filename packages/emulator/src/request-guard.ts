// Which requests the emulator serves at all (see "Security" in the README). Anyone can sign tokens with the
// well-known development key, so a web page must not be able to reach the emulator on the developer's machine:
// - Origin: a browser names the page's origin on every WebSocket upgrade (and on cross-origin requests); only pages
//   served from a loopback origin, or from one listed in `allowedOrigins`, are served. Requests without an Origin
//   header come from non-browser clients and are served.
// - Host (DNS rebinding: a page of evil.example whose name is re-pointed at 127.0.0.1 is same-origin with the
//   emulator and could read REST answers and the dashboard): a request must name the emulator by an IP address,
//   `localhost` (or a `*.localhost` name), the configured `host`, this machine's name, or a name in `allowedHosts`.
//   An IP address is always accepted: a rebinding attack always arrives under the attacker's host name.
import { isIP } from "node:net";
import { hostname } from "node:os";
import { shown } from "@webpubsub/core";

export interface RequestPolicy {
  /** `"*"`, or normalized origins (`scheme://host[:port]`, lowercase) and/or `"null"` */
  allowedOrigins: "*" | ReadonlySet<string>;
  /** `"*"`, or lowercase host names; an entry starting with "." also admits every subdomain */
  allowedHosts: "*" | ReadonlySet<string>;
  /** the `host` option the emulator listens on */
  host: string;
}

export interface Refusal {
  status: 400 | 403;
  message: string;
  /** what was refused (the host name or the origin), to log each one once */
  subject: string;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** An allowedOrigins entry in the form browsers send it; throws TypeError when it is not an http(s) origin. */
export function normalizeOrigin(entry: string, argName: string): string {
  if (entry === "null") return "null";
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new TypeError(`${argName}: ${shown(entry)} is not an origin (scheme://host[:port]) or "*".`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.pathname.length > 1 || url.search || url.hash) {
    throw new TypeError(
      `${argName}: ${shown(entry)} must be an http(s) origin without a path, like https://app.example.com.`,
    );
  }
  return url.origin.toLowerCase();
}

/** An allowedHosts entry: a host name (or ".domain" for a domain and its subdomains), lowercase, without port. */
export function normalizeHost(entry: string, argName: string): string {
  const lower = entry.trim().toLowerCase();
  if (!/^\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/.test(lower) && !/^\[[0-9a-f:.]+\]$/.test(lower)) {
    throw new TypeError(`${argName}: ${shown(entry)} is not a host name (without scheme or port) or "*".`);
  }
  return lower;
}

/**
 * The host name of a Host header (lowercase, IPv6 in brackets, no port), or undefined when the header is not a valid
 * `host[:port]` authority.
 */
export function hostOfHeader(header: string): string | undefined {
  if (header.length === 0 || header.length > 300 || /[\s@/\\?#]/.test(header)) return undefined;
  let url: URL;
  try {
    url = new URL(`http://${header}`);
  } catch {
    return undefined;
  }
  if (url.username !== "" || url.password !== "" || url.pathname !== "/") return undefined;
  return url.hostname.toLowerCase();
}

function isLoopbackName(name: string): boolean {
  return LOOPBACK_HOSTS.has(name) || name.endsWith(".localhost");
}

function isIpLiteral(name: string): boolean {
  return isIP(name.startsWith("[") ? name.slice(1, -1) : name) !== 0;
}

function listedHost(name: string, allowed: ReadonlySet<string>): boolean {
  if (allowed.has(name)) return true;
  for (const entry of allowed) {
    if (entry.startsWith(".") && (name === entry.slice(1) || name.endsWith(entry))) return true;
  }
  return false;
}

/** Why a request with this Host header is not served, or undefined when it is. */
export function checkHost(header: string | undefined, policy: RequestPolicy): Refusal | undefined {
  // HTTP/1.0 requests may omit Host; browsers always send one
  if (header === undefined) return undefined;
  const name = hostOfHeader(header);
  if (name === undefined) {
    return { status: 400, message: `Invalid Host header ${shown(header)}.`, subject: header };
  }
  if (policy.allowedHosts === "*" || isIpLiteral(name) || isLoopbackName(name)) return undefined;
  const own = policy.host.toLowerCase();
  if (name === own || name === hostname().toLowerCase() || listedHost(name, policy.allowedHosts)) return undefined;
  return {
    status: 403,
    message:
      `Host ${shown(name)} is not an address of this emulator (DNS rebinding protection). ` +
      "Add it with the allowedHosts option or --allowed-hosts.",
    subject: name,
  };
}

/** Why a request from a page of this Origin is not served, or undefined when it is (or has no Origin). */
export function checkOrigin(header: string | undefined, policy: RequestPolicy): Refusal | undefined {
  if (header === undefined || policy.allowedOrigins === "*") return undefined;
  const origin = header.trim().toLowerCase();
  if (policy.allowedOrigins.has(origin)) return undefined;
  if (origin !== "null") {
    try {
      const url = new URL(origin);
      // exactly an origin as browsers send it (no userinfo, path or default port), on a loopback name
      const http = url.protocol === "http:" || url.protocol === "https:";
      if (http && url.origin === origin && isLoopbackName(url.hostname)) return undefined;
    } catch {
      // not a URL: refused below
    }
  }
  return {
    status: 403,
    message:
      `Requests from pages of origin ${shown(header)} are refused: only loopback origins ` +
      "(http(s)://localhost, 127.0.0.1, [::1]) are allowed by default. Add it with the allowedOrigins option or " +
      "--allowed-origins.",
    subject: origin,
  };
}
