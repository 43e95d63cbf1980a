// Closing a WebSocket as the service: with a code and a reason cut to what a close frame can carry, or cut at once.
// The sockets the service closes are remembered, so that the frames their clients send after that can be told from
// the frames a client sent before closing a socket itself (which are still handled, even once its socket is closed).
import type { WebSocket } from "ws";
import { closeReason } from "../bounded-text.ts";

/** The sockets the service began to close or cut. */
const closedByService = new WeakSet<WebSocket>();

/** Closes `ws` with `code` and the reason cut to the 123-byte WebSocket limit (at a character boundary). */
export function closeSocket(ws: WebSocket, code: number, reason: string): void {
  closedByService.add(ws);
  try {
    ws.close(code, closeReason(reason));
  } catch {
    ws.terminate();
  }
}

/** Cuts `ws` at once, without a close frame (a dead peer, a socket holding too much, a replaced socket). */
export function cutSocket(ws: WebSocket): void {
  closedByService.add(ws);
  ws.terminate();
}

/** Whether the service began to close or cut `ws` (rather than its client closing it). */
export function isClosedByService(ws: WebSocket): boolean {
  return closedByService.has(ws);
}
