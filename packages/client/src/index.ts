export type { GroupDataMessage, ServerDataMessage } from "@webpubsub/core";
export type { WebPubSubResult } from "./ack-manager.ts";
export {
  type DataMessage,
  type GroupOptions,
  type MessageStreamOptions,
  type OnConnectedArgs,
  type OnDisconnectedArgs,
  type OnGroupDataMessageArgs,
  type OnRecoveredArgs,
  type OnRecoveringArgs,
  type OnRejoinGroupFailedArgs,
  type OnServerDataMessageArgs,
  type OnStoppedArgs,
  type SendOptions,
  type SendToGroupOptions,
  type StartOptions,
  WebPubSubClient,
  type WebPubSubClientCredential,
  type WebPubSubClientEvents,
  type WebPubSubClientState,
} from "./client.ts";
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
export {
  type WebPubSubClientProtocol,
  WebPubSubJsonProtocol,
  WebPubSubJsonReliableProtocol,
  WebPubSubProtobufProtocol,
  WebPubSubProtobufReliableProtocol,
  type WebPubSubProtocolName,
} from "./protocols.ts";
export type { WebSocketFactory, WebSocketLike } from "./socket.ts";
