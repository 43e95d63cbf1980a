// @webpubsub/core/json-only: the codec of the messages only the JSON subprotocols have (invocations, group streams),
// and the reading of a frame's top-level members without parsing it (topMembers), on their own so that a client loads
// them with the features that use them. Same functions as the root entry.

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
// what a client's invocations read of a reply they cannot decode (its type and invocationId)
export { topMembers } from "./protocol/json-scan.ts";
