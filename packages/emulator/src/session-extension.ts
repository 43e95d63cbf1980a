// State of an optional feature that lives as long as one session (a connection's group streams, its invocations):
// the Connection owns it and tells it when a reliable session resumes on a new socket and when the session ends.
// This file imports nothing, so feature code may import Connection without an import cycle.

export interface SessionExtension {
  /** A reliable session is attached to a new socket (after its unacked messages were replayed). */
  resumed(): void;
  /** The session ended for good: release timers and upstream calls, tell whoever must know. Called once. */
  ended(): void;
}
