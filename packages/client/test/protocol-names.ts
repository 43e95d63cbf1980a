import {
  type WebPubSubClientProtocol,
  WebPubSubProtobufProtocol,
  WebPubSubProtobufReliableProtocol,
  type WebPubSubProtocolName,
} from "../src/index.ts";

/** Tests name every protocol by a string; protobuf ones are passed to the client as objects. */
export function protocolOption(
  name: WebPubSubProtocolName | "protobuf" | "protobuf.reliable",
): WebPubSubProtocolName | WebPubSubClientProtocol {
  if (name === "protobuf") return WebPubSubProtobufProtocol();
  if (name === "protobuf.reliable") return WebPubSubProtobufReliableProtocol();
  return name;
}
