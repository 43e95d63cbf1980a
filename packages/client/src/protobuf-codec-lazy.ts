// "#protobuf-codec" outside browsers: the protobuf codec is imported when an app first chooses a protobuf protocol,
// not with the client, so that importing the client stays cheap for apps that speak JSON (a server or a function's
// cold start pays for what it uses). Browser builds use protobuf-codec-static.ts instead: there the bundler already
// leaves the codec out of apps that never choose protobuf, and a dynamic import would make it split core's modules
// into extra shared chunks.
import type { protobufCodec } from "@webpubsub/core/protobuf";

export type ProtobufCodec = typeof protobufCodec;

let codec: ProtobufCodec | undefined;
let loading: Promise<void> | undefined;

/** The codec, once loadCodec() has resolved. */
export function loadedCodec(): ProtobufCodec | undefined {
  return codec;
}

/** Loads the codec once; a failed load is tried again by the next call. */
export function loadCodec(): Promise<void> {
  loading ??= import("@webpubsub/core/protobuf").then(
    (module) => {
      codec = module.protobufCodec;
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
