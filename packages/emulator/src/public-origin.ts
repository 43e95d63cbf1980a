// The one place that decides under which origin (scheme and host) a request reached the emulator: what it writes back
// (generated token audiences, nextLink URLs) and what token audiences it expects. The scheme is https when the request came over TLS; the host is the Host header
// (or the listen address for HTTP/1.0 requests without one). With trustProxy, a reverse proxy's Forwarded /
// X-Forwarded-Proto / X-Forwarded-Host headers override both (validated in forwarded.ts).
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { readForwarded } from "./forwarded.ts";

export interface PublicOrigin {
  readonly scheme: "http" | "https";
  /** host[:port] as the client addressed it */
  readonly host: string;
  /** scheme://host[:port] */
  readonly origin: string;
}

/** Where the emulator listens, for requests that name no host. */
export interface ListenAddress {
  host: string;
  port: number;
  /** honour Forwarded / X-Forwarded-Proto / X-Forwarded-Host (see forwarded.ts) */
  trustProxy?: boolean;
}

export function publicOrigin(req: IncomingMessage, listen: ListenAddress): PublicOrigin {
  let host = req.headers.host ?? `${listen.host}:${listen.port}`;
  let scheme: "http" | "https" = (req.socket as Partial<TLSSocket>).encrypted === true ? "https" : "http";
  if (listen.trustProxy === true) {
    const fwd = readForwarded(req.headers);
    scheme = fwd.scheme ?? scheme;
    host = fwd.host ?? host;
  }
  return { scheme, host, origin: `${scheme}://${host}` };
}
