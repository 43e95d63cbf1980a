// One statement of the rule both codecs' encoders keep (json and protobuf): a message of a kind no frame has, an
// unknown system event or an unknown message source is refused, naming the value.
import { expect } from "vitest";

interface Encoder {
  encodeUpstream(m: never): unknown;
  encodeDownstream(m: never): unknown;
}

export function expectUnknownKindsRefused(codec: Encoder): void {
  expect(() => codec.encodeUpstream({ type: "nope" } as never)).toThrow('unknown upstream message type "nope"');
  expect(() => codec.encodeDownstream({ type: "nope" } as never)).toThrow('unknown downstream message type "nope"');
  expect(() => codec.encodeDownstream({ type: "system", event: "restarting" } as never)).toThrow(
    'unknown system event "restarting"',
  );
  expect(() => codec.encodeDownstream({ type: "message", from: "user", dataType: "text", data: "x" } as never)).toThrow(
    'unknown message source "user"',
  );
}
