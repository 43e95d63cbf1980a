// The protobuf subprotocols live apart from the JSON ones so that an app which never uses them does not bundle the
// protobuf codec: they are only reachable by importing these factories. Outside browsers the codec is not even loaded
// with the client: choosing a protobuf protocol (calling a factory) starts its dynamic import, and the client awaits
// it (`load`) before its first connection, so that importing the client stays cheap for apps that speak JSON. Which
// of the two ways applies is the "#protobuf-codec" import's condition (protobuf-codec-lazy.ts / -static.ts).

import { PROTOBUF_SUBPROTOCOL, RELIABLE_PROTOBUF_SUBPROTOCOL } from "@webpubsub/core/client-wire";
import { loadCodec, loadedCodec, type ProtobufCodec } from "#protobuf-codec";
import { decodeKnown, type WebPubSubClientProtocol } from "./protocols.ts";

function loaded(name: string): ProtobufCodec {
  const codec = loadedCodec();
  if (codec === undefined) {
    throw new Error(`the protobuf codec of ${name} is not loaded yet: await the protocol's load() first`);
  }
  return codec;
}

function protobufProtocol(name: string, reliable: boolean): WebPubSubClientProtocol {
  // Started now, when the app chooses protobuf; a failure is reported by the client's start() (through load()).
  loadCodec().catch(() => {});
  return {
    name,
    isReliableSubProtocol: reliable,
    binary: true,
    load: loadCodec, // once loaded, its settled promise: nothing is imported twice
    encode: (message) => loaded(name).encodeUpstream(message),
    decode(frame) {
      if (typeof frame === "string") throw new TypeError(`${name} expects binary frames, got a text frame`);
      const known = loaded(name);
      return decodeKnown(() => known.decodeDownstream(frame));
    },
  };
}

/** `protobuf.webpubsub.azure.v1`: binary protobuf frames, no sequence ids, no recovery. */
export function WebPubSubProtobufProtocol(): WebPubSubClientProtocol {
  return protobufProtocol(PROTOBUF_SUBPROTOCOL, false);
}

/** `protobuf.reliable.webpubsub.azure.v1`: binary protobuf frames with sequence ids and recovery. */
export function WebPubSubProtobufReliableProtocol(): WebPubSubClientProtocol {
  return protobufProtocol(RELIABLE_PROTOBUF_SUBPROTOCOL, true);
}
