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
  // a huge value is named by its first 64 characters only; a non-string by its type
  const long = `${"t".repeat(64)}${"u".repeat(100_000)}`;
  const start = `"${"t".repeat(64)}"...`;
  for (const [call, problem] of [
    [() => codec.encodeUpstream({ type: long } as never), "unknown upstream message type"],
    [() => codec.encodeDownstream({ type: long } as never), "unknown downstream message type"],
    [() => codec.encodeDownstream({ type: "system", event: long } as never), "unknown system event"],
    [
      () => codec.encodeDownstream({ type: "message", from: long, dataType: "text", data: "x" } as never),
      "unknown message source",
    ],
  ] as const) {
    expect(call).toThrow(`${problem} ${start}`);
    let message = "";
    try {
      call();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.length).toBeLessThan(200);
  }
  expect(() => codec.encodeUpstream({ type: { big: long } } as never)).toThrow("unknown upstream message type object");
}
