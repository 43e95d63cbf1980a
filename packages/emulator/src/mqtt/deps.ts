// What the MQTT endpoint uses of its packages, in one place: mqtt-packet (the mqtt.js team's parser and generator) and
// @webpubsub/core's helpers.

export { isValidGroupName, mediaType, scanJsonText, shown, utf8Decode } from "@webpubsub/core";
export type {
  IConnackPacket,
  IConnectPacket,
  IDisconnectPacket,
  IPublishPacket,
  ISubscribePacket,
  IUnsubscribePacket,
  Packet,
  Parser,
  QoS,
} from "mqtt-packet";
export { generate, parser } from "mqtt-packet";
