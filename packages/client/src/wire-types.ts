// The wire messages under the names the official client exports them. Their shape is the wire format's (discriminated
// by `type`, as in @webpubsub/core), not the official client's `kind` objects. The package's entry re-exports this
// module whole, so the names are listed once, here.
import type { JsonDownstreamMessage, JsonUpstreamMessage, StreamStartMessage } from "@webpubsub/core";

export type {
  AckMessage,
  CancelInvocationMessage,
  ConnectedMessage,
  DisconnectedMessage,
  InvokeMessage,
  InvokeResponseMessage,
  JoinGroupMessage,
  LeaveGroupMessage,
  PingMessage,
  PongMessage,
  SendEventMessage,
  SendToGroupMessage,
  SequenceAckMessage,
  StreamAckMessage,
  StreamClosedMessage,
  StreamDataMessage,
  StreamEndMessage,
  StreamNackMessage,
} from "@webpubsub/core";

/** Any message of the JSON subprotocols, either direction. */
export type WebPubSubMessage = JsonUpstreamMessage | JsonDownstreamMessage;
/** The `type` values of service messages. */
export type DownstreamMessageType = JsonDownstreamMessage["type"];
/** The `type` values of client messages. */
export type UpstreamMessageType = JsonUpstreamMessage["type"];
/** The `stream` field of a stream start (a sendToGroup opening a stream). */
export type StartStreamOptions = StreamStartMessage["stream"];
