// Bounds on what one connection may hold open through the JSON-only messages (invocations and group streams), so
// that no client can make the emulator keep or echo an unbounded amount of state. One place for every such number.

/** Characters of an `invocationId` or a `streamId`: a longer one is refused (the connection closes with 1007). */
export const ID_LIMIT = 128;
/** Invocations one connection may have waiting for their upstream call. */
export const MAX_OPEN_INVOCATIONS = 100;
/** Group streams one connection may have open. */
export const MAX_OPEN_STREAMS = 100;
/** Bytes of one stream fragment's payload (UTF-8 text, JSON text or raw bytes). */
export const MAX_FRAGMENT_BYTES = 512 * 1024;
/** Characters of a publisher's stream error message and of its `userErrorCode` passed on to subscribers. */
export const MAX_STREAM_ERROR_MESSAGE_CHARS = 512;
export const MAX_USER_ERROR_CODE_CHARS = 128;
/** The idle timeout of a stream whose start does not set one (client-spec 3.6.1). */
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000;
