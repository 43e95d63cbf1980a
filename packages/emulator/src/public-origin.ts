// The one place that decides under which origin (scheme and host) a request reached the emulator: what it writes back
// (generated token audiences, nextLink URLs) and what token audiences it expects. The scheme is https when the request came over TLS; the host is the Host header
// (or the listen address for HTTP/1.0 requests without one). TLS and trusted proxy headers (Forwarded,
// X-Forwarded-Proto/Host) belong here.
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";

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
}

export function publicOrigin(req: IncomingMessage, listen: ListenAddress): PublicOrigin {
  const host = req.headers.host ?? `${listen.host}:${listen.port}`;
  const scheme = (req.socket as Partial<TLSSocket>).encrypted === true ? "https" : "http";
  return { scheme, host, origin: `${scheme}://${host}` };
}
