// The client's error classes and the default retry rule. Every error class is here, the invocation and group-stream
// ones too: the entry chunk holds them anyway (the package's entry exports them), and one module keeps them out of
// chunks of their own that every app would load. Their fields are `declare`d and set by the constructors, so that no
// class-field definitions (which only set them to undefined first) ship in bundles.
import { capped } from "@webpubsub/core/client-wire";
import type { StreamDataError } from "./group-stream-types.ts";

/** Options for Error's constructor: `options` when it has a cause, else none (an undefined cause is no cause). */
function withCause(options: { cause?: unknown }): ErrorOptions | undefined {
  return options.cause === undefined ? undefined : options;
}

/** The error the service attached to a negative ack. */
export interface AckErrorDetail {
  name: string;
  message: string;
}

/** The official client's name for AckErrorDetail. */
export type AckMessageError = AckErrorDetail;

export interface SendMessageErrorOptions {
  ackId?: number;
  errorDetail?: AckErrorDetail;
  /** Default: retryable unless the service's error is final (FINAL_ACK_ERRORS). */
  retryable?: boolean;
  cause?: unknown;
}

/**
 * An operation (sendToGroup, sendEvent, joinGroup, leaveGroup) did not succeed.
 * `ackId` is the id the operation used on the wire (absent for fire-and-forget sends);
 * `errorDetail` is the service's error when the service answered with a negative ack.
 */
export class SendMessageError extends Error {
  override name = "SendMessageError";
  declare readonly ackId: number | undefined;
  declare readonly errorDetail: AckErrorDetail | undefined;
  /** Whether the failure is transient (connection lost, ack timeout, transient service error). */
  declare readonly retryable: boolean;
  constructor(message: string, opts: SendMessageErrorOptions = {}) {
    super(message, withCause(opts));
    this.ackId = opts.ackId;
    this.errorDetail = opts.errorDetail;
    this.retryable = opts.retryable ?? (opts.errorDetail ? !FINAL_ACK_ERRORS.has(opts.errorDetail.name) : false);
  }
}

/** No ack arrived within `ackTimeoutInMs`. Retried with the same ackId, so the service deduplicates it. */
export class AckTimeoutError extends SendMessageError {
  override name = "AckTimeoutError";
  declare readonly timeoutInMs: number;
  constructor(ackId: number, timeoutInMs: number) {
    super(`No ack for ackId ${ackId} within ${timeoutInMs} ms`, { ackId, retryable: true });
    this.timeoutInMs = timeoutInMs;
  }
}

/** A connection attempt failed: the handshake was refused, the socket closed before `connected`, or it timed out. */
export class ConnectionError extends Error {
  override name = "ConnectionError";
  /** WebSocket close code when the socket closed, else undefined. */
  declare readonly code: number | undefined;
  declare readonly reason: string | undefined;
  constructor(message: string, opts: { code?: number; reason?: string; cause?: unknown } = {}) {
    super(message, withCause(opts));
    this.code = opts.code;
    this.reason = opts.reason;
  }
}

/** Names of negative acks that are final: retrying the same request cannot succeed. */
export const FINAL_ACK_ERRORS: ReadonlySet<string> = new Set(["Forbidden", "BadRequest", "NotFound", "Unauthorized"]);

/** Whether the default message retry policy retries this error. */
export function isRetryableSendError(error: unknown): boolean {
  return error instanceof SendMessageError && error.retryable;
}

/** The error the service (or the event handler behind it) reported in a failed `invokeResponse`. */
export interface InvokeResponseError {
  name: string;
  message: string;
}

export interface InvocationErrorOptions {
  invocationId: string;
  errorDetail?: InvokeResponseError;
  cause?: unknown;
}

/**
 * An invokeEvent did not produce a response: the upstream failed (`errorDetail` holds the service's error), the
 * session ended before the response, the caller aborted, or the invocation id was already in use.
 */
export class InvocationError extends Error {
  override name = "InvocationError";
  declare readonly invocationId: string;
  declare readonly errorDetail: InvokeResponseError | undefined;
  constructor(message: string, options: InvocationErrorOptions) {
    super(message, withCause(options));
    this.invocationId = options.invocationId;
    this.errorDetail = options.errorDetail;
  }
}

/**
 * A group stream ended with an error, on either side. `name` is the service's error name (`UserError`, `IdleTimeout`, `Forbidden`,
 * `BadRequest`, `StreamNotFound`, `InternalServerError`, `Cancelled`...) or one of the client's: `ConnectionLost` (the
 * session carrying the stream ended), `Stopped` (stop()), `InvalidSequenceId` (a received stream skipped or repeated a
 * fragment, or the service acknowledged fragments never sent), `IdleTimeout` (a received stream was silent for
 * `idleTimeoutInMs`), `Overflow` (a received stream's reader fell 1024 fragments behind), `LeftGroup` (leaveGroup
 * was acknowledged while a stream of that group was being received). As its `name` is the stream error's name, it
 * also satisfies StreamDataError. `name` and `message` are the peer's texts capped (at 128 and 512 characters, as
 * the emulator relays them) so that an error log line stays bounded; `errorDetail` keeps the error as it arrived.
 */
export class GroupStreamError extends Error implements StreamDataError {
  declare readonly streamId: string;
  declare readonly userErrorCode: string | undefined;
  declare readonly errorDetail: { name: string; message?: string; userErrorCode?: string };
  constructor(streamId: string, error: { name: string; message?: string; userErrorCode?: string }) {
    super(capped(error.message ?? error.name, 512));
    this.name = capped(error.name, 128);
    this.streamId = streamId;
    this.userErrorCode = error.userErrorCode;
    this.errorDetail = error;
  }
}
