// Wire message types. Those in UpstreamMessage and DownstreamMessage are shared by the JSON and protobuf subprotocols
// (protocol.md 4.3 to 4.6); invocations and group streams exist only in the JSON subprotocols (the protobuf definition
// has no such messages), so they form the wider JsonUpstreamMessage and JsonDownstreamMessage.

export type DataType = "text" | "json" | "binary" | "protobuf";

/** A payload. `binary` and `protobuf` data are bytes here and base64 in JSON frames. */
export type MessagePayload =
  | { dataType: "text"; data: string }
  | { dataType: "json"; data: unknown }
  | { dataType: "binary" | "protobuf"; data: Uint8Array };

export interface JoinGroupMessage {
  type: "joinGroup";
  group: string;
  ackId?: number;
}

export interface LeaveGroupMessage {
  type: "leaveGroup";
  group: string;
  ackId?: number;
}

/** The payload fields of a message that carries none. */
export interface NoPayload {
  dataType?: undefined;
  data?: undefined;
}

export type SendToGroupMessage = {
  type: "sendToGroup";
  group: string;
  ackId?: number;
  noEcho?: boolean;
  /** Seconds the message may wait for delivery (0..300, newer service versions). */
  ttlSeconds?: number;
  metadata?: Record<string, string>;
  /** Never set: a sendToGroup with `stream` is a StreamStartMessage. */
  stream?: undefined;
} & MessagePayload;

export type SendEventMessage = {
  type: "event";
  event: string;
  ackId?: number;
  metadata?: Record<string, string>;
} & MessagePayload;

export interface SequenceAckMessage {
  type: "sequenceAck";
  sequenceId: number;
}

export interface PingMessage {
  type: "ping";
}

/** Client -> service. */
export type UpstreamMessage =
  | JoinGroupMessage
  | LeaveGroupMessage
  | SendToGroupMessage
  | SendEventMessage
  | SequenceAckMessage
  | PingMessage;

export interface ConnectedMessage {
  type: "system";
  event: "connected";
  connectionId: string;
  userId: string | null;
  reconnectionToken?: string;
}

export interface DisconnectedMessage {
  type: "system";
  event: "disconnected";
  message: string;
}

export interface AckMessage {
  type: "ack";
  ackId: number;
  success: boolean;
  error?: { name: string; message: string };
}

export type GroupDataMessage = {
  type: "message";
  from: "group";
  group: string;
  fromUserId?: string | null;
  sequenceId?: number;
  metadata?: Record<string, string>;
  /** Set when the message is a fragment (or the end) of a group stream (JSON subprotocols only). */
  stream?: StreamInfo;
} & MessagePayload;

export type ServerDataMessage = {
  type: "message";
  from: "server";
  sequenceId?: number;
  metadata?: Record<string, string>;
} & MessagePayload;

export interface PongMessage {
  type: "pong";
}

/** Service -> client. */
export type DownstreamMessage =
  | ConnectedMessage
  | DisconnectedMessage
  | AckMessage
  | GroupDataMessage
  | ServerDataMessage
  | PongMessage;

// ---- invocations and group streams: JSON subprotocols only (client-spec 3.6, reference-json-webpubsub-subprotocol)

/** Where a group message sits in its stream. */
export interface StreamInfo {
  streamId: string;
  /** 1, 2, 3... per stream; a terminal message carries the next id the service expected. */
  streamSequenceId: number;
  /** The terminal message of the stream (its payload may be empty). */
  endOfStream?: boolean;
  /** Why the stream ended, when it ended with an error (`UserError`, `IdleTimeout`, `Cancelled`...). */
  error?: StreamError;
}

/** A stream's terminal error as subscribers see it; `userErrorCode` only for `UserError`. */
export interface StreamError {
  name: string;
  message?: string;
  userErrorCode?: string;
}

/** The error a publisher may end its stream with; the service names it `UserError` for subscribers. */
export interface StreamEndError {
  message?: string;
  userErrorCode?: string;
}

/** A request to the hub's event handler, answered by an InvokeResponseMessage with the same invocationId. */
export type InvokeMessage = {
  type: "invoke";
  invocationId: string;
  /** What is invoked: an upstream user event (the only target there is). */
  target: "event";
  event: string;
} & (MessagePayload | NoPayload);

/** Asks the service to abort the upstream call of a pending invocation. */
export interface CancelInvocationMessage {
  type: "cancelInvocation";
  invocationId: string;
}

/** Opens a group stream: a sendToGroup with `stream` and no payload (answered by streamAck 1 or streamClosed). */
export interface StreamStartMessage {
  type: "sendToGroup";
  group: string;
  noEcho?: boolean;
  stream: {
    streamId: string;
    /** Milliseconds the stream may stay without activity (> 0; the service's default is 300000). */
    idleTimeoutMs?: number;
  };
}

/** A fragment of a stream, or with only `streamId` a keepalive. */
export type StreamDataMessage = { type: "streamData"; streamId: string } & (
  | ({ streamSequenceId: number } & MessagePayload)
  | ({ streamSequenceId?: undefined } & NoPayload)
);

/** Ends a stream, optionally with an application error. */
export interface StreamEndMessage {
  type: "streamEnd";
  streamId: string;
  error?: StreamEndError;
}

/** The answer to an InvokeMessage. */
export type InvokeResponseMessage = {
  type: "invokeResponse";
  invocationId: string;
  success: boolean;
  /** Why the invocation failed, when `success` is false. */
  error?: { name: string; message: string };
} & (MessagePayload | NoPayload);

/** The service accepted every fragment before `expectedSequenceId` (1: the stream start was accepted). */
export interface StreamAckMessage {
  type: "streamAck";
  streamId: string;
  expectedSequenceId: number;
}

/** A retriable stream error (`InvalidSequenceId`, `TransientError`): send again from `expectedSequenceId`. */
export interface StreamNackMessage {
  type: "streamNack";
  streamId: string;
  expectedSequenceId: number;
  name: string;
  message?: string;
}

/** The publisher's stream is closed: normally without `error`, else `StreamNotFound`, `Forbidden`, `IdleTimeout`... */
export interface StreamClosedMessage {
  type: "streamClosed";
  streamId: string;
  error?: { name: string; message?: string };
}

/** Client -> service on the JSON subprotocols: every UpstreamMessage, invocations and group streams. */
export type JsonUpstreamMessage =
  | UpstreamMessage
  | InvokeMessage
  | CancelInvocationMessage
  | StreamStartMessage
  | StreamDataMessage
  | StreamEndMessage;

/** Service -> client on the JSON subprotocols: every DownstreamMessage, invocation responses and stream replies. */
export type JsonDownstreamMessage =
  | DownstreamMessage
  | InvokeResponseMessage
  | StreamAckMessage
  | StreamNackMessage
  | StreamClosedMessage;

/** Well-known ack error names; receivers must accept others too. */
export const AckErrorNames = {
  Forbidden: "Forbidden",
  InternalServerError: "InternalServerError",
  Duplicate: "Duplicate",
  BadRequest: "BadRequest",
  NotFound: "NotFound",
  Timeout: "Timeout",
} as const;
