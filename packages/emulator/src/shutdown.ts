// Ending every session when the emulator closes: `disconnected` frames and close frames (1001) go out, a few clients
// get a moment to answer them, then every socket still open is dropped.
import type { WebSocket } from "ws";
import type { Service } from "./service.ts";

/** How long clients get to answer the close frames. */
const CLOSE_GRACE_MS = 250;
/** Beyond this many sockets, waiting for answers would only delay the exit: the frames are written, drop at once. */
const MAX_AWAITED_SOCKETS = 1000;

export async function closeAllSessions(service: Service): Promise<void> {
  const sockets: WebSocket[] = [];
  for (const c of service.allConnections()) if (c.socket !== null) sockets.push(c.socket);
  service.shutdown();
  // give a few clients a moment to answer the close frames (tests like clean closes)
  if (sockets.length <= MAX_AWAITED_SOCKETS) {
    const gone = sockets.map((ws) => (ws.readyState === 3 ? undefined : new Promise((r) => ws.once("close", r))));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(gone),
      new Promise((r) => {
        timer = setTimeout(r, CLOSE_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
  } else {
    await new Promise((r) => setImmediate(r));
  }
  for (const ws of sockets) if (ws.readyState !== 3) ws.terminate();
}
