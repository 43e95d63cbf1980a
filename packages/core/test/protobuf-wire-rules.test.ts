// The protobuf subprotocol at the wire level, with frames assembled by hand here (not by our writer): proto3
// defaults travel as absent fields, unknown fields are skipped in every message, every known field with the wrong
// wire type is refused naming that field, and truncated or oversized input is refused with a message saying which.
import { type DownstreamMessage, ProtocolError, protobufCodec, type UpstreamMessage } from "@webpubsub/core";
import { describe, expect, test } from "vitest";
import { expectUnknownKindsRefused } from "./encoder-unknown-kinds.ts";

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}
/** One field: tag, then a varint value (VARINT), raw bytes (I64/I32) or a length-prefixed body (LEN). */
function field(n: number, wireType: number, value: number | number[] | string): number[] {
  const tag = varint(n * 8 + wireType);
  if (wireType === VARINT) return [...tag, ...varint(value as number)];
  if (wireType !== LEN) return [...tag, ...(value as number[])];
  const body = typeof value === "string" ? [...new TextEncoder().encode(value)] : (value as number[]);
  return [...tag, ...varint(body.length), ...body];
}
const msg = (...fields: number[][]) => fields.flat();
const frame = (...fields: number[][]) => Uint8Array.from(fields.flat());
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function refusal(decode: (f: Uint8Array) => unknown, bytes: Uint8Array): { code: string; message: string } {
  try {
    decode(bytes);
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error(`accepted ${hex(bytes)}`);
}
const up = (bytes: Uint8Array) => refusal(protobufCodec.decodeUpstream, bytes);
const down = (bytes: Uint8Array) => refusal(protobufCodec.decodeDownstream, bytes);

describe("proto3 defaults travel as absent fields", () => {
  test.each<[string, UpstreamMessage, number[]]>([
    ["sequenceAck 0 is an empty SequenceAck", { type: "sequenceAck", sequenceId: 0 }, field(8, LEN, [])],
    ["a one-byte varint stays one byte (127)", { type: "sequenceAck", sequenceId: 127 }, field(8, LEN, [0x08, 0x7f])],
  ])("upstream: %s", (_name, m, bytes) => {
    expect(hex(protobufCodec.encodeUpstream(m))).toBe(hex(Uint8Array.from(bytes)));
  });

  test.each<[string, DownstreamMessage, number[]]>([
    ["ack 0, not successful: an empty Ack", { type: "ack", ackId: 0, success: false }, field(1, LEN, [])],
    [
      "an ack error with empty name and message: an empty error",
      { type: "ack", ackId: 0, success: false, error: { name: "", message: "" } },
      field(1, LEN, field(3, LEN, [])),
    ],
    [
      "an empty disconnect reason: an empty Disconnected",
      { type: "system", event: "disconnected", message: "" },
      field(3, LEN, field(2, LEN, [])),
    ],
    [
      "a server message carries no group field",
      { type: "message", from: "server", dataType: "text", data: "x" },
      field(2, LEN, msg(field(1, LEN, "server"), field(3, LEN, field(1, LEN, "x")))),
    ],
  ])("downstream: %s", (_name, m, bytes) => {
    expect(hex(protobufCodec.encodeDownstream(m))).toBe(hex(Uint8Array.from(bytes)));
    expect(protobufCodec.decodeDownstream(Uint8Array.from(bytes))).toStrictEqual(m);
  });

  test("absent strings read as their defaults: a metadata entry without key or value, an ack error without fields", () => {
    const entry = field(6, LEN, []);
    const m = protobufCodec.decodeUpstream(
      frame(field(1, LEN, msg(field(1, LEN, "g"), field(3, LEN, field(1, LEN, "t")), entry))),
    );
    expect(m).toStrictEqual({ type: "sendToGroup", group: "g", dataType: "text", data: "t", metadata: { "": "" } });
    expect(protobufCodec.decodeDownstream(frame(field(1, LEN, field(3, LEN, []))))).toStrictEqual({
      type: "ack",
      ackId: 0,
      success: false,
      error: { name: "", message: "" },
    });
  });
});

describe("unknown fields are skipped in every message", () => {
  // One unknown field of each wire type, added to a message wherever it appears.
  const unknown = msg(
    field(14, VARINT, 300),
    field(13, LEN, "zz"),
    field(12, I64, [1, 2, 3, 4, 5, 6, 7, 8]),
    field(11, I32, [1, 2, 3, 4]),
  );
  const data = (...extra: number[][]) => field(3, LEN, msg(field(1, LEN, "t"), ...extra));

  test.each<[string, (x: number[]) => number[], UpstreamMessage]>([
    [
      "SendToGroup, its data and metadata",
      (x) =>
        field(
          1,
          LEN,
          msg(field(1, LEN, "g"), x, data(x), field(6, LEN, msg(field(1, LEN, "k"), x, field(2, LEN, "v")))),
        ),
      { type: "sendToGroup", group: "g", dataType: "text", data: "t", metadata: { k: "v" } },
    ],
    [
      "Event and its data",
      (x) => field(5, LEN, msg(field(1, LEN, "e"), x, field(2, LEN, msg(x, field(1, LEN, "t"))), field(3, VARINT, 4))),
      { type: "event", event: "e", dataType: "text", data: "t", ackId: 4 },
    ],
    ["JoinGroup", (x) => field(6, LEN, msg(x, field(1, LEN, "g"))), { type: "joinGroup", group: "g" }],
    ["LeaveGroup", (x) => field(7, LEN, msg(field(1, LEN, "g"), x)), { type: "leaveGroup", group: "g" }],
    ["SequenceAck", (x) => field(8, LEN, msg(x, field(1, VARINT, 9), x)), { type: "sequenceAck", sequenceId: 9 }],
  ])("upstream %s", (_name, build, expected) => {
    expect(protobufCodec.decodeUpstream(frame(build(unknown)))).toStrictEqual(expected);
    expect(protobufCodec.decodeUpstream(frame(unknown, build(unknown)))).toStrictEqual(expected);
  });

  test.each<[string, (x: number[]) => number[], DownstreamMessage]>([
    [
      "Ack and its error",
      (x) => field(1, LEN, msg(x, field(1, VARINT, 2), field(3, LEN, msg(x, field(1, LEN, "N"), x)))),
      { type: "ack", ackId: 2, success: false, error: { name: "N", message: "" } },
    ],
    [
      "Data",
      (x) => field(2, LEN, msg(field(1, LEN, "group"), x, field(2, LEN, "g"), data(x))),
      { type: "message", from: "group", group: "g", dataType: "text", data: "t" },
    ],
    [
      "System and Connected",
      (x) => field(3, LEN, msg(x, field(1, LEN, msg(field(1, LEN, "c"), x, field(3, LEN, "tok"))))),
      { type: "system", event: "connected", connectionId: "c", userId: null, reconnectionToken: "tok" },
    ],
    [
      "Disconnected",
      (x) => field(3, LEN, field(2, LEN, msg(x, field(2, LEN, "bye"), x))),
      { type: "system", event: "disconnected", message: "bye" },
    ],
  ])("downstream %s", (_name, build, expected) => {
    expect(protobufCodec.decodeDownstream(frame(build(unknown)))).toStrictEqual(expected);
  });

  test("a frame with only unknown fields is an unknown (newer) message, naming the field", () => {
    expect(up(frame(field(20, VARINT, 1)))).toEqual({
      code: "unknown_type",
      message: "unknown client message (UpstreamMessage field 20)",
    });
    expect(down(frame(field(20, VARINT, 1)))).toEqual({
      code: "unknown_type",
      message: "unknown service message (DownstreamMessage field 20)",
    });
    expect(down(frame(field(3, LEN, field(9, LEN, []))))).toEqual({
      code: "unknown_type",
      message: "system message is neither connected nor disconnected (newer kind?)",
    });
  });
});

describe("a known field with the wrong wire type is refused, naming the field", () => {
  // Each case: the frame with the field sent as a varint 0 (or, for varint fields, as an empty LEN field).
  const wrong = (n: number, expected: number) => (expected === LEN ? field(n, VARINT, 0) : field(n, LEN, []));
  const text = field(3, LEN, field(1, LEN, "t"));
  const upstream: [string, number, number[]][] = [
    ["send_to_group_message", LEN, wrong(1, LEN)],
    ["event_message", LEN, wrong(5, LEN)],
    ["group message", LEN, wrong(6, LEN)],
    ["group message", LEN, wrong(7, LEN)],
    ["sequence_ack_message", LEN, wrong(8, LEN)],
    ["ping_message", LEN, wrong(9, LEN)],
    ["group", LEN, field(1, LEN, msg(wrong(1, LEN), text))],
    ["ack_id", VARINT, field(1, LEN, msg(field(1, LEN, "g"), wrong(2, VARINT), text))],
    ["data", LEN, field(1, LEN, msg(field(1, LEN, "g"), wrong(3, LEN)))],
    ["no_echo", VARINT, field(1, LEN, msg(field(1, LEN, "g"), text, wrong(4, VARINT)))],
    ["ttl_seconds", VARINT, field(1, LEN, msg(field(1, LEN, "g"), text, wrong(5, VARINT)))],
    ["metadata", LEN, field(1, LEN, msg(field(1, LEN, "g"), text, wrong(6, LEN)))],
    ["metadata key", LEN, field(1, LEN, msg(field(1, LEN, "g"), text, field(6, LEN, wrong(1, LEN))))],
    ["metadata value", LEN, field(1, LEN, msg(field(1, LEN, "g"), text, field(6, LEN, wrong(2, LEN))))],
    ["text_data", LEN, field(1, LEN, msg(field(1, LEN, "g"), field(3, LEN, wrong(1, LEN))))],
    ["binary_data", LEN, field(1, LEN, msg(field(1, LEN, "g"), field(3, LEN, wrong(2, LEN))))],
    ["protobuf_data", LEN, field(1, LEN, msg(field(1, LEN, "g"), field(3, LEN, wrong(3, LEN))))],
    ["json_data", LEN, field(1, LEN, msg(field(1, LEN, "g"), field(3, LEN, wrong(4, LEN))))],
    ["event", LEN, field(5, LEN, msg(wrong(1, LEN)))],
    ["data", LEN, field(5, LEN, msg(field(1, LEN, "e"), wrong(2, LEN)))],
    ["ack_id", VARINT, field(5, LEN, msg(field(1, LEN, "e"), wrong(3, VARINT)))],
    ["metadata", LEN, field(5, LEN, msg(field(1, LEN, "e"), wrong(4, LEN)))],
    ["group", LEN, field(6, LEN, wrong(1, LEN))],
    ["ack_id", VARINT, field(7, LEN, msg(field(1, LEN, "g"), wrong(2, VARINT)))],
    ["sequence_id", VARINT, field(8, LEN, wrong(1, VARINT))],
  ];
  const message = (name: string, expected: number) =>
    `invalid protobuf frame: ${name} has wire type ${expected === LEN ? VARINT : LEN}, expected ${expected}`;
  test.each(upstream)("upstream %s (wire type %i expected)", (name, expected, bytes) => {
    expect(up(frame(bytes))).toEqual({ code: "invalid_protobuf", message: message(name, expected) });
  });

  const downstream: [string, number, number[]][] = [
    ["ack_message", LEN, wrong(1, LEN)],
    ["data_message", LEN, wrong(2, LEN)],
    ["system_message", LEN, wrong(3, LEN)],
    ["pong_message", LEN, wrong(4, LEN)],
    ["ack_id", VARINT, field(1, LEN, wrong(1, VARINT))],
    ["success", VARINT, field(1, LEN, wrong(2, VARINT))],
    ["error", LEN, field(1, LEN, wrong(3, LEN))],
    ["error name", LEN, field(1, LEN, field(3, LEN, wrong(1, LEN)))],
    ["error message", LEN, field(1, LEN, field(3, LEN, wrong(2, LEN)))],
    ["from", LEN, field(2, LEN, wrong(1, LEN))],
    ["group", LEN, field(2, LEN, wrong(2, LEN))],
    ["data", LEN, field(2, LEN, wrong(3, LEN))],
    ["sequence_id", VARINT, field(2, LEN, wrong(4, VARINT))],
    ["metadata", LEN, field(2, LEN, wrong(5, LEN))],
    ["connected_message", LEN, field(3, LEN, wrong(1, LEN))],
    ["disconnected_message", LEN, field(3, LEN, wrong(2, LEN))],
    ["connection_id", LEN, field(3, LEN, field(1, LEN, wrong(1, LEN)))],
    ["user_id", LEN, field(3, LEN, field(1, LEN, wrong(2, LEN)))],
    ["reconnection_token", LEN, field(3, LEN, field(1, LEN, wrong(3, LEN)))],
    ["reason", LEN, field(3, LEN, field(2, LEN, wrong(2, LEN)))],
  ];
  test.each(downstream)("downstream %s (wire type %i expected)", (name, expected, bytes) => {
    expect(down(frame(bytes))).toEqual({ code: "invalid_protobuf", message: message(name, expected) });
  });
});

describe("truncated, oversized and malformed input", () => {
  test.each<[string, number[], string]>([
    ["a truncated varint", [0x08 | 0x80], "truncated varint"],
    ["a varint of 11 bytes", [...field(8, LEN, [0x08, ...Array(10).fill(0x80), 0x00])], "varint longer than 10 bytes"],
    ["a varint above 2^53 - 1", [...field(8, LEN, [0x08, ...varint(2 ** 53)])], "integer larger than 2^53 - 1"],
    ["field number 0", [0x02, 0x00], "field number 0"],
    ["wire type 3 (groups) on a known field", [0x0b], "unsupported wire type 3"],
    ["wire type 6 on an unknown field", [...varint(20 * 8 + 6)], "unsupported wire type 6"],
    ["a nested message past the end", [0x0a, 0x05, 0x0a], "nested message runs past the end of the frame"],
    [
      "a string past the end",
      [...field(1, LEN, [0x0a, 0x09, 0x67])],
      "length-delimited field runs past the end of the frame",
    ],
    [
      "a fixed 64-bit field past the end",
      [...varint(20 * 8 + I64), 1, 2],
      "fixed-size field runs past the end of the frame",
    ],
    [
      "a fixed 32-bit field past the end",
      [...varint(20 * 8 + I32), 1, 2],
      "fixed-size field runs past the end of the frame",
    ],
    ["a string that is not UTF-8", [...field(6, LEN, [0x0a, 0x02, 0xff, 0xfe])], "string field is not valid UTF-8"],
  ])("%s", (_name, bytes, message) => {
    expect(up(Uint8Array.from(bytes))).toEqual({
      code: "invalid_protobuf",
      message: `invalid protobuf frame: ${message}`,
    });
  });

  const EVENT_RULE = "event must match ^[A-Za-z][A-Za-z0-9_.-]{0,127}$";
  const GROUP_RULE = "group must be 1 to 1024 characters, not whitespace only";
  const FROM_RULE = '"from" of a data message must be "group" or "server", got';
  /** A data field `n` holding text "t". */
  const text = (n: number) => field(n, LEN, field(1, LEN, "t"));

  test.each<[string, Uint8Array]>([
    ["empty UpstreamMessage", frame()],
    ["sendToGroup message has no data", frame(field(1, LEN, field(1, LEN, "g")))],
    ["event message has no data", frame(field(5, LEN, field(1, LEN, "e")))],
    [EVENT_RULE, frame(field(5, LEN, msg(field(1, LEN, "1e"), text(2))))],
    [GROUP_RULE, frame(field(1, LEN, text(3)))],
    [EVENT_RULE, frame(field(5, LEN, text(2)))],
    [GROUP_RULE, frame(field(6, LEN, field(1, LEN, " ")))],
    [
      "message data has no text, binary, protobuf or json payload",
      frame(field(1, LEN, msg(field(1, LEN, "g"), field(3, LEN, field(9, LEN, "x"))))),
    ],
    ["json_data is not valid JSON", frame(field(5, LEN, msg(field(1, LEN, "e"), field(2, LEN, field(4, LEN, "{")))))],
  ])("upstream message-level rules name what is missing or wrong: %s", (message, bytes) => {
    expect(up(bytes)).toEqual({ code: "invalid_message", message });
  });

  test.each<[string, Uint8Array]>([
    ["empty DownstreamMessage", frame()],
    [`${FROM_RULE} ""`, frame(field(2, LEN, text(3)))],
    [`${FROM_RULE} "user"`, frame(field(2, LEN, msg(field(1, LEN, "user"), text(3))))],
    // a peer's 100,000-character source is shown by its first 64 characters only
    [`${FROM_RULE} "${"u".repeat(64)}"...`, frame(field(2, LEN, msg(field(1, LEN, "u".repeat(100_000)), text(3))))],
    ["group must not be empty", frame(field(2, LEN, msg(field(1, LEN, "group"), text(3))))],
    ["data message has no data", frame(field(2, LEN, field(1, LEN, "server")))],
    ["connection_id must not be empty", frame(field(3, LEN, field(1, LEN, [])))],
  ])("downstream message-level rules name what is missing or wrong: %s", (message, bytes) => {
    expect(down(bytes)).toEqual({ code: "invalid_message", message });
  });

  test("a text frame is refused as the wrong frame type, naming the direction", () => {
    expect(() => protobufCodec.decodeUpstream("x" as never)).toThrow(
      "client frames of a protobuf subprotocol must be binary frames",
    );
    expect(() => protobufCodec.decodeDownstream("x" as never)).toThrow(
      "service frames of a protobuf subprotocol must be binary frames",
    );
  });

  test("any typed array or DataView over the frame bytes is accepted", () => {
    const bytes = protobufCodec.encodeUpstream({ type: "joinGroup", group: "g", ackId: 3 });
    const padded = new Uint8Array(bytes.length + 2);
    padded.set(bytes, 2);
    const expected = { type: "joinGroup", group: "g", ackId: 3 };
    expect(protobufCodec.decodeUpstream(new DataView(padded.buffer, 2) as never)).toStrictEqual(expected);
    expect(protobufCodec.decodeUpstream(new Int8Array(padded.buffer, 2) as never)).toStrictEqual(expected);
  });
});

describe("decoded values are the decoder's own", () => {
  test("binary and protobuf data are copies: changing the frame afterwards changes nothing, and no frame is retained", () => {
    for (const dataType of ["binary", "protobuf"] as const) {
      const bytes = protobufCodec.encodeDownstream({
        type: "message",
        from: "server",
        dataType,
        data: Uint8Array.of(1, 2, 3),
      });
      const m = protobufCodec.decodeDownstream(bytes) as { data: Uint8Array };
      bytes.fill(0);
      expect([...m.data]).toEqual([1, 2, 3]);
      expect(m.data.buffer.byteLength).toBe(3);
    }
  });

  test("decoded metadata is an ordinary object whose entries can be changed and deleted", () => {
    const m = protobufCodec.decodeUpstream(
      protobufCodec.encodeUpstream({ type: "event", event: "e", dataType: "text", data: "t", metadata: { k: "v" } }),
    ) as { metadata: Record<string, string> };
    m.metadata.k = "changed";
    expect(m.metadata.k).toBe("changed");
    delete m.metadata.k;
    expect(m.metadata).toStrictEqual({});
  });
});

describe("encoders refuse what no frame can carry, naming it", () => {
  test("data that does not fit its dataType, unknown dataTypes, sources and system events, non-string metadata", () => {
    const send = (p: object) => () => protobufCodec.encodeUpstream({ type: "sendToGroup", group: "g", ...p } as never);
    expect(send({ dataType: "text", data: 1 })).toThrow("data of a text message must be a string");
    expect(send({ dataType: "binary", data: "x" })).toThrow("data of a binary message must be a Uint8Array");
    expect(send({ dataType: "protobuf", data: [1] })).toThrow("data of a protobuf message must be a Uint8Array");
    expect(send({ dataType: "json", data: undefined })).toThrow("data of a json message must be JSON-serializable");
    expect(send({ dataType: "xml", data: "x" })).toThrow('unknown dataType "xml"');
    expect(send({ dataType: "text", data: "x", metadata: { k: 1 } })).toThrow('metadata value "k" must be a string');
    expect(send({ dataType: "text", data: "x", ackId: -1 })).toThrow(
      "protobuf varint must be a non-negative safe integer, got -1",
    );
    expectUnknownKindsRefused(protobufCodec);
  });

  test("frames of any size round-trip, whatever field crosses the writer's buffer growth", () => {
    for (let n = 0; n < 140; n++) {
      const m: UpstreamMessage = {
        type: "sendToGroup",
        group: "g".repeat(1 + (n % 7)),
        ackId: 2 ** 40 + n,
        dataType: "text",
        data: "x".repeat(n),
        ttlSeconds: 300,
      };
      expect(protobufCodec.decodeUpstream(protobufCodec.encodeUpstream(m))).toStrictEqual(m);
    }
  });
});
