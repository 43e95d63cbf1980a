// The bound on what one socket may have queued for its peer (the maxBufferedBytesPerConnection option): a peer that
// reads slower than the emulator writes, or not at all, is dropped as a slow consumer instead of being buffered for
// without bound. One rule for every write to a client: a session's messages and control frames (connection.ts) and the
// MQTT endpoint's own answers (mqtt/packet-io.ts).
import type { WebSocket } from "ws";

/** Why a slow consumer is dropped (close reason, log line). */
export const SLOW_CONSUMER = "The connection is too slow to receive its messages.";

/**
 * Whether `ws` holds more than `maxBufferedBytes` not yet written: what is already queued decides, so one more frame
 * is always accepted while the queue is at or under the limit.
 */
export function overBuffered(ws: Pick<WebSocket, "bufferedAmount">, maxBufferedBytes: number): boolean {
  return ws.bufferedAmount > maxBufferedBytes;
}
