// Wire message types shared by the JSON and protobuf subprotocols (protocol.md 4.3 to 4.6).

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

export type SendToGroupMessage = {
  type: "sendToGroup";
  group: string;
  ackId?: number;
  noEcho?: boolean;
  /** Seconds the message may wait for delivery (0..300, newer service versions). */
  ttlSeconds?: number;
  metadata?: Record<string, string>;
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

/** Well-known ack error names; receivers must accept others too. */
export const AckErrorNames = {
  Forbidden: "Forbidden",
  InternalServerError: "InternalServerError",
  Duplicate: "Duplicate",
  BadRequest: "BadRequest",
  NotFound: "NotFound",
  Timeout: "Timeout",
} as const;
