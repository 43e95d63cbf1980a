// The protobuf subprotocols live apart from the JSON ones so that an app which never uses them does not bundle the
// protobuf codec: they are only reachable by importing these factories.
import { protobufCodec, WebPubSubSubprotocol } from "@webpubsub/core/protobuf";
import { decodeKnown, type WebPubSubClientProtocol } from "./protocols.ts";

function protobufProtocol(name: string, reliable: boolean): WebPubSubClientProtocol {
  const codec = protobufCodec;
  return {
    name,
    isReliableSubProtocol: reliable,
    binary: true,
    encode: (message) => codec.encodeUpstream(message),
    decode(frame) {
      if (typeof frame === "string") throw new TypeError(`${name} expects binary frames, got a text frame`);
      return decodeKnown(() => codec.decodeDownstream(frame));
    },
  };
}

/** `protobuf.webpubsub.azure.v1`: binary protobuf frames, no sequence ids, no recovery. */
export function WebPubSubProtobufProtocol(): WebPubSubClientProtocol {
  return protobufProtocol(WebPubSubSubprotocol.Protobuf, false);
}

/** `protobuf.reliable.webpubsub.azure.v1`: binary protobuf frames with sequence ids and recovery. */
export function WebPubSubProtobufReliableProtocol(): WebPubSubClientProtocol {
  return protobufProtocol(WebPubSubSubprotocol.ReliableProtobuf, true);
}
