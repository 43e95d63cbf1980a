// @webpubsub/core/protobuf: the protobuf codec (binary frames) on its own, for clients that import it only when an
// app picks a protobuf subprotocol. Same object as the root entry's `protobufCodec`.

export { protobufCodec } from "./protocol/protobuf-codec.ts";
export { WebPubSubSubprotocol } from "./protocol/subprotocols.ts";
