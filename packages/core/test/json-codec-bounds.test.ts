// What a service decodes from a client is bounded: JSON data nested deeper than MAX_JSON_DEPTH is an invalid message
// (answerable with the message's ackId, never a stack overflow later), and error messages quote at most the start of
// a peer's value, so a MiB-long type or metadata key is never echoed back whole.
import {
  jsonCodec,
  jsonDepthExceeds,
  MAX_JSON_DEPTH,
  ProtocolError,
  protobufCodec,
  type UpstreamMessage,
} from "@webpubsub/core";
import { describe, expect, test } from "vitest";

/** A JSON text nested `depth` levels deep: [[[...]]]. */
const nestedText = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
/** The same as a value (built without recursion). */
function nested(depth: number): unknown {
  let v: unknown = [];
  for (let i = 1; i < depth; i++) v = [v];
  return v;
}

function decodeError(f: () => unknown): ProtocolError {
  try {
    f();
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error("expected a ProtocolError");
}

describe("jsonDepthExceeds", () => {
  test("counts arrays and objects, not scalars", () => {
    expect(jsonDepthExceeds(1, 0)).toBe(false);
    expect(jsonDepthExceeds("x", 0)).toBe(false);
    expect(jsonDepthExceeds(null, 0)).toBe(false);
    expect(jsonDepthExceeds([], 1)).toBe(false);
    expect(jsonDepthExceeds([], 0)).toBe(true);
    expect(jsonDepthExceeds({ a: [1, { b: 2 }] }, 3)).toBe(false);
    expect(jsonDepthExceeds({ a: [1, { b: 2 }] }, 2)).toBe(true);
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH + 1))).toBe(true);
  });

  test("is iterative: 200,000 levels do not overflow the stack", () => {
    expect(jsonDepthExceeds(JSON.parse(nestedText(200_000)))).toBe(true);
  });
});

describe("JSON subprotocol: nesting bound of client data", () => {
  const send = (data: string, ackId = 7) =>
    `{"type":"sendToGroup","group":"g","ackId":${ackId},"dataType":"json","data":${data}}`;

  test(`data nested ${MAX_JSON_DEPTH} levels is accepted, ${MAX_JSON_DEPTH + 1} is an invalid message`, () => {
    const ok = jsonCodec.decodeUpstream(send(nestedText(MAX_JSON_DEPTH)));
    expect(ok.type).toBe("sendToGroup");
    const e = decodeError(() => jsonCodec.decodeUpstream(send(nestedText(MAX_JSON_DEPTH + 1))));
    expect(e.code).toBe("invalid_message");
    expect(e.ackId).toBe(7);
    expect(e.message).toMatch(/nested more than 64 levels/);
  });

  test("200,000 levels (sendToGroup and event) are an invalid message with the ackId, not a RangeError", () => {
    const deep = nestedText(200_000);
    for (const frame of [send(deep, 3), `{"type":"event","event":"e","ackId":3,"dataType":"json","data":${deep}}`]) {
      const e = decodeError(() => jsonCodec.decodeUpstream(frame));
      expect(e.code).toBe("invalid_message");
      expect(e.ackId).toBe(3);
      expect(e.message).not.toMatch(/RangeError|stack/);
    }
  });

  test("what a client decodes from the service is not limited (the bound protects the service side)", () => {
    const frame = `{"type":"message","from":"server","dataType":"json","data":${nestedText(MAX_JSON_DEPTH + 5)}}`;
    expect(jsonCodec.decodeDownstream(frame).type).toBe("message");
  });
});

describe("protobuf subprotocol: nesting bound of json_data", () => {
  const frame = (depth: number): Uint8Array =>
    protobufCodec.encodeUpstream({
      type: "sendToGroup",
      group: "g",
      ackId: 9,
      dataType: "json",
      data: nested(depth),
    } as UpstreamMessage);

  test(`${MAX_JSON_DEPTH} levels are accepted, ${MAX_JSON_DEPTH + 1} are an invalid message with the ackId`, () => {
    expect(protobufCodec.decodeUpstream(frame(MAX_JSON_DEPTH)).type).toBe("sendToGroup");
    const e = decodeError(() => protobufCodec.decodeUpstream(frame(MAX_JSON_DEPTH + 1)));
    expect(e.code).toBe("invalid_message");
    expect(e.ackId).toBe(9);
  });
});

describe("error messages never echo a long value whole", () => {
  test("a 1 MiB unknown type is quoted by its start", () => {
    const type = "A".repeat(1024 * 1024);
    const e = decodeError(() => jsonCodec.decodeUpstream(`{"type":"${type}"}`));
    expect(e.code).toBe("unknown_type");
    expect(e.message).toContain('"AAAA');
    expect(e.message).toContain("1048576 characters");
    expect(e.message.length).toBeLessThan(200);
    // a short one is quoted whole
    expect(decodeError(() => jsonCodec.decodeUpstream('{"type":"invoke"}')).message).toContain('"invoke"');
  });

  test("a 1 MiB metadata key with a non-string value is quoted by its start", () => {
    const key = "k".repeat(1024 * 1024);
    const e = decodeError(() =>
      jsonCodec.decodeUpstream(`{"type":"sendToGroup","group":"g","ackId":1,"data":1,"metadata":{"${key}":5}}`),
    );
    expect(e.ackId).toBe(1);
    expect(e.message.length).toBeLessThan(200);
  });

  test("an unknown downstream type or system event is quoted by its start", () => {
    const long = "z".repeat(100_000);
    expect(decodeError(() => jsonCodec.decodeDownstream(`{"type":"${long}"}`)).message.length).toBeLessThan(200);
    const event = decodeError(() => jsonCodec.decodeDownstream(`{"type":"system","event":"${long}"}`));
    expect(event.message.length).toBeLessThan(200);
    // a non-string event is named by its type, never serialized
    const odd = decodeError(() => jsonCodec.decodeDownstream(`{"type":"system","event":${nestedText(100_000)}}`));
    expect(odd.message).toContain("object");
  });
});
