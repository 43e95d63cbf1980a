// "#protobuf-codec" in browser builds: the codec is imported with the protobuf protocols, statically, so that a
// bundler drops it (with the protocols) from apps that never choose protobuf, and ships it in the app's own chunks to
// the apps that do. Outside browsers, protobuf-codec-lazy.ts loads it on first use instead; both offer the same two
// functions.
import { protobufCodec } from "@webpubsub/core/protobuf";

export type ProtobufCodec = typeof protobufCodec;

/** The codec: always loaded here. */
export function loadedCodec(): ProtobufCodec | undefined {
  return protobufCodec;
}

/** Nothing to load here. */
export function loadCodec(): Promise<void> {
  return Promise.resolve();
}
