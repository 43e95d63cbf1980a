// Closing a WebSocket with a code and a reason cut to what a close frame can carry.
import type { WebSocket } from "ws";
import { closeReason } from "../bounded-text.ts";

/** Closes `ws` with `code` and the reason cut to the 123-byte WebSocket limit (at a character boundary). */
export function closeSocket(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, closeReason(reason));
  } catch {
    ws.terminate();
  }
}
