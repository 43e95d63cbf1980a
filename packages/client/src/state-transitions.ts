// The client's lifecycle: its states and the transitions allowed between them. WebPubSubClient changes state only
// through checkTransition; any other transition is a bug in the client, not something a caller or the service can
// cause, so it throws (and is logged at error level) instead of letting the client run on in a state it cannot be in.
import { logger } from "./logger.ts";
import type { WebPubSubClientState } from "./types.ts";

/**
 * From each state, the states the client may move to:
 *
 * - Stopped -> Connecting: start().
 * - Connecting -> Connected: the service's `connected` message (start, or a reconnect); -> Stopping: stop();
 *   -> Stopped: start() failed, or reconnect retries ran out.
 * - Connected -> Recovering: the connection dropped and the session can be resumed; -> Connecting: it dropped and
 *   cannot (a new connection follows); -> Stopping: stop(); -> Stopped: it dropped with autoReconnect off.
 * - Recovering -> Connected: the session was resumed; -> Connecting: recovery failed, a new connection follows;
 *   -> Stopping: stop(); -> Stopped: recovery failed with autoReconnect off.
 * - Stopping -> Stopped: the socket closed (or the stop grace passed).
 */
export const STATE_TRANSITIONS: Readonly<Record<WebPubSubClientState, readonly WebPubSubClientState[]>> = {
  Stopped: ["Connecting"],
  Connecting: ["Connected", "Stopping", "Stopped"],
  Connected: ["Recovering", "Connecting", "Stopping", "Stopped"],
  Recovering: ["Connected", "Connecting", "Stopping", "Stopped"],
  Stopping: ["Stopped"],
};

/** Throws (after logging at error level) unless the table allows `from` -> `to`. */
export function checkTransition(from: WebPubSubClientState, to: WebPubSubClientState): void {
  if (STATE_TRANSITIONS[from].includes(to)) return;
  const message = `Illegal client state transition ${from} -> ${to} (a bug in @webpubsub/client)`;
  logger.error(message);
  throw new Error(message);
}
