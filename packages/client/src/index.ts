// The package's entry point: the client, its protocols, errors and public types. Internal seams (useFeature) are not
// exported here.
export { AbortError } from "@webpubsub/async/errors";
export type { GroupDataMessage, ServerDataMessage } from "@webpubsub/core";
export type { WebPubSubResult } from "./ack-manager.ts";
export { WebPubSubClient } from "./client.ts";
export {
  type AckErrorDetail,
  type AckMessageError,
  AckTimeoutError,
  ConnectionError,
  FINAL_ACK_ERRORS,
  GroupStreamError,
  InvocationError,
  type InvocationErrorOptions,
  type InvokeResponseError,
  isRetryableSendError,
  SendMessageError,
  type SendMessageErrorOptions,
} from "./errors.ts";
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
export type { InvokeEventOptions, InvokeEventResult } from "./invocation-types.ts";
export type { LogLevel } from "./log-levels.ts";
export { getLogLevel, setLogLevel } from "./logger.ts";
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
export type * from "./types.ts";
export type * from "./wire-types.ts";
