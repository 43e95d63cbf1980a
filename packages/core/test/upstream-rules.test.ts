// The rules a service applies to client messages live in the decoders, so every consumer (the emulator, tests, a
// relay) agrees on what is valid: event names, group names, and which ackId an invalid message can be answered on.
import {
  EVENT_NAME_PATTERN,
  isValidEventName,
  isValidGroupName,
  jsonCodec,
  ProtocolError,
  protobufCodec,
  type UpstreamMessage,
} from "@webpubsub/core";
import { describe, expect, test } from "vitest";

function jsonError(frame: unknown): ProtocolError {
  try {
    jsonCodec.decodeUpstream(JSON.stringify(frame));
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error("decoded without error");
}

describe("event names", () => {
  test.each(["chat", "Chat", "a", "a.b-c_d9", `e${"x".repeat(127)}`])("accepts %s", (name) => {
    expect(isValidEventName(name)).toBe(true);
    const m = jsonCodec.decodeUpstream(JSON.stringify({ type: "event", event: name, dataType: "text", data: "x" }));
    expect(m).toMatchObject({ type: "event", event: name });
  });

  test.each(["my event", "1chat", "_x", "", "a/b", "é", "a,b", `e${"x".repeat(128)}`])("rejects %j", (name) => {
    expect(isValidEventName(name)).toBe(false);
    expect(EVENT_NAME_PATTERN.test(name)).toBe(false);
    const e = jsonError({ type: "event", event: name, ackId: 4, dataType: "text", data: "x" });
    expect(e).toMatchObject({ code: "invalid_message", closeCode: 1007, ackId: 4 });
  });

  test("the protobuf decoder applies the same rule", () => {
    const frame = protobufCodec.encodeUpstream({
      type: "event",
      event: "my event",
      ackId: 9,
      dataType: "text",
      data: "x",
    });
    expect(() => protobufCodec.decodeUpstream(frame)).toThrow(
      expect.objectContaining({ code: "invalid_message", ackId: 9 }),
    );
    const ok = protobufCodec.encodeUpstream({ type: "event", event: "my.event", dataType: "text", data: "x" });
    expect(protobufCodec.decodeUpstream(ok)).toMatchObject({ event: "my.event" });
  });
});

describe("group names", () => {
  test.each([
    ["whitespace only", "   "],
    ["longer than 1024", "g".repeat(1025)],
  ])("rejects a group that is %s, in both codecs", (_name, group) => {
    expect(isValidGroupName(group)).toBe(false);
    expect(jsonError({ type: "joinGroup", group, ackId: 1 })).toMatchObject({ code: "invalid_message", ackId: 1 });
    const frame = protobufCodec.encodeUpstream({ type: "leaveGroup", group, ackId: 2 } as UpstreamMessage);
    expect(() => protobufCodec.decodeUpstream(frame)).toThrow(expect.objectContaining({ ackId: 2 }));
  });

  test("accepts 1024 characters", () => {
    expect(isValidGroupName("g".repeat(1024))).toBe(true);
    expect(jsonCodec.decodeUpstream(JSON.stringify({ type: "joinGroup", group: "g".repeat(1024) }))).toMatchObject({
      type: "joinGroup",
    });
  });
});

describe("ProtocolError.ackId", () => {
  test("is set for an invalid field of a message whose ackId is valid", () => {
    expect(jsonError({ type: "sendToGroup", group: "g", ackId: 3, dataType: "binary", data: "@@" })).toMatchObject({
      code: "invalid_message",
      ackId: 3,
    });
    expect(jsonError({ type: "sendToGroup", group: "g", ackId: 5, dataType: "xml", data: "x" }).ackId).toBe(5);
  });

  test("is absent when there is no usable ackId or the frame is not a known message", () => {
    expect(jsonError({ type: "joinGroup", group: "g", ackId: "1" }).ackId).toBeUndefined();
    expect(jsonError({ type: "joinGroup", group: " " }).ackId).toBeUndefined();
    expect(jsonError({ type: "dance", ackId: 1 })).toMatchObject({ code: "unknown_type", ackId: undefined });
  });
});
