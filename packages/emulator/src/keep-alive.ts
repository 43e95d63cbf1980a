// WebSocket keep-alive: every interval each open socket is pinged, and one that did not answer since the previous
// round (no pong, no frame) is dropped; its close then ends the session or, for reliable sessions, waits for recovery.
// The interval only schedules a round: the round itself runs in a setImmediate, after the event loop's poll phase has
// read what the sockets hold. After a stall longer than the interval (GC, a busy machine) the timer fires before the
// I/O that piled up is read, and a pong already waiting in a socket must still count for the round that follows it.
import type { Service } from "./service.ts";

/** Starts the pings (nothing when `intervalMs` is 0); returns the function that stops them. */
export function startKeepAlive(service: Service, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => {};
  let pending: NodeJS.Immediate | undefined;
  const round = () => {
    pending = undefined;
    for (const conn of service.allConnections()) {
      if (conn.keepAliveRound() === "dropped") {
        service.log(`connection ${conn.id} missed a keep-alive ping; dropping the socket`);
      }
    }
  };
  const timer = setInterval(() => {
    pending ??= setImmediate(round);
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (pending !== undefined) clearImmediate(pending);
  };
}
