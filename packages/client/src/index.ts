// The package's entry point: the client, its protocols, errors and public types. Internal seams (useFeature) are not
// exported here.
export { AbortError } from "@webpubsub/async";
export type { GroupDataMessage, ServerDataMessage } from "@webpubsub/core";
export type { WebPubSubResult } from "./ack-manager.ts";
export { WebPubSubClient } from "./client.ts";
export {
  type AckErrorDetail,
  AckTimeoutError,
  ConnectionError,
  FINAL_ACK_ERRORS,
  isRetryableSendError,
  SendMessageError,
} from "./errors.ts";
export type { WebPubSubClientOptions, WebPubSubRetryOptions } from "./options.ts";
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
  GroupOptions,
  MessageStreamOptions,
  OnConnectedArgs,
  OnDisconnectedArgs,
  OnGroupDataMessageArgs,
  OnRecoveredArgs,
  OnRecoveringArgs,
  OnRejoinGroupFailedArgs,
  OnServerDataMessageArgs,
  OnStoppedArgs,
  SendOptions,
  SendToGroupOptions,
  StartOptions,
  WebPubSubClientCredential,
  WebPubSubClientEvents,
  WebPubSubClientState,
} from "./types.ts";
