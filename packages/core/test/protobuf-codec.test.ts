import { type DownstreamMessage, jsonCodec, ProtocolError, protobufCodec, type UpstreamMessage } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

const bytes = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const fromHex = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ""), "hex"));

describe("protobufCodec round trips", () => {
  const upstream: UpstreamMessage[] = [
    { type: "joinGroup", group: "g" },
    { type: "joinGroup", group: "g", ackId: 0 },
    { type: "leaveGroup", group: "日本", ackId: Number.MAX_SAFE_INTEGER },
    { type: "sendToGroup", group: "g", ackId: 3, noEcho: true, dataType: "json", data: { a: [1, null, "x"] } },
    { type: "sendToGroup", group: "g", noEcho: false, dataType: "text", data: "", metadata: { k: "v", "": "e" } },
    { type: "sendToGroup", group: "g", ttlSeconds: 300, dataType: "binary", data: new Uint8Array(0) },
    { type: "sendToGroup", group: "g", dataType: "binary", data: Uint8Array.from({ length: 300 }, (_, i) => i & 255) },
    { type: "event", event: "chat", ackId: 128, dataType: "protobuf", data: bytes("any") },
    { type: "event", event: "chat", dataType: "json", data: "a json string", metadata: { a: "b" } },
    { type: "event", event: "chat", dataType: "json", data: null },
    { type: "sequenceAck", sequenceId: 0 },
    { type: "sequenceAck", sequenceId: 2 ** 40 },
    { type: "ping" },
  ];
  test.each(upstream)("upstream %o", (m) => {
    const frame = protobufCodec.encodeUpstream(m);
    expect(frame).toBeInstanceOf(Uint8Array);
    expect(protobufCodec.decodeUpstream(frame)).toEqual(m);
  });

  const downstream: DownstreamMessage[] = [
    { type: "system", event: "connected", connectionId: "c", userId: "alice" },
    { type: "system", event: "connected", connectionId: "c", userId: null, reconnectionToken: "tok" },
    { type: "system", event: "disconnected", message: "bye" },
    { type: "system", event: "disconnected", message: "" },
    { type: "ack", ackId: 0, success: false },
    { type: "ack", ackId: 1, success: true },
    { type: "ack", ackId: 3, success: false, error: { name: "Forbidden", message: "no" } },
    { type: "message", from: "group", group: "g", sequenceId: 5, dataType: "binary", data: bytes("b") },
    { type: "message", from: "group", group: "g", dataType: "json", data: { x: 1 }, metadata: { m: "1" } },
    { type: "message", from: "server", dataType: "text", data: "hi", sequenceId: 0 },
    { type: "message", from: "server", dataType: "protobuf", data: bytes("p") },
    { type: "pong" },
  ];
  test.each(downstream)("downstream %o", (m) => {
    expect(protobufCodec.decodeDownstream(protobufCodec.encodeDownstream(m))).toEqual(m);
  });

  test("fromUserId has no protobuf field and is dropped", () => {
    const m: DownstreamMessage = {
      type: "message",
      from: "group",
      group: "g",
      fromUserId: "u",
      dataType: "text",
      data: "x",
    };
    expect(protobufCodec.decodeDownstream(protobufCodec.encodeDownstream(m))).not.toHaveProperty("fromUserId");
  });

  test("accepts ArrayBuffer and offset views", () => {
    const frame = protobufCodec.encodeUpstream({ type: "ping" });
    expect(protobufCodec.decodeUpstream(frame.slice().buffer as unknown as Uint8Array)).toEqual({ type: "ping" });
    const padded = new Uint8Array(frame.length + 3);
    padded.set(frame, 3);
    expect(protobufCodec.decodeUpstream(padded.subarray(3))).toEqual({ type: "ping" });
  });

  test("a __proto__ metadata key stays data", () => {
    const metadata = JSON.parse('{"__proto__":"x","k":"v"}');
    const m = protobufCodec.decodeUpstream(
      protobufCodec.encodeUpstream({ type: "event", event: "e", dataType: "text", data: "d", metadata }),
    ) as { metadata: Record<string, string> };
    expect(Object.keys(m.metadata)).toEqual(["__proto__", "k"]);
    expect(Object.getPrototypeOf(m.metadata)).toBe(Object.prototype);
  });
});

describe("protobufCodec wire layout (hand-assembled bytes)", () => {
  test.each<[string, UpstreamMessage, string]>([
    // field 6 (join_group_message) LEN { 1: "g", 2: 1 }
    ["joinGroup", { type: "joinGroup", group: "g", ackId: 1 }, "3205 0a0167 1001"],
    ["leaveGroup", { type: "leaveGroup", group: "g" }, "3a03 0a0167"],
    // field 1 LEN { 1: "g", 2: 300 (ac 02), 3: { 1: "hi" }, 4: true }
    [
      "sendToGroup text",
      { type: "sendToGroup", group: "g", ackId: 300, noEcho: true, dataType: "text", data: "hi" },
      "0a0e 0a0167 10ac02 1a04 0a026869 2001",
    ],
    // field 1 LEN { 1: "g", 3: { 2: 01 02 03 }, 6: { 1: "k", 2: "v" } }
    [
      "sendToGroup binary with metadata",
      { type: "sendToGroup", group: "g", dataType: "binary", data: Uint8Array.of(1, 2, 3), metadata: { k: "v" } },
      "0a12 0a0167 1a05 1203010203 3206 0a016b 120176",
    ],
    // field 5 LEN { 1: "e", 2: { 4: "1" } }
    ["event json", { type: "event", event: "e", dataType: "json", data: 1 }, "2a08 0a0165 1203 220131"],
    // field 5 LEN { 1: "e", 2: { 3: "ab" }, 3: 7 }
    [
      "event protobuf",
      { type: "event", event: "e", dataType: "protobuf", data: bytes("ab") },
      "2a09 0a0165 1204 1a026162",
    ],
    ["sequenceAck", { type: "sequenceAck", sequenceId: 5 }, "4202 0805"],
    ["ping", { type: "ping" }, "4a00"],
  ])("%s", (_name, m, expected) => {
    expect(hex(protobufCodec.encodeUpstream(m))).toBe(expected.replace(/\s+/g, ""));
    expect(protobufCodec.decodeUpstream(fromHex(expected))).toEqual(m);
  });

  test.each<[string, DownstreamMessage, string]>([
    ["ack success", { type: "ack", ackId: 1, success: true }, "0a04 0801 1001"],
    [
      "ack error",
      { type: "ack", ackId: 2, success: false, error: { name: "N", message: "M" } },
      "0a0a 0802 1a06 0a014e 12014d",
    ],
    // field 2 LEN { 1: "group", 2: "g", 3: { 1: "x" }, 4: 9 }
    [
      "group data",
      { type: "message", from: "group", group: "g", dataType: "text", data: "x", sequenceId: 9 },
      "1211 0a0567726f7570 120167 1a03 0a0178 2009",
    ],
    // field 3 LEN { 1: { 1: "c", 2: "u", 3: "t" } }
    [
      "connected",
      { type: "system", event: "connected", connectionId: "c", userId: "u", reconnectionToken: "t" },
      "1a0b 0a09 0a0163 120175 1a0174",
    ],
    [
      "anonymous connected",
      { type: "system", event: "connected", connectionId: "c", userId: null },
      "1a05 0a03 0a0163",
    ],
    ["disconnected", { type: "system", event: "disconnected", message: "r" }, "1a05 1203 120172"],
    ["pong", { type: "pong" }, "2200"],
  ])("%s", (_name, m, expected) => {
    expect(hex(protobufCodec.encodeDownstream(m))).toBe(expected.replace(/\s+/g, ""));
    expect(protobufCodec.decodeDownstream(fromHex(expected))).toEqual(m);
  });

  test("protobuf payloads are the Any bytes that JSON frames carry as base64 (documented example)", () => {
    // Any { 1: type_url (47 bytes), 2: MyMessage { 1: 1 } }
    const any = new Uint8Array([
      0x0a,
      0x2f,
      ...bytes("type.googleapis.com/azure.webpubsub.TestMessage"),
      0x12,
      0x02,
      0x08,
      0x01,
    ]);
    const m: DownstreamMessage = { type: "message", from: "group", group: "G", dataType: "protobuf", data: any };
    const viaProto = protobufCodec.decodeDownstream(protobufCodec.encodeDownstream(m));
    expect(JSON.parse(jsonCodec.encodeDownstream(viaProto))).toEqual({
      type: "message",
      from: "group",
      group: "G",
      dataType: "protobuf",
      data: "Ci90eXBlLmdvb2dsZWFwaXMuY29tL2F6dXJlLndlYnB1YnN1Yi5UZXN0TWVzc2FnZRICCAE=",
    });
  });

  test("unknown fields are skipped at every level, in every wire type", () => {
    // nested: joinGroup fields + field 9 fixed32 + field 10 LEN; top level: + field 15 varint + field 14 fixed64
    const nested = fromHex("0a0167 1001 4d01020304 5203616263");
    const top = new Uint8Array([0x32, nested.length, ...nested, 0x78, 0x01, 0x71, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(protobufCodec.decodeUpstream(top)).toEqual({ type: "joinGroup", group: "g", ackId: 1 });
  });

  test("the last oneof field wins, as in protobuf", () => {
    const ping = protobufCodec.encodeUpstream({ type: "ping" });
    const join = protobufCodec.encodeUpstream({ type: "joinGroup", group: "g" });
    expect(protobufCodec.decodeUpstream(new Uint8Array([...ping, ...join]))).toEqual({ type: "joinGroup", group: "g" });
  });
});

describe("protobufCodec rejects malformed frames", () => {
  function failure(fn: () => unknown): { code: string; closeCode: number } {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
      return { code: (e as ProtocolError).code, closeCode: (e as ProtocolError).closeCode };
    }
    throw new Error("expected a ProtocolError");
  }
  const up = (h: string) => failure(() => protobufCodec.decodeUpstream(fromHex(h)));
  const down = (h: string) => failure(() => protobufCodec.decodeDownstream(fromHex(h)));

  test("text frames are 1003", () => {
    expect(failure(() => protobufCodec.decodeUpstream("{}" as never))).toEqual({
      code: "invalid_frame_type",
      closeCode: 1003,
    });
    expect(failure(() => protobufCodec.decodeDownstream(null as never)).closeCode).toBe(1003);
  });

  test.each([
    ["truncated varint tag", "b2"],
    ["truncated varint value", "3203 0a0167 10"],
    ["varint longer than 10 bytes", "4a00 08ffffffffffffffffffff01"],
    ["length past the end", "3205 0a01"],
    ["nested length past the end", "3203 0a0567"],
    ["field number 0", "0200"],
    ["wire type 3 (start group)", "33"],
    ["wire type 4 (end group)", "34"],
    ["wire type 6", "36"],
    ["wire type 7", "37"],
    ["truncated fixed64", "7101020304"],
    ["truncated fixed32", "7d0102"],
    ["wrong wire type for a known message field", "3001"],
    ["wrong wire type for a string", "3202 0801"],
    ["wrong wire type for ack_id", "3206 0a0167 120100"],
    ["invalid UTF-8 in a string", "3204 0a02c328"],
    ["integer above 2^53 - 1", "420a 08808080808080808001"],
  ])("%s -> invalid_protobuf 1007", (_name, h) => {
    expect(up(h)).toEqual({ code: "invalid_protobuf", closeCode: 1007 });
  });

  test.each([
    ["empty frame", ""],
    ["joinGroup without group", "3202 1001"],
    ["sendToGroup without data", "0a03 0a0167"],
    ["sendToGroup with empty data", "0a05 0a0167 1a00"],
    ["event without name", "2a04 1202 0a00"],
    ["json_data that is not JSON", "2a08 0a0165 1203 22017b"],
  ])("%s -> invalid_message 1007", (_name, h) => {
    expect(up(h)).toEqual({ code: "invalid_message", closeCode: 1007 });
  });

  test("an unknown upstream message (e.g. stream data, field 13) is unknown_type", () => {
    expect(up("6a02 0a00")).toEqual({ code: "unknown_type", closeCode: 1007 });
    expect(down("3a00")).toEqual({ code: "unknown_type", closeCode: 1007 });
    // A system message of a newer kind (field 3 of SystemMessage), or an empty one.
    expect(down("1a02 1a00")).toEqual({ code: "unknown_type", closeCode: 1007 });
    expect(down("1a00")).toEqual({ code: "unknown_type", closeCode: 1007 });
  });

  test.each([
    ["empty frame", ""],
    ["data message with unknown from", "120b 0a0475736572 1a03 0a0178"],
    ["data message without data", "1208 0a06736572766572"],
    ["group data without group", "120c 0a0567726f7570 1a03 0a0178"],
    ["connected without connection id", "1a05 0a03 120175"],
  ])("downstream %s -> invalid_message 1007", (_name, h) => {
    expect(down(h)).toEqual({ code: "invalid_message", closeCode: 1007 });
  });

  test("random bytes only ever raise ProtocolError", () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    let decoded = 0;
    for (let n = 0; n < 5000; n++) {
      const frame = Uint8Array.from({ length: rand() % 24 }, () => rand() & 255);
      for (const decode of [protobufCodec.decodeUpstream, protobufCodec.decodeDownstream]) {
        try {
          decode(frame);
          decoded++;
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
        }
      }
    }
    expect(decoded).toBeGreaterThanOrEqual(0);
  });

  test("mutated valid frames only ever raise ProtocolError", () => {
    const frames = [
      protobufCodec.encodeUpstream({
        type: "sendToGroup",
        group: "grp",
        ackId: 5,
        dataType: "json",
        data: { a: 1 },
        metadata: { k: "v" },
      }),
      protobufCodec.encodeDownstream({
        type: "system",
        event: "connected",
        connectionId: "c",
        userId: "u",
        reconnectionToken: "t",
      }),
    ];
    let seed = 11;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let n = 0; n < 3000; n++) {
      const f = frames[n % 2]!.slice();
      f[rand() % f.length] = rand() & 255;
      const cut = f.subarray(0, f.length - (rand() % 3));
      for (const decode of [protobufCodec.decodeUpstream, protobufCodec.decodeDownstream]) {
        try {
          decode(cut);
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
        }
      }
    }
  });
});

describe("protobufCodec encoders reject impossible messages", () => {
  test("TypeError / RangeError before producing bytes", () => {
    expect(() => protobufCodec.encodeUpstream({ type: "nope" } as never)).toThrow(TypeError);
    expect(() => protobufCodec.encodeDownstream({ type: "nope" } as never)).toThrow(TypeError);
    expect(() => protobufCodec.encodeUpstream({ type: "joinGroup", group: "g", ackId: -1 })).toThrow(RangeError);
    expect(() => protobufCodec.encodeUpstream({ type: "joinGroup", group: "g", ackId: 1.5 })).toThrow(RangeError);
    expect(() =>
      protobufCodec.encodeUpstream({ type: "event", event: "e", dataType: "binary", data: "x" } as never),
    ).toThrow(TypeError);
    expect(() =>
      protobufCodec.encodeUpstream({ type: "event", event: "e", dataType: "json", data: undefined }),
    ).toThrow(TypeError);
  });
});
