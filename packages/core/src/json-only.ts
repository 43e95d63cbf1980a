// @webpubsub/core/json-only: the codec of the messages only the JSON subprotocols have (invocations, group streams),
// on its own so that a client loads it with the features that use it. Same functions as the root entry.

export type { JsonFields } from "./protocol/json-fields.ts";
export {
  decodeJsonOnlyDownstream,
  decodeJsonOnlyUpstream,
  encodeJsonOnlyDownstream,
  encodeJsonOnlyUpstream,
  isJsonOnlyDownstream,
  isJsonOnlyUpstream,
  type JsonOnlyDownstreamMessage,
  type JsonOnlyUpstreamMessage,
} from "./protocol/json-only-codec.ts";
