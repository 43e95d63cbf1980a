// @webpubsub/handler: the CloudEvents event handler for Azure Web PubSub, as a fetch-API core (no Node imports here;
// the node:http and Express adapters live in "@webpubsub/handler/node").
export { WebPubSubEventHandler } from "./event-handler.ts";
export { HandlerTimeoutError } from "./http-error.ts";
export {
  httpStatusForMqttConnectCode,
  MqttDisconnectReasonCode,
  MqttV311ConnectReturnCode,
  MqttV500ConnectReasonCode,
  mqttConnectCodeForHttpStatus,
} from "./mqtt-codes.ts";
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS } from "./options.ts";
export type * from "./types.ts";
