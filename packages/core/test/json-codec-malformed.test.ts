// Malformed frames raise ProtocolError with the close code the receiver should use.
import { jsonCodec, ProtocolError } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

function failure(fn: () => unknown): { code: string; closeCode: number; message: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    const p = e as ProtocolError;
    expect(p.name).toBe("ProtocolError");
    return { code: p.code, closeCode: p.closeCode, message: p.message };
  }
  throw new Error("expected a ProtocolError");
}

const up = (frame: unknown) =>
  failure(() => jsonCodec.decodeUpstream(typeof frame === "string" ? frame : JSON.stringify(frame)));
const down = (frame: unknown) =>
  failure(() => jsonCodec.decodeDownstream(typeof frame === "string" ? frame : JSON.stringify(frame)));

describe("upstream (client -> service) frames", () => {
  test.each([new Uint8Array([123, 125]), new ArrayBuffer(1), null, undefined, 42])(
    "a non-text frame %o is 1003",
    (frame) => {
      expect(failure(() => jsonCodec.decodeUpstream(frame as never))).toMatchObject({
        code: "invalid_frame_type",
        closeCode: 1003,
      });
    },
  );

  test.each(["", "{", "{'type':'ping'}", "ping", '{"type":"ping"} x', "\u0000"])("invalid JSON %j is 1007", (text) => {
    expect(up(text)).toMatchObject({ code: "invalid_json", closeCode: 1007 });
  });

  test.each(["null", "[]", "42", '"ping"', "true"])("a JSON non-object %s is 1007", (text) => {
    expect(up(text)).toMatchObject({ code: "invalid_message", closeCode: 1007 });
  });

  test.each([{}, { type: null }, { type: 1 }, { type: ["ping"] }])("missing or non-string type %j is 1007", (frame) => {
    expect(up(frame)).toMatchObject({ code: "invalid_message", closeCode: 1007 });
  });

  test.each([
    { type: "explode" },
    { type: "Ping" },
    { type: "pong" },
    { type: "ack", ackId: 1, success: true },
    { type: "" },
  ])("unknown type %j is 1007", (frame) => {
    expect(up(frame)).toMatchObject({ code: "unknown_type", closeCode: 1007 });
  });

  test.each([
    ["joinGroup without group", { type: "joinGroup" }],
    ["joinGroup with numeric group", { type: "joinGroup", group: 1 }],
    ["joinGroup with empty group", { type: "joinGroup", group: "" }],
    ["leaveGroup with null group", { type: "leaveGroup", group: null }],
    ["sendToGroup without group", { type: "sendToGroup", dataType: "text", data: "x" }],
    ["sendToGroup without data", { type: "sendToGroup", group: "g", dataType: "text" }],
    ["sendToGroup with unknown dataType", { type: "sendToGroup", group: "g", dataType: "xml", data: "<a/>" }],
    ["sendToGroup with numeric dataType", { type: "sendToGroup", group: "g", dataType: 1, data: "x" }],
    ["text data that is not a string", { type: "sendToGroup", group: "g", dataType: "text", data: 5 }],
    ["binary data that is not a string", { type: "sendToGroup", group: "g", dataType: "binary", data: [1, 2] }],
    ["binary data that is not base64", { type: "sendToGroup", group: "g", dataType: "binary", data: "not base64!" }],
    ["protobuf data that is not base64", { type: "event", event: "e", dataType: "protobuf", data: "a" }],
    ["noEcho that is not a boolean", { type: "sendToGroup", group: "g", noEcho: "true", dataType: "text", data: "x" }],
    [
      "metadata that is not an object",
      { type: "sendToGroup", group: "g", metadata: "k=v", dataType: "text", data: "x" },
    ],
    [
      "metadata values that are not strings",
      { type: "event", event: "e", metadata: { k: 1 }, dataType: "text", data: "x" },
    ],
    ["metadata that is an array", { type: "event", event: "e", metadata: ["x"], dataType: "text", data: "x" }],
    ["event without event name", { type: "event", dataType: "text", data: "x" }],
    ["event with numeric event name", { type: "event", event: 7, dataType: "text", data: "x" }],
    ["sequenceAck without sequenceId", { type: "sequenceAck" }],
    ["sequenceAck with string sequenceId", { type: "sequenceAck", sequenceId: "1" }],
    ["sequenceAck with negative sequenceId", { type: "sequenceAck", sequenceId: -1 }],
  ])("%s is 1007", (_name, frame) => {
    expect(up(frame)).toMatchObject({ code: "invalid_message", closeCode: 1007 });
  });

  test.each([1.5, -1, "1", true, {}, Number.MAX_SAFE_INTEGER + 2, 1e300])("ackId %j is rejected", (ackId) => {
    expect(up({ type: "joinGroup", group: "g", ackId })).toMatchObject({ code: "invalid_message", closeCode: 1007 });
    expect(up({ type: "event", event: "e", ackId, dataType: "text", data: "x" })).toMatchObject({ closeCode: 1007 });
  });

  test("error messages name the offending field", () => {
    expect(up({ type: "joinGroup", group: "g", ackId: "x" }).message).toContain("ackId");
    expect(up({ type: "sendToGroup", group: "g", dataType: "binary", data: "%%" }).message).toContain("base64");
  });

  test("null optional fields count as absent; unknown extra fields are ignored", () => {
    expect(jsonCodec.decodeUpstream('{"type":"joinGroup","group":"g","ackId":null,"extra":1}')).toEqual({
      type: "joinGroup",
      group: "g",
    });
  });
});

describe("downstream (service -> client) frames", () => {
  test("a binary frame is 1003, bad JSON 1007, unknown type 1007", () => {
    expect(failure(() => jsonCodec.decodeDownstream(new Uint8Array(1) as never)).closeCode).toBe(1003);
    expect(down("{x")).toMatchObject({ code: "invalid_json", closeCode: 1007 });
    expect(down({ type: "boom" })).toMatchObject({ code: "unknown_type", closeCode: 1007 });
    expect(down({ type: "system", event: "restarting" })).toMatchObject({ code: "unknown_type", closeCode: 1007 });
    expect(down({ type: "system" })).toMatchObject({ code: "unknown_type", closeCode: 1007 });
  });

  test.each([
    ["connected without connectionId", { type: "system", event: "connected", userId: "u" }],
    ["connected with numeric userId", { type: "system", event: "connected", connectionId: "c", userId: 1 }],
    ["connected with numeric token", { type: "system", event: "connected", connectionId: "c", reconnectionToken: 1 }],
    ["disconnected with object message", { type: "system", event: "disconnected", message: {} }],
    ["ack without ackId", { type: "ack", success: true }],
    ["ack with fractional ackId", { type: "ack", ackId: 1.5, success: true }],
    ["ack with string success", { type: "ack", ackId: 1, success: "true" }],
    ["ack with string error", { type: "ack", ackId: 1, success: false, error: "Forbidden" }],
    ["ack error without name", { type: "ack", ackId: 1, success: false, error: { message: "m" } }],
    ["message with unknown from", { type: "message", from: "user", dataType: "text", data: "x" }],
    ["message without from", { type: "message", dataType: "text", data: "x" }],
    ["group message without group", { type: "message", from: "group", dataType: "text", data: "x" }],
    ["group message with numeric fromUserId", { type: "message", from: "group", group: "g", fromUserId: 1, data: 1 }],
    [
      "message with negative sequenceId",
      { type: "message", from: "server", sequenceId: -5, dataType: "text", data: "x" },
    ],
    [
      "message with string sequenceId",
      { type: "message", from: "server", sequenceId: "5", dataType: "text", data: "x" },
    ],
    ["message with bad base64", { type: "message", from: "server", dataType: "binary", data: "@@@" }],
    ["message without data", { type: "message", from: "server", dataType: "json" }],
  ])("%s is 1007", (_name, frame) => {
    expect(down(frame)).toMatchObject({ code: "invalid_message", closeCode: 1007 });
  });

  test("anonymous connected and missing disconnect message are accepted", () => {
    expect(jsonCodec.decodeDownstream('{"type":"system","event":"connected","connectionId":"c"}')).toEqual({
      type: "system",
      event: "connected",
      connectionId: "c",
      userId: null,
    });
    expect(jsonCodec.decodeDownstream('{"type":"system","event":"disconnected"}')).toEqual({
      type: "system",
      event: "disconnected",
      message: "",
    });
  });

  test("ack error with unknown name is accepted; null error is absent", () => {
    expect(
      jsonCodec.decodeDownstream('{"type":"ack","ackId":1,"success":false,"error":{"name":"Weird","message":"m"}}'),
    ).toEqual({
      type: "ack",
      ackId: 1,
      success: false,
      error: { name: "Weird", message: "m" },
    });
    expect(jsonCodec.decodeDownstream('{"type":"ack","ackId":1,"success":true,"error":null}')).toEqual({
      type: "ack",
      ackId: 1,
      success: true,
    });
  });
});

describe("encoders reject impossible messages with TypeError", () => {
  test("unknown types and wrong data", () => {
    expect(() => jsonCodec.encodeUpstream({ type: "nope" } as never)).toThrow(TypeError);
    expect(() => jsonCodec.encodeDownstream({ type: "nope" } as never)).toThrow(TypeError);
    expect(() =>
      jsonCodec.encodeUpstream({ type: "sendToGroup", group: "g", dataType: "binary", data: "not bytes" } as never),
    ).toThrow(TypeError);
    expect(() => jsonCodec.encodeUpstream({ type: "event", event: "e", dataType: "text", data: 1 } as never)).toThrow(
      TypeError,
    );
  });
});
