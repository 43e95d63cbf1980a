// protobuf.webpubsub.azure.v1 and protobuf.reliable.webpubsub.azure.v1 (protocol.md 4.6): binary frames, the same
// semantics as the JSON subprotocols.
import { protobufCodec, WebPubSubSubprotocol } from "@webpubsub/core";
import { protobufEncoding } from "./protobuf-encoding.ts";
import { pubSubProtocol } from "./web-pubsub.ts";

const protobuf = {
  binary: true,
  wrongFrameType: "Text frames are not supported by the protobuf subprotocol.",
  frameName: "protobuf message",
  decode: (data: Buffer) => protobufCodec.decodeUpstream(data),
  encoding: protobufEncoding,
};

export const PROTOBUF_PROTOCOL = pubSubProtocol({ ...protobuf, name: WebPubSubSubprotocol.Protobuf, reliable: false });

export const RELIABLE_PROTOBUF_PROTOCOL = pubSubProtocol({
  ...protobuf,
  name: WebPubSubSubprotocol.ReliableProtobuf,
  reliable: true,
});
