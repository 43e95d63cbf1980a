// What the HTTP adapters (pipeline policy and fetch wrapper) share: the recorder interface they call and abort errors.
import type { RequestPart } from "./matcher.ts";
import type { RecorderMode } from "./mode.ts";
import type { RecordEntry } from "./recording-format.ts";

/** What the HTTP adapters (pipeline policy, fetch wrapper) need from a recorder. */
export interface HttpRecorderCore {
  readonly mode: RecorderMode;
  /** Playback: the recorded entry answering this request; throws RecordingMismatchError otherwise. */
  playback(request: RequestPart): RecordEntry;
  /** Record: keeps an exchange (unsanitized; sanitized when the recording is written). */
  record(entry: RecordEntry): void;
  /** Throws when the recorder is stopped. */
  assertActive(): void;
}

/** The error a pipeline or fetch throws for a request aborted before playback. */
export function abortError(): Error {
  const error = new Error("The operation was aborted.");
  error.name = "AbortError";
  return error;
}
