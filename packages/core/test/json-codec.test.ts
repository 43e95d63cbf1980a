import {
  type DownstreamMessage,
  isProtobufSubprotocol,
  isReliableSubprotocol,
  jsonCodec,
  ProtocolError,
  type UpstreamMessage,
  WebPubSubSubprotocol,
} from "@webpubsub/core";
import { describe, expect, test } from "vitest";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("subprotocols", () => {
  test("reliable and protobuf predicates", () => {
    expect(isReliableSubprotocol(WebPubSubSubprotocol.ReliableJson)).toBe(true);
    expect(isReliableSubprotocol(WebPubSubSubprotocol.ReliableProtobuf)).toBe(true);
    expect(isReliableSubprotocol(WebPubSubSubprotocol.Json)).toBe(false);
    expect(isProtobufSubprotocol(WebPubSubSubprotocol.Protobuf)).toBe(true);
    expect(isProtobufSubprotocol(WebPubSubSubprotocol.ReliableJson)).toBe(false);
    expect(isProtobufSubprotocol("mqtt")).toBe(false);
  });
});

describe("jsonCodec round trips", () => {
  const upstream: UpstreamMessage[] = [
    { type: "joinGroup", group: "g" },
    { type: "leaveGroup", group: "g", ackId: 2 },
    { type: "sendToGroup", group: "g", ackId: 3, noEcho: true, dataType: "json", data: { a: [1, null] } },
    { type: "sendToGroup", group: "g", dataType: "text", data: "hi", metadata: { k: "v" } },
    { type: "sendToGroup", group: "g", dataType: "binary", data: bytes("xyz") },
    { type: "sendToGroup", group: "g", ttlSeconds: 60, dataType: "text", data: "ttl" },
    { type: "event", event: "chat", ackId: 0, dataType: "protobuf", data: bytes("p") },
    { type: "event", event: "chat", dataType: "json", data: "a json string" },
    { type: "event", event: "chat", dataType: "json", data: null },
    { type: "sequenceAck", sequenceId: 17 },
    { type: "ping" },
  ];
  test.each(upstream)("upstream %j", (m) => {
    expect(jsonCodec.decodeUpstream(jsonCodec.encodeUpstream(m))).toEqual(m);
  });

  const downstream: DownstreamMessage[] = [
    { type: "system", event: "connected", connectionId: "c", userId: "alice" },
    { type: "system", event: "connected", connectionId: "c", userId: null, reconnectionToken: "t" },
    { type: "system", event: "disconnected", message: "bye" },
    { type: "ack", ackId: 1, success: true },
    { type: "ack", ackId: 3, success: false, error: { name: "Forbidden", message: "no" } },
    { type: "message", from: "group", group: "g", fromUserId: "alice", dataType: "json", data: { x: 1 } },
    {
      type: "message",
      from: "group",
      group: "g",
      fromUserId: null,
      sequenceId: 5,
      dataType: "binary",
      data: bytes("b"),
    },
    { type: "message", from: "server", dataType: "text", data: "hi", sequenceId: 6 },
    { type: "message", from: "server", dataType: "text", data: "m", metadata: { k: "v" } },
    { type: "pong" },
  ];
  test.each(downstream)("downstream %j", (m) => {
    expect(jsonCodec.decodeDownstream(jsonCodec.encodeDownstream(m))).toEqual(m);
  });

  test("binary data travels as base64", () => {
    const text = jsonCodec.encodeUpstream({ type: "sendToGroup", group: "g", dataType: "binary", data: bytes("xyz") });
    expect(JSON.parse(text)).toEqual({ type: "sendToGroup", group: "g", dataType: "binary", data: "eHl6" });
  });

  test("dataType defaults to json", () => {
    expect(jsonCodec.decodeUpstream('{"type":"event","event":"e","data":{"a":1}}')).toEqual({
      type: "event",
      event: "e",
      dataType: "json",
      data: { a: 1 },
    });
  });

  test("connected with userId null is written explicitly", () => {
    const text = jsonCodec.encodeDownstream({ type: "system", event: "connected", connectionId: "c", userId: null });
    expect(JSON.parse(text)).toEqual({ type: "system", event: "connected", connectionId: "c", userId: null });
  });
});

describe("jsonCodec rejects malformed frames", () => {
  const closeCode = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
      return [(e as ProtocolError).code, (e as ProtocolError).closeCode];
    }
    throw new Error("expected a ProtocolError");
  };

  test("binary frames are 1003", () => {
    expect(closeCode(() => jsonCodec.decodeUpstream(bytes("{}") as never))).toEqual(["invalid_frame_type", 1003]);
    expect(closeCode(() => jsonCodec.decodeDownstream(new ArrayBuffer(2) as never))).toEqual([
      "invalid_frame_type",
      1003,
    ]);
  });

  test("invalid JSON is 1007", () => {
    expect(closeCode(() => jsonCodec.decodeUpstream("{not json"))).toEqual(["invalid_json", 1007]);
  });

  test("unknown types are 1007", () => {
    expect(closeCode(() => jsonCodec.decodeUpstream('{"type":"explode"}'))).toEqual(["unknown_type", 1007]);
    expect(closeCode(() => jsonCodec.decodeDownstream('{"type":"explode"}'))).toEqual(["unknown_type", 1007]);
  });
});

describe("standalone JSON codec functions", () => {
  test("code the messages every subprotocol has like jsonCodec, one function at a time", async () => {
    const core = await import("../src/index.ts");
    expect(core.decodeJsonUpstream).toBe(core.jsonCodec.decodeUpstream);
    const frame = core.encodeJsonUpstream({ type: "joinGroup", group: "g", ackId: 1 });
    expect(frame).toBe(core.jsonCodec.encodeUpstream({ type: "joinGroup", group: "g", ackId: 1 }));
    expect(core.decodeJsonUpstream(frame)).toEqual({ type: "joinGroup", group: "g", ackId: 1 });
    const ack = core.encodeJsonDownstream({ type: "ack", ackId: 1, success: true });
    expect(ack).toBe(core.jsonCodec.encodeDownstream({ type: "ack", ackId: 1, success: true }));
    expect(core.decodeJsonDownstream(ack)).toEqual(core.jsonCodec.decodeDownstream(ack));
  });

  test("leave invocations and streams to their own codec (json-only-codec.ts), which jsonCodec includes", async () => {
    const core = await import("../src/index.ts");
    const ack = '{"type":"streamAck","streamId":"s","expectedSequenceId":1}';
    expect(() => core.decodeJsonDownstream(ack)).toThrow(/unknown service message type "streamAck"/);
    expect(core.decodeJsonDownstream(ack, core.decodeJsonOnlyDownstream)).toEqual(core.jsonCodec.decodeDownstream(ack));
    const invoke = { type: "invoke", invocationId: "1", target: "event", event: "e" } as const;
    expect(() => core.encodeJsonUpstream(invoke as never)).toThrow(/unknown upstream message type "invoke"/);
    expect(core.jsonCodec.encodeUpstream(invoke)).toBe(core.encodeJsonOnlyUpstream(invoke));
  });
});
