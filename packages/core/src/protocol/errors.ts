// The error raised for frames that break the subprotocol.

/** WebSocket close code for a message of the wrong kind (e.g. a binary frame on a JSON subprotocol). */
export const CLOSE_UNSUPPORTED_DATA = 1003;
/** WebSocket close code for an invalid message (bad JSON, unknown type, wrong field types). */
export const CLOSE_INVALID_PAYLOAD = 1007;

export type ProtocolErrorCode =
  | "invalid_frame_type"
  | "invalid_json"
  | "invalid_protobuf"
  | "invalid_message"
  | "unknown_type";

/** The id a service can answer an invalid invocation or stream frame with (see ProtocolError). */
export interface ReplyTo {
  invocationId?: string;
  streamId?: string;
}

/**
 * A frame violates the protocol. `closeCode` is what the receiving side should close the WebSocket with.
 * `ackId` is set when the frame is a known client message whose own `ackId` was valid but another field was not
 * (code "invalid_message"), so a service can answer that ackId instead of closing. In the same way `invocationId` is
 * set for an invalid `invoke` or `cancelInvocation` whose invocationId was valid (answer: an invokeResponse with
 * `BadRequest`), and `streamId` for an invalid stream start, `streamData` or `streamEnd` whose streamId was valid
 * (answer: streamClosed with `BadRequest`).
 */
export class ProtocolError extends Error {
  override name = "ProtocolError";
  // (declared, not class fields: the constructor sets each, so a bundle need not list them twice)
  declare readonly code: ProtocolErrorCode;
  declare readonly closeCode: number;
  declare readonly ackId: number | undefined;
  declare readonly invocationId: string | undefined;
  declare readonly streamId: string | undefined;
  constructor(
    code: ProtocolErrorCode,
    message: string,
    closeCode: number = CLOSE_INVALID_PAYLOAD,
    ackId?: number,
    replyTo?: ReplyTo,
  ) {
    super(message);
    this.code = code;
    this.closeCode = closeCode;
    this.ackId = ackId;
    this.invocationId = replyTo?.invocationId;
    this.streamId = replyTo?.streamId;
  }
}

/** Runs `validate`; an invalid_message ProtocolError it throws is rethrown carrying `ackId` (when defined). */
export function withAckId<T>(ackId: number | undefined, validate: () => T): T {
  if (ackId === undefined) return validate();
  try {
    return validate();
  } catch (e) {
    if (e instanceof ProtocolError && e.code === "invalid_message" && e.ackId === undefined) {
      throw new ProtocolError(e.code, e.message, e.closeCode, ackId);
    }
    throw e;
  }
}

/** Runs `validate`; an invalid_message ProtocolError it throws is rethrown carrying `replyTo`'s id. */
export function withReplyTo<T>(replyTo: ReplyTo, validate: () => T): T {
  try {
    return validate();
  } catch (e) {
    if (e instanceof ProtocolError && e.code === "invalid_message") {
      throw new ProtocolError(e.code, e.message, e.closeCode, e.ackId, replyTo);
    }
    throw e;
  }
}
