// WebSocket keep-alive: every interval each open socket is pinged, and one that did not answer since the previous
// round (no pong, no frame) is dropped; its close then ends the session or, for reliable sessions, waits for recovery.
import type { Service } from "./service.ts";

/** Starts the pings (nothing when `intervalMs` is 0); returns the function that stops them. */
export function startKeepAlive(service: Service, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => {};
  const timer = setInterval(() => {
    for (const conn of service.allConnections()) {
      if (conn.keepAliveRound() === "dropped") {
        service.log(`connection ${conn.id} missed a keep-alive ping; dropping the socket`);
      }
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
