// Refusing a WebSocket upgrade with an HTTP answer, the way `ws` aborts a handshake: the status line's reason from
// node:http's STATUS_CODES, `Connection: close`, a short text body (cut: it may quote client input).
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { capped } from "../bounded-text.ts";

/** Characters of a refusal message (it may quote client input). */
const MAX_REFUSAL_CHARS = 512;

/**
 * A handshake step's refusal; handleUpgrade answers it with `refuse`, the MQTT endpoint with a CONNACK. The message
 * is bounded here, so it is bounded wherever the refusal goes (the HTTP answer, a CONNACK reason, a log line).
 */
export class UpgradeRefused extends Error {
  override name = "UpgradeRefused";
  readonly status: number;
  constructor(status: number, message: string) {
    super(capped(message, MAX_REFUSAL_CHARS));
    this.status = status;
  }
}

/** Answers an upgrade request with an HTTP error and closes the socket. */
export function refuse(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  const text = `${capped(message, MAX_REFUSAL_CHARS)}\n`;
  const reason = STATUS_CODES[status] ?? "Error";
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n${status === 401 ? "WWW-Authenticate: Bearer\r\n" : ""}\r\n${text}`,
  );
}
