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

/** A frame violates the protocol. `closeCode` is what the receiving side should close the WebSocket with. */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  readonly closeCode: number;
  constructor(code: ProtocolErrorCode, message: string, closeCode: number = CLOSE_INVALID_PAYLOAD) {
    super(message);
    this.name = "ProtocolError";
    this.code = code;
    this.closeCode = closeCode;
  }
}
