// @webpubsub/core: connection strings, HS256 JWT, roles, names and the Web PubSub wire formats. Isomorphic.

export { type ClientProtocol, clientAudience, clientBaseUrl, restAudienceMatches } from "./audience.ts";
export { base64Decode, base64Encode, base64UrlDecode, base64UrlEncode, utf8Decode, utf8Encode } from "./base64.ts";
export { CloudEventsHeaders, CloudEventTypes } from "./cloud-events.ts";
export {
  MAX_SIGNATURE_HEADER_LENGTH,
  signConnectionId,
  verifyConnectionSignature,
} from "./connection-signature.ts";
export { decodeConnectionState, encodeConnectionState } from "./connection-state.ts";
export { normalizeEndpoint, type ParsedConnectionString, parseConnectionString } from "./connection-string.ts";
export { compileGroupPattern, MAX_PATTERN_STARS } from "./group-pattern.ts";
export { hmacSha256Hex, timingSafeEqual } from "./hmac.ts";
// the json-only entry's exports, listed once there
export * from "./json-only.ts";
export {
  checkJwtClaims,
  decodeJwt,
  JwtError,
  type JwtErrorCode,
  type JwtPayload,
  type SignJwtOptions,
  signJwt,
  signJwtSync,
  type VerifyJwtOptions,
  verifyJwt,
  verifyJwtSync,
} from "./jwt.ts";
export { isJsonMediaType, mediaType } from "./media-type.ts";
export {
  checkGroupName,
  checkHubName,
  EVENT_NAME_PATTERN,
  HUB_NAME_PATTERN,
  isValidEventName,
  isValidGroupName,
  MAX_GROUP_NAME_LENGTH,
  validateGroupName,
  validateHubName,
} from "./names.ts";
export {
  CLOSE_INVALID_PAYLOAD,
  CLOSE_UNSUPPORTED_DATA,
  ProtocolError,
  type ProtocolErrorCode,
  type ReplyTo,
} from "./protocol/errors.ts";
export {
  type JsonBound,
  jsonBoundExceeded,
  MAX_JSON_ARRAY_ELEMENTS,
  MAX_JSON_DEPTH,
  MAX_JSON_ENVELOPE_NODES,
  MAX_JSON_NODES,
  MAX_JSON_OBJECT_MEMBERS,
} from "./protocol/json-bounds.ts";
export {
  decodeJsonDownstream,
  encodeJsonDownstream,
  encodeJsonUpstream,
  type JsonOnlyDecoder,
} from "./protocol/json-codec.ts";
export { type JsonScan, scanJsonText, topMembers } from "./protocol/json-scan.ts";
export { decodeJsonUpstream } from "./protocol/json-upstream-decode.ts";
export { jsonCodec } from "./protocol/json-whole-codec.ts";
export type {
  AckMessage,
  CancelInvocationMessage,
  ConnectedMessage,
  DataType,
  DisconnectedMessage,
  DownstreamMessage,
  GroupDataMessage,
  InvokeMessage,
  InvokeResponseMessage,
  JoinGroupMessage,
  JsonDownstreamMessage,
  JsonUpstreamMessage,
  LeaveGroupMessage,
  MessagePayload,
  NoPayload,
  PingMessage,
  PongMessage,
  SendEventMessage,
  SendToGroupMessage,
  SequenceAckMessage,
  ServerDataMessage,
  StreamAckMessage,
  StreamClosedMessage,
  StreamDataMessage,
  StreamEndError,
  StreamEndMessage,
  StreamError,
  StreamInfo,
  StreamNackMessage,
  StreamStartMessage,
  UpstreamMessage,
} from "./protocol/messages.ts";
export { AckErrorNames } from "./protocol/messages.ts";
export { protobufCodec } from "./protocol/protobuf-codec.ts";
export {
  isProtobufSubprotocol,
  isReliableSubprotocol,
  isWebPubSubSubprotocol,
  JSON_SUBPROTOCOL,
  PROTOBUF_SUBPROTOCOL,
  RELIABLE_JSON_SUBPROTOCOL,
  RELIABLE_PROTOBUF_SUBPROTOCOL,
  WebPubSubSubprotocol,
} from "./protocol/subprotocols.ts";
export { BodyTooLargeError, type ReadLimitedOptions, readLimited } from "./read-limited.ts";
export { can, type Permission, RoleSet, roleFor } from "./roles.ts";
export { capped, shown, shownValue } from "./shown.ts";
export { checkTimerDuration, MAX_TIMER_MS } from "./timers.ts";
