// Invocations and group streams on the JSON subprotocols (client-spec 3.6, the JSON subprotocol reference): the wire
// shapes the docs give, round trips, what a receiver that does not implement them does, and the refusals that carry
// the id a service answers with. (The official client's own codec reads and writes these frames in
// packages/client/test/official-codec.test.ts.)
import {
  decodeJsonDownstream,
  decodeJsonOnlyDownstream,
  decodeJsonOnlyUpstream,
  decodeJsonUpstream,
  type JsonDownstreamMessage,
  type JsonUpstreamMessage,
  jsonCodec,
  ProtocolError,
} from "@webpubsub/core";
import { describe, expect, test } from "vitest";

const bytes = (s: string) => new TextEncoder().encode(s);
/** A case whose wire form is the message itself, field for field. */
const sameOnWire = <T extends object>(message: T): [T, object] => [message, structuredClone(message)];
const up = (text: string) => decodeJsonUpstream(text, decodeJsonOnlyUpstream);
const refusal = (fn: () => unknown): ProtocolError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return e as ProtocolError;
  }
  throw new Error("expected a ProtocolError");
};

describe("the wire shapes of the JSON subprotocol reference", () => {
  test.each<[JsonUpstreamMessage, object]>([
    sameOnWire({ type: "sendToGroup", group: "g", noEcho: true, stream: { streamId: "s1", idleTimeoutMs: 60000 } }),
    sameOnWire({ type: "streamData", streamId: "s1", streamSequenceId: 1, dataType: "text", data: "hi" }),
    sameOnWire({ type: "streamData", streamId: "s1" }),
    sameOnWire({ type: "streamEnd", streamId: "s1" }),
    sameOnWire({ type: "streamEnd", streamId: "s1", error: { message: "m", userErrorCode: "E1" } }),
    [
      { type: "invoke", invocationId: "7", target: "event", event: "e", dataType: "binary", data: bytes("xyz") },
      { type: "invoke", invocationId: "7", target: "event", event: "e", dataType: "binary", data: "eHl6" },
    ],
    sameOnWire({ type: "cancelInvocation", invocationId: "7" }),
  ])("client %j", (message, wire) => {
    expect(JSON.parse(jsonCodec.encodeUpstream(message))).toStrictEqual(wire);
  });

  test.each<[JsonDownstreamMessage, object]>([
    sameOnWire({ type: "streamAck", streamId: "s1", expectedSequenceId: 2 }),
    sameOnWire({ type: "streamNack", streamId: "s1", expectedSequenceId: 2, name: "InvalidSequenceId", message: "m" }),
    sameOnWire({ type: "streamClosed", streamId: "s1" }),
    sameOnWire({ type: "streamClosed", streamId: "s1", error: { name: "Forbidden", message: "no" } }),
    sameOnWire({
      type: "message",
      from: "group",
      group: "g",
      fromUserId: "u",
      dataType: "text",
      data: "",
      stream: {
        streamId: "s1",
        streamSequenceId: 3,
        endOfStream: true,
        error: { name: "UserError", message: "m", userErrorCode: "E1" },
      },
    }),
    sameOnWire({ type: "invokeResponse", invocationId: "7", success: true, dataType: "json", data: { ok: 1 } }),
    sameOnWire({
      type: "invokeResponse",
      invocationId: "7",
      success: false,
      error: { name: "InternalServerError", message: "m" },
    }),
  ])("service %j", (message, wire) => {
    expect(JSON.parse(jsonCodec.encodeDownstream(message))).toStrictEqual(wire);
  });
});

describe("round trips", () => {
  const upstream: JsonUpstreamMessage[] = [
    { type: "invoke", invocationId: "1", target: "event", event: "process.order" },
    { type: "invoke", invocationId: "x-2", target: "event", event: "e", dataType: "json", data: { a: [1] } },
    { type: "invoke", invocationId: "3", target: "event", event: "e", dataType: "text", data: "" },
    { type: "cancelInvocation", invocationId: "1" },
    { type: "sendToGroup", group: "g", stream: { streamId: "s" } },
    { type: "sendToGroup", group: "g", noEcho: false, stream: { streamId: "s", idleTimeoutMs: 1 } },
    { type: "streamData", streamId: "s", streamSequenceId: 1, dataType: "json", data: null },
    { type: "streamData", streamId: "s", streamSequenceId: 2 ** 53 - 1, dataType: "binary", data: bytes("b") },
    { type: "streamData", streamId: "s", streamSequenceId: 5, dataType: "protobuf", data: bytes("p") },
    { type: "streamData", streamId: "s" },
    { type: "streamEnd", streamId: "s" },
    { type: "streamEnd", streamId: "s", error: {} },
    { type: "streamEnd", streamId: "s", error: { userErrorCode: "c" } },
  ];
  test.each(upstream)("client %j", (m) => {
    expect(up(jsonCodec.encodeUpstream(m))).toStrictEqual(m);
  });

  const downstream: JsonDownstreamMessage[] = [
    { type: "invokeResponse", invocationId: "1", success: true },
    { type: "invokeResponse", invocationId: "1", success: true, dataType: "binary", data: bytes("r") },
    { type: "invokeResponse", invocationId: "1", success: false, error: { name: "Timeout", message: "" } },
    { type: "streamAck", streamId: "s", expectedSequenceId: 1 },
    { type: "streamNack", streamId: "s", expectedSequenceId: 4, name: "TransientError" },
    { type: "streamClosed", streamId: "s", error: { name: "IdleTimeout" } },
    {
      type: "message",
      from: "group",
      group: "g",
      sequenceId: 9,
      dataType: "json",
      data: { part: 1 },
      stream: { streamId: "s", streamSequenceId: 1 },
    },
    {
      type: "message",
      from: "group",
      group: "g",
      dataType: "binary",
      data: bytes("last"),
      stream: { streamId: "s", streamSequenceId: 2, endOfStream: true },
    },
  ];
  test.each(downstream)("service %j", (m) => {
    expect(jsonCodec.decodeDownstream(jsonCodec.encodeDownstream(m))).toStrictEqual(m);
  });
});

describe("a receiver that does not implement invocations and streams refuses them", () => {
  test("a service decoding without the JSON-only decoder: unknown types, and a stream start is an invalid sendToGroup", () => {
    const invoke = refusal(() => jsonCodec.decodeUpstream('{"type":"invoke","invocationId":"1","event":"e"}'));
    expect([invoke.code, invoke.closeCode]).toEqual(["unknown_type", 1007]);
    for (const type of ["cancelInvocation", "streamData", "streamEnd"]) {
      expect(refusal(() => jsonCodec.decodeUpstream(`{"type":"${type}","streamId":"s"}`)).code).toBe("unknown_type");
    }
    const start = refusal(() =>
      jsonCodec.decodeUpstream('{"type":"sendToGroup","group":"g","ackId":4,"stream":{"streamId":"s"}}'),
    );
    expect([start.code, start.ackId, start.message]).toEqual([
      "invalid_message",
      4,
      'a sendToGroup message must have a "data" field',
    ]);
  });

  test("a client decoding without it: unknown types (which it ignores)", () => {
    for (const type of ["invokeResponse", "streamAck", "streamNack", "streamClosed"]) {
      expect(refusal(() => decodeJsonDownstream(`{"type":"${type}"}`)).code).toBe("unknown_type");
    }
  });

  test("the JSON-only decoders refuse the types they do not know either", () => {
    expect(refusal(() => up('{"type":"explode"}')).code).toBe("unknown_type");
    expect(refusal(() => decodeJsonDownstream('{"type":"explode"}', decodeJsonOnlyDownstream)).code).toBe(
      "unknown_type",
    );
  });
});

describe("client frames the service refuses, answerable with their id", () => {
  test.each<[string, string, { invocationId?: string; streamId?: string }]>([
    [
      '{"type":"invoke","invocationId":"9","event":"1bad"}',
      '"event" of an invoke message must match',
      { invocationId: "9" },
    ],
    [
      '{"type":"invoke","invocationId":"9","target":"service","event":"e"}',
      '"target" of an invoke message must be "event"',
      { invocationId: "9" },
    ],
    [
      '{"type":"invoke","invocationId":"9","event":"e","dataType":"text"}',
      'an invoke message must have a "data" field',
      { invocationId: "9" },
    ],
    ['{"type":"invoke","invocationId":"","event":"e"}', '"invocationId" of an invoke message must not be empty', {}],
    ['{"type":"invoke","invocationId":5,"event":"e"}', '"invocationId" of an invoke message must be a string', {}],
    ['{"type":"cancelInvocation"}', '"invocationId" of a cancelInvocation message must be a string', {}],
    [
      '{"type":"sendToGroup","group":"g","stream":{"streamId":"s"},"dataType":"text","data":"x"}',
      "a stream start must not have data or dataType",
      { streamId: "s" },
    ],
    [
      '{"type":"sendToGroup","group":"","stream":{"streamId":"s"}}',
      '"group" of a sendToGroup message must be 1 to 1024',
      { streamId: "s" },
    ],
    [
      '{"type":"sendToGroup","group":"g","stream":{"streamId":"s","idleTimeoutMs":0}}',
      '"idleTimeoutMs" of a stream start message must be at least 1',
      { streamId: "s" },
    ],
    [
      '{"type":"sendToGroup","group":"g","stream":{"streamId":""}}',
      '"streamId" of a stream start message must not be empty',
      {},
    ],
    ['{"type":"sendToGroup","group":"g","stream":"s"}', '"stream" of a sendToGroup message must be an object', {}],
    [
      '{"type":"streamData","streamId":"s","streamSequenceId":0,"dataType":"text","data":"x"}',
      '"streamSequenceId" of a streamData message must be at least 1',
      { streamId: "s" },
    ],
    [
      '{"type":"streamData","streamId":"s","streamSequenceId":1,"data":"x"}',
      'a streamData fragment must have "dataType"',
      { streamId: "s" },
    ],
    [
      '{"type":"streamData","streamId":"s","dataType":"text","data":"x"}',
      '"streamSequenceId" of a streamData message must be a non-negative integer',
      { streamId: "s" },
    ],
    [
      '{"type":"streamData","streamId":"s","streamSequenceId":1,"dataType":"text"}',
      'a streamData message must have a "data" field',
      { streamId: "s" },
    ],
    [
      '{"type":"streamEnd","streamId":"s","error":{"name":"UserError"}}',
      '"error" of a streamEnd message must not have a "name"',
      { streamId: "s" },
    ],
    [
      '{"type":"streamEnd","streamId":"s","error":{"message":3}}',
      '"message" of a streamEnd error message must be a string',
      { streamId: "s" },
    ],
    ['{"type":"streamEnd"}', '"streamId" of a streamEnd message must be a string', {}],
  ])("%s", (frame, message, replyTo) => {
    const e = refusal(() => up(frame));
    expect(e.code).toBe("invalid_message");
    expect(e.message).toContain(message);
    expect({ invocationId: e.invocationId, streamId: e.streamId }).toEqual({
      invocationId: replyTo.invocationId,
      streamId: replyTo.streamId,
    });
  });

  test("an invoke without target targets the event; an ackId on a stream start is ignored (stream starts are answered by streamAck)", () => {
    expect(up('{"type":"invoke","invocationId":"1","event":"e"}')).toStrictEqual({
      type: "invoke",
      invocationId: "1",
      target: "event",
      event: "e",
    });
    expect(up('{"type":"sendToGroup","group":"g","ackId":3,"stream":{"streamId":"s"}}')).toStrictEqual({
      type: "sendToGroup",
      group: "g",
      stream: { streamId: "s" },
    });
  });
});

describe("service frames the client reads", () => {
  const down = (frame: object) => jsonCodec.decodeDownstream(JSON.stringify(frame));

  test("a terminal stream message without payload decodes as the empty value of its type", () => {
    const end = {
      type: "message",
      from: "group",
      group: "g",
      stream: { streamId: "s", streamSequenceId: 4, endOfStream: true },
    };
    expect(down(end)).toMatchObject({ dataType: "json", data: undefined });
    expect(down({ ...end, dataType: "text" })).toMatchObject({ dataType: "text", data: "" });
    expect(down({ ...end, dataType: "binary" })).toMatchObject({ dataType: "binary", data: new Uint8Array(0) });
    expect(down({ ...end, dataType: "protobuf" })).toMatchObject({ dataType: "protobuf", data: new Uint8Array(0) });
    // A dataType no message has is refused here too.
    expect(refusal(() => down({ ...end, dataType: "xml" })).message).toBe(
      '"dataType" of a message message must be "json", "text", "binary" or "protobuf"',
    );
    // Not terminal: a payload is required as for any message.
    const fragment = { ...end, stream: { streamId: "s", streamSequenceId: 4 } };
    expect(refusal(() => down(fragment)).message).toBe('a message message must have a "data" field');
  });

  test("a stream's error is read with its name, and its message and userErrorCode when present", () => {
    const m = { type: "message", from: "group", group: "g", dataType: "text", data: "x" };
    const stream = { streamId: "s", streamSequenceId: 2, endOfStream: true };
    for (const error of [{ name: "N" }, { name: "N", message: "m" }, { name: "N", userErrorCode: "E1" }]) {
      expect(down({ ...m, stream: { ...stream, error } })).toStrictEqual({ ...m, stream: { ...stream, error } });
    }
    // null counts as absent
    const nulls = { name: "N", message: null, userErrorCode: null };
    expect(down({ ...m, stream: { ...stream, error: nulls } })).toStrictEqual({
      ...m,
      stream: { ...stream, error: { name: "N" } },
    });
  });

  test("a server message carries no stream: the encoder does not write one", () => {
    const server = { type: "message", from: "server", dataType: "text", data: "x" } as const;
    const withStream = { ...server, stream: { streamId: "s", streamSequenceId: 1 } };
    expect(JSON.parse(jsonCodec.encodeDownstream(withStream as never))).toStrictEqual(server);
  });

  test("stream metadata must be well formed (the frame is refused, so a receiver sees a gap rather than a wrong fragment)", () => {
    const m = { type: "message", from: "group", group: "g", dataType: "text", data: "x" };
    expect(refusal(() => down({ ...m, stream: { streamId: "s" } })).message).toBe(
      '"streamSequenceId" of a stream message must be a non-negative integer',
    );
    expect(refusal(() => down({ ...m, stream: { streamId: "", streamSequenceId: 1 } })).message).toBe(
      '"streamId" of a stream message must not be empty',
    );
    expect(refusal(() => down({ ...m, stream: [] })).message).toBe('"stream" of a message message must be an object');
    expect(
      refusal(() => down({ ...m, stream: { streamId: "s", streamSequenceId: 1, error: { message: "m" } } })).message,
    ).toBe('"name" of a stream error message must be a string');
    const stream = { streamId: "s", streamSequenceId: 1 };
    for (const [bad, message] of [
      [{ endOfStream: "yes" }, '"endOfStream" of a stream message must be a boolean'],
      [{ error: "e" }, '"error" of a stream message must be an object'],
      [{ error: { name: "n", message: 1 } }, '"message" of a stream error message must be a string'],
      [{ error: { name: "n", userErrorCode: 1 } }, '"userErrorCode" of a stream error message must be a string'],
    ] as const) {
      expect(refusal(() => down({ ...m, stream: { ...stream, ...bad } })).message).toBe(message);
    }
    // A server message has no stream: the field is not read.
    expect(down({ type: "message", from: "server", dataType: "text", data: "x", stream: 5 })).toStrictEqual({
      type: "message",
      from: "server",
      dataType: "text",
      data: "x",
    });
  });

  test("an invokeResponse that does not say it succeeded is a failure; malformed replies are refused", () => {
    expect(down({ type: "invokeResponse", invocationId: "1" })).toStrictEqual({
      type: "invokeResponse",
      invocationId: "1",
      success: false,
    });
    expect(refusal(() => down({ type: "invokeResponse", invocationId: "1", success: "yes" })).message).toBe(
      '"success" of an invokeResponse message must be a boolean',
    );
    expect(refusal(() => down({ type: "streamAck", streamId: "s", expectedSequenceId: -1 })).message).toBe(
      '"expectedSequenceId" of a streamAck message must be a non-negative integer',
    );
    expect(refusal(() => down({ type: "streamNack", streamId: "s", expectedSequenceId: 1 })).message).toBe(
      '"name" of a streamNack message must be a string',
    );
    expect(refusal(() => down({ type: "streamClosed", streamId: "s", error: "x" })).message).toBe(
      '"error" of a streamClosed message must be an object',
    );
  });
});

describe("the protobuf subprotocols have none of these messages (their definition has no stream or invoke fields)", () => {
  test("a stream fragment goes out as a plain group message, and invocation or stream frames cannot be encoded", async () => {
    const { protobufCodec } = await import("@webpubsub/core");
    const fragment = {
      type: "message",
      from: "group",
      group: "g",
      dataType: "text",
      data: "x",
      stream: { streamId: "s", streamSequenceId: 1 },
    } as const;
    expect(protobufCodec.decodeDownstream(protobufCodec.encodeDownstream(fragment))).toStrictEqual({
      type: "message",
      from: "group",
      group: "g",
      dataType: "text",
      data: "x",
    });
    expect(() => protobufCodec.encodeUpstream({ type: "streamEnd", streamId: "s" } as never)).toThrow(
      'unknown upstream message type "streamEnd"',
    );
    expect(() =>
      protobufCodec.encodeDownstream({ type: "streamAck", streamId: "s", expectedSequenceId: 1 } as never),
    ).toThrow('unknown downstream message type "streamAck"');
  });
});
