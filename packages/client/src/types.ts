// Public types of the client: credential, state, event arguments and per-call options.

import type { OverflowPolicy } from "@webpubsub/async/async-queue";
import type { GroupDataMessage, ServerDataMessage } from "@webpubsub/core";

/** What `getClientAccessUrl` receives: a signal that fires when the attempt is abandoned (stop(), abort). */
export interface GetClientAccessUrlOptions {
  abortSignal?: AbortSignal;
}

/** Where client access URLs come from: called on every fresh connection (not on recovery), so tokens stay fresh. */
export interface WebPubSubClientCredential {
  getClientAccessUrl: string | ((options: GetClientAccessUrlOptions) => Promise<string>);
}

/** Values a `json` payload may be (what JSON.stringify can write). */
export type JSONTypes = string | number | boolean | object | null;

export type WebPubSubClientState = "Stopped" | "Connecting" | "Connected" | "Recovering" | "Stopping";

export interface OnConnectedArgs {
  connectionId: string;
  userId: string | null;
}
export interface OnDisconnectedArgs {
  connectionId: string | undefined;
  /** Text of the service's `disconnected` message, when it sent one. */
  message: string | undefined;
  /** Close code of the socket, when known. */
  code: number | undefined;
}
export interface OnStoppedArgs {
  /** Why the client stopped on its own (reconnect disabled or retries used up); undefined after stop(). */
  error: unknown;
}
export interface OnRecoveringArgs {
  connectionId: string;
}
export interface OnRecoveredArgs {
  connectionId: string;
}
export interface OnServerDataMessageArgs {
  message: ServerDataMessage;
}
export interface OnGroupDataMessageArgs {
  message: GroupDataMessage;
}
export interface OnRejoinGroupFailedArgs {
  group: string;
  error: unknown;
}

export interface WebPubSubClientEvents {
  connected: OnConnectedArgs;
  disconnected: OnDisconnectedArgs;
  stopped: OnStoppedArgs;
  recovering: OnRecoveringArgs;
  recovered: OnRecoveredArgs;
  "server-message": OnServerDataMessageArgs;
  "group-message": OnGroupDataMessageArgs;
  "rejoin-group-failed": OnRejoinGroupFailedArgs;
}

export interface StartOptions {
  abortSignal?: AbortSignal;
}
export interface SendOptions {
  /** Send without an ackId: no ack, no retry, resolves once written. */
  fireAndForget?: boolean;
  /** Use this ackId (an integer >= 1) instead of the next automatic one. Retries always reuse the ackId. */
  ackId?: number;
  /** Stops waiting (and retrying); rejects with an AbortError. */
  abortSignal?: AbortSignal;
}
export interface SendToGroupOptions extends SendOptions {
  /** Do not echo the message back to this connection. Default false. */
  noEcho?: boolean;
}
/** Options of sendEvent (the official client's name for them). */
export type SendEventOptions = SendOptions;
export interface GroupOptions {
  ackId?: number;
  abortSignal?: AbortSignal;
}
/** Options of joinGroup. */
export type JoinGroupOptions = GroupOptions;
/** Options of leaveGroup. */
export type LeaveGroupOptions = GroupOptions;
export interface MessageStreamOptions {
  signal?: AbortSignal;
  /** Messages buffered while the consumer is behind. Default 1024. */
  capacity?: number;
  /** What happens when the buffer is full. Default "error": the loop throws a QueueOverflowError. */
  overflow?: OverflowPolicy;
}

/** A message from `messages()`: a group message or a server message (discriminate on `from`). */
export type DataMessage = GroupDataMessage | ServerDataMessage;
