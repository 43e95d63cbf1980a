// Keep-alive rounds driven by the test instead of by wall time. An emulator started after `handDrivenKeepAlive()`
// pings only when `keepAliveRound()` says so (only setInterval is faked: sockets, setTimeout and setImmediate stay
// real), and `serviceRead()` is the event-driven fence that tells when the emulator has read a client's answer.
//
// Why the fence orders things: the frames of one socket reach the emulator in the order they were written. A client
// sends its own WebSocket ping after its answer (a pong, an MQTT packet, a message); the emulator's `ws` handles the
// answer (its 'pong'/'message' listener marks the connection alive) before it parses the ping, and writes its own
// pong only once it parsed that ping. So the client receiving that pong proves the emulator saw the answer. A client
// ping is not an answer itself: the emulator counts pongs and frames only. And `ws` writes its automatic pong
// before it emits 'ping', so after a client's 'ping' event its answer is already on the wire.
import { vi } from "vitest";
import WebSocket from "ws";

/** Call before `startEmulator`; undo with `vi.useRealTimers()` after the emulator closed. */
export function handDrivenKeepAlive(): void {
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
}

/** Starts one keep-alive round of an emulator whose `keepAliveIntervalMs` is `intervalMs`. */
export function keepAliveRound(intervalMs: number): void {
  vi.advanceTimersByTime(intervalMs);
}

/** Resolves on the next WebSocket ping `ws` receives; rejects if it closes first. */
export function nextPing(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    const onPing = () => {
      ws.off("close", onClose);
      resolve();
    };
    const onClose = () => {
      ws.off("ping", onPing);
      reject(new Error("closed before the next ping"));
    };
    ws.once("ping", onPing);
    ws.once("close", onClose);
  });
}

/**
 * "read" once the emulator has read everything `ws` sent before this call (it answered a ping sent now), "closed"
 * when the socket closed instead (the emulator dropped it).
 */
export function serviceRead(ws: WebSocket): Promise<"read" | "closed"> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve("closed");
  return new Promise((resolve) => {
    const onPong = () => {
      ws.off("close", onClose);
      resolve("read");
    };
    const onClose = () => {
      ws.off("pong", onPong);
      resolve("closed");
    };
    ws.once("pong", onPong);
    ws.once("close", onClose);
    ws.ping();
  });
}
