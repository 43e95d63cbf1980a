// The client's error classes (each sets `name` to its class name with a class field) and the default retry rule.

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
  readonly ackId: number | undefined;
  readonly errorDetail: AckErrorDetail | undefined;
  /** Whether the failure is transient (connection lost, ack timeout, transient service error). */
  readonly retryable: boolean;
  constructor(message: string, opts: SendMessageErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.ackId = opts.ackId;
    this.errorDetail = opts.errorDetail;
    this.retryable = opts.retryable ?? (opts.errorDetail ? !FINAL_ACK_ERRORS.has(opts.errorDetail.name) : false);
  }
}

/** No ack arrived within `ackTimeoutInMs`. Retried with the same ackId, so the service deduplicates it. */
export class AckTimeoutError extends SendMessageError {
  override name = "AckTimeoutError";
  readonly timeoutInMs: number;
  constructor(ackId: number, timeoutInMs: number) {
    super(`No ack for ackId ${ackId} within ${timeoutInMs} ms`, { ackId, retryable: true });
    this.timeoutInMs = timeoutInMs;
  }
}

/** A connection attempt failed: the handshake was refused, the socket closed before `connected`, or it timed out. */
export class ConnectionError extends Error {
  override name = "ConnectionError";
  /** WebSocket close code when the socket closed, else undefined. */
  readonly code: number | undefined;
  readonly reason: string | undefined;
  constructor(message: string, opts: { code?: number; reason?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
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
