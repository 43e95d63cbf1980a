// Where request URLs point, as node:http takes them, parsed once per distinct URL: a REST client sends to few
// distinct URLs, so most requests skip the parse. The cache is bounded: URLs that carry ids (a connection, a user,
// a group) are unbounded in number over a process's life.

/** Where a request URL points, as node:http takes it. */
export interface Target {
  secure: boolean;
  hostname: string;
  port: string;
  path: string;
  /** The Host header: host and port (a default port left out, IPv6 in brackets), as node:http would set it. */
  host: string;
  /** Origin and path without the query, for logs. */
  printable: string;
}

/** How many parsed URLs are kept; one more empties the cache (cheaper than tracking use, and refilled at once). */
export const TARGET_CACHE_SIZE = 256;

/** The parsed targets of the URLs seen last, at most {@link TARGET_CACHE_SIZE} of them. */
export class RequestTargets {
  readonly #targets = new Map<string, Target>();

  /** How many parsed URLs are held. */
  get size(): number {
    return this.#targets.size;
  }

  /** The target of `href`, parsed unless it was seen since the cache was last emptied. */
  of(href: string): Target {
    let target = this.#targets.get(href);
    if (target === undefined) {
      const url = new URL(href);
      target = {
        secure: url.protocol === "https:",
        hostname: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        host: url.host,
        printable: `${url.origin}${url.pathname}`,
      };
      if (this.#targets.size >= TARGET_CACHE_SIZE) this.#targets.clear();
      this.#targets.set(href, target);
    }
    return target;
  }
}
