// json.webpubsub.azure.v1 and json.reliable.webpubsub.azure.v1 (protocol.md 4.3, 4.5): text frames, with the
// messages only they have (invocations and group streams, client-spec 3.6).
import { decodeJsonOnlyUpstream, jsonCodec, WebPubSubSubprotocol } from "@webpubsub/core";
import { jsonEncoding } from "./json-encoding.ts";
import { pubSubProtocol } from "./web-pubsub.ts";

const json = {
  binary: false,
  wrongFrameType: "Binary frames are not supported by the JSON subprotocol.",
  frameName: "message",
  decode: (data: Buffer) => jsonCodec.decodeUpstream(data.toString("utf8"), decodeJsonOnlyUpstream),
  encoding: jsonEncoding,
};

export const JSON_PROTOCOL = pubSubProtocol({ ...json, name: WebPubSubSubprotocol.Json, reliable: false });

export const RELIABLE_JSON_PROTOCOL = pubSubProtocol({
  ...json,
  name: WebPubSubSubprotocol.ReliableJson,
  reliable: true,
});
