// @webpubsub/core/client-wire: what a WebSocket client needs of core and nothing more, so that a browser bundle does
// not reach token signing, connection strings or the protobuf codec: the JSON codec of the messages every subprotocol
// has in the client's two directions, the subprotocol names and the group and event name rules. Same functions as
// the root entry.

export { checkGroupName, EVENT_NAME_PATTERN, isValidEventName, MAX_GROUP_NAME_LENGTH } from "./names.ts";
export { decodeJsonDownstream, encodeJsonUpstream, type JsonOnlyDecoder } from "./protocol/json-codec.ts";
export type {
  DataType,
  DownstreamMessage,
  MessagePayload,
  UpstreamMessage,
} from "./protocol/messages.ts";
export {
  JSON_SUBPROTOCOL,
  PROTOBUF_SUBPROTOCOL,
  RELIABLE_JSON_SUBPROTOCOL,
  RELIABLE_PROTOBUF_SUBPROTOCOL,
  WebPubSubSubprotocol,
} from "./protocol/subprotocols.ts";
export { capped, shown, shownValue } from "./shown.ts";
