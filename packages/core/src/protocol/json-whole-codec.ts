// The whole JSON codec as one object, `jsonCodec`: the messages every subprotocol has (json-codec.ts) and the
// JSON-only ones, invocations and group streams (json-only-codec.ts). Apart from json-codec.ts so that a bundle which
// takes one function of json-codec.ts does not reach the JSON-only codec.

import { decodeJsonDownstream, encodeJsonDownstream, encodeJsonUpstream } from "./json-codec.ts";
import {
  decodeJsonOnlyDownstream,
  encodeJsonOnlyDownstream,
  encodeJsonOnlyUpstream,
  isJsonOnlyDownstream,
  isJsonOnlyUpstream,
} from "./json-only-codec.ts";
import { decodeJsonUpstream } from "./json-upstream-decode.ts";
import type { JsonDownstreamMessage, JsonUpstreamMessage } from "./messages.ts";

/**
 * The whole JSON codec, invocations and group streams included. Decoders throw ProtocolError; encoders throw
 * TypeError on bad input. `decodeUpstream` decodes the JSON-only client messages only when given their decoder
 * (`jsonCodec.decodeUpstream(text, decodeJsonOnlyUpstream)`): a service that does not implement them refuses them as
 * unknown types. `decodeDownstream` decodes every service message.
 */
export const jsonCodec: {
  encodeUpstream(m: JsonUpstreamMessage): string;
  decodeUpstream: typeof decodeJsonUpstream;
  encodeDownstream(m: JsonDownstreamMessage): string;
  decodeDownstream(text: string): JsonDownstreamMessage;
} = {
  encodeUpstream: (m) => (isJsonOnlyUpstream(m) ? encodeJsonOnlyUpstream(m) : encodeJsonUpstream(m)),
  decodeUpstream: decodeJsonUpstream,
  encodeDownstream: (m) => (isJsonOnlyDownstream(m) ? encodeJsonOnlyDownstream(m) : encodeJsonDownstream(m)),
  decodeDownstream: (text) => decodeJsonDownstream(text, decodeJsonOnlyDownstream),
};
