// The package's entry point: the client, its protocols, errors and public types. Internal seams (useFeature) are not
// exported here.
export { AbortError } from "@webpubsub/async";
export type { GroupDataMessage, ServerDataMessage } from "@webpubsub/core";
export type { WebPubSubResult } from "./ack-manager.ts";
export { WebPubSubClient } from "./client.ts";
export {
  type AckErrorDetail,
  type AckMessageError,
  AckTimeoutError,
  ConnectionError,
  FINAL_ACK_ERRORS,
  isRetryableSendError,
  SendMessageError,
  type SendMessageErrorOptions,
} from "./errors.ts";
export { GroupStreamError } from "./group-stream-error.ts";
export type {
  AbortGroupStreamOptions,
  EndGroupStreamOptions,
  GroupStream,
  GroupStreamMessage,
  GroupStreamSubscription,
  GroupStreamWriteOptions,
  GroupStreamWriter,
  OnGroupStreamOptions,
  OpenGroupStreamOptions,
  StreamDataError,
  StreamEndError,
  StreamInfo,
} from "./group-stream-types.ts";
export { InvocationError, type InvocationErrorOptions, type InvokeResponseError } from "./invocation-error.ts";
export type { InvokeEventOptions, InvokeEventResult } from "./invocation-types.ts";
export type { BinaryType, RetryMode, WebPubSubClientOptions, WebPubSubRetryOptions } from "./options.ts";
export type { WebPubSubDataType } from "./payload.ts";
export { WebPubSubProtobufProtocol, WebPubSubProtobufReliableProtocol } from "./protobuf-protocols.ts";
export {
  type WebPubSubClientProtocol,
  WebPubSubJsonProtocol,
  WebPubSubJsonReliableProtocol,
  type WebPubSubProtocolName,
} from "./protocols.ts";
export type { WebSocketFactory, WebSocketLike } from "./socket.ts";
export type {
  DataMessage,
  GetClientAccessUrlOptions,
  GroupOptions,
  JoinGroupOptions,
  JSONTypes,
  LeaveGroupOptions,
  MessageStreamOptions,
  OnConnectedArgs,
  OnDisconnectedArgs,
  OnGroupDataMessageArgs,
  OnRecoveredArgs,
  OnRecoveringArgs,
  OnRejoinGroupFailedArgs,
  OnServerDataMessageArgs,
  OnStoppedArgs,
  SendEventOptions,
  SendOptions,
  SendToGroupOptions,
  StartOptions,
  WebPubSubClientCredential,
  WebPubSubClientEvents,
  WebPubSubClientState,
} from "./types.ts";
export type {
  AckMessage,
  CancelInvocationMessage,
  ConnectedMessage,
  DisconnectedMessage,
  DownstreamMessageType,
  InvokeMessage,
  InvokeResponseMessage,
  JoinGroupMessage,
  LeaveGroupMessage,
  PingMessage,
  PongMessage,
  SendEventMessage,
  SendToGroupMessage,
  SequenceAckMessage,
  StartStreamOptions,
  StreamAckMessage,
  StreamClosedMessage,
  StreamDataMessage,
  StreamEndMessage,
  StreamNackMessage,
  UpstreamMessageType,
  WebPubSubMessage,
} from "./wire-types.ts";
