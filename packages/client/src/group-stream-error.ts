// The error a group stream fails with, on either side: an Error whose `name` is the stream error's name, so it also
// satisfies StreamDataError ({ name, message, userErrorCode }).
import type { StreamDataError } from "./group-stream-types.ts";

/**
 * A group stream ended with an error. `name` is the service's error name (`UserError`, `IdleTimeout`, `Forbidden`,
 * `BadRequest`, `StreamNotFound`, `InternalServerError`, `Cancelled`...) or one of the client's: `ConnectionLost` (the
 * session carrying the stream ended), `Stopped` (stop()), `InvalidSequenceId` (a received stream skipped or repeated a
 * fragment, or the service acknowledged fragments never sent), `IdleTimeout` (a received stream was silent for
 * `idleTimeoutInMs`).
 */
export class GroupStreamError extends Error implements StreamDataError {
  override name: string;
  readonly streamId: string;
  readonly userErrorCode: string | undefined;
  constructor(streamId: string, error: { name: string; message?: string; userErrorCode?: string }) {
    super(error.message ?? error.name);
    this.name = error.name;
    this.streamId = streamId;
    this.userErrorCode = error.userErrorCode;
  }
}
