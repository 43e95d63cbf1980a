// Every way a JSON frame can break the protocol is refused with a ProtocolError whose message names the offending
// field and the rule it broke (what a service logs and a client shows), and encoders refuse impossible messages.
import { jsonCodec, ProtocolError } from "@webpubsub/core";
import { describe, expect, test } from "vitest";
import { expectUnknownKindsRefused } from "./encoder-unknown-kinds.ts";

function refusal(decode: (text: string) => unknown, frame: unknown): { code: string; message: string } {
  try {
    decode(typeof frame === "string" ? frame : JSON.stringify(frame));
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error(`accepted ${JSON.stringify(frame)}`);
}
const up = (frame: unknown) => refusal(jsonCodec.decodeUpstream, frame);
/** The exact message ("an" before a message kind starting with a vowel: "of an ack", "of a joinGroup"). */
const exactly = (message: string) => new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
const down = (frame: unknown) => refusal(jsonCodec.decodeDownstream, frame);

describe("frame-level refusals", () => {
  test("the direction, JSON syntax, the object shape and the type field are each named", () => {
    expect(() => jsonCodec.decodeUpstream(new Uint8Array(1) as never)).toThrow(
      "client frames of a JSON subprotocol must be text frames",
    );
    expect(() => jsonCodec.decodeDownstream(new Uint8Array(1) as never)).toThrow(
      "service frames of a JSON subprotocol must be text frames",
    );
    expect(up("{")).toEqual({ code: "invalid_json", message: "frame is not valid JSON" });
    for (const frame of ["null", "[]", "5", '"x"']) {
      expect(up(frame)).toEqual({ code: "invalid_message", message: "frame must be a JSON object" });
      expect(down(frame)).toEqual({ code: "invalid_message", message: "frame must be a JSON object" });
    }
    expect(up({ type: 5 })).toEqual({ code: "invalid_message", message: 'frame has no string "type" field' });
    expect(up({ type: "nope" })).toEqual({ code: "unknown_type", message: 'unknown client message type "nope"' });
    expect(down({ type: "nope" })).toEqual({ code: "unknown_type", message: 'unknown service message type "nope"' });
  });
});

describe("upstream field refusals name the field", () => {
  test.each([
    [{ type: "joinGroup" }, '"group" of a joinGroup message must be a string'],
    [
      { type: "joinGroup", group: " " },
      '"group" of a joinGroup message must be 1 to 1024 characters, not whitespace only',
    ],
    [{ type: "joinGroup", group: "g", ackId: "1" }, '"ackId" of a joinGroup message must be a non-negative integer'],
    [{ type: "leaveGroup", group: "g", ackId: -1 }, '"ackId" of a leaveGroup message must be a non-negative integer'],
    [{ type: "joinGroup", group: "g", ackId: 1.5 }, '"ackId" of a joinGroup message must be a non-negative integer'],
    [
      { type: "sequenceAck", sequenceId: 2 ** 53 },
      '"sequenceId" of a sequenceAck message must be a non-negative integer',
    ],
    [
      { type: "sendToGroup", group: "g", data: 1, noEcho: "yes" },
      '"noEcho" of a sendToGroup message must be a boolean',
    ],
    [
      { type: "sendToGroup", group: "g", data: 1, metadata: [] },
      '"metadata" of a sendToGroup message must be an object',
    ],
    [{ type: "event", event: "e", data: 1, metadata: "m" }, '"metadata" of an event message must be an object'],
    [
      { type: "event", event: "e", data: 1, metadata: { k: 1 } },
      '"metadata" value "k" of an event message must be a string',
    ],
    [{ type: "sendToGroup", group: "g" }, 'a sendToGroup message must have a "data" field'],
    [{ type: "event", event: "e", dataType: "text", data: 1 }, '"data" of a text event message must be a string'],
    [
      { type: "event", event: "e", dataType: "binary", data: 1 },
      '"data" of a binary event message must be a base64 string',
    ],
    [
      { type: "event", event: "e", dataType: "protobuf", data: "%" },
      '"data" of a protobuf event message is not valid base64',
    ],
    [
      { type: "event", event: "e", dataType: "xml", data: "x" },
      '"dataType" of an event message must be "json", "text", "binary" or "protobuf"',
    ],
    [{ type: "event", event: "1e", data: 1 }, '"event" of an event message must match ^[A-Za-z][A-Za-z0-9_.-]{0,127}$'],
    [{ type: "event", data: 1 }, '"event" of an event message must be a string'],
  ])("%j: %s", (frame, message) => {
    expect(up(frame)).toEqual({ code: "invalid_message", message: expect.stringMatching(exactly(message)) });
  });

  test("null optional fields count as absent", () => {
    expect(
      jsonCodec.decodeUpstream('{"type":"sendToGroup","group":"g","data":1,"noEcho":null,"metadata":null}'),
    ).toStrictEqual({ type: "sendToGroup", group: "g", dataType: "json", data: 1 });
  });

  test("decoded metadata is an ordinary object: its entries can be changed and deleted", () => {
    const m = jsonCodec.decodeUpstream('{"type":"event","event":"e","data":1,"metadata":{"k":"v","__proto__":"p"}}');
    const metadata = (m as { metadata: Record<string, string> }).metadata;
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(Object.keys(metadata)).toEqual(["k", "__proto__"]);
    metadata.k = "changed";
    expect(metadata.k).toBe("changed");
    delete metadata.k;
    expect(Object.keys(metadata)).toEqual(["__proto__"]);
  });
});

describe("downstream field refusals name the field", () => {
  test.each([
    [
      { type: "system", event: "connected", connectionId: "" },
      '"connectionId" of a connected message must not be empty',
    ],
    [{ type: "system", event: "connected", connectionId: 1 }, '"connectionId" of a connected message must be a string'],
    [
      { type: "system", event: "connected", connectionId: "c", userId: 1 },
      '"userId" of a connected message must be a string',
    ],
    [
      { type: "system", event: "connected", connectionId: "c", reconnectionToken: 1 },
      '"reconnectionToken" of a connected message must be a string',
    ],
    [{ type: "system", event: "disconnected", message: 1 }, '"message" of a disconnected message must be a string'],
    [{ type: "ack", ackId: "1", success: true }, '"ackId" of an ack message must be a non-negative integer'],
    [{ type: "ack", ackId: 1 }, '"success" of an ack message must be a boolean'],
    [{ type: "ack", ackId: 1, success: true, error: "x" }, '"error" of an ack message must be an object'],
    [{ type: "ack", ackId: 1, success: true, error: [] }, '"error" of an ack message must be an object'],
    [{ type: "ack", ackId: 1, success: true, error: {} }, '"name" of an ack error message must be a string'],
    [
      { type: "ack", ackId: 1, success: true, error: { name: "n", message: 1 } },
      '"message" of an ack error message must be a string',
    ],
    [{ type: "message", from: "user", data: 1 }, '"from" of a message must be "group" or "server"'],
    [{ type: "message", from: "group", group: "", data: 1 }, '"group" of a message message must not be empty'],
    [
      { type: "message", from: "group", group: "g", fromUserId: 1, data: 1 },
      '"fromUserId" of a message message must be a string',
    ],
    [
      { type: "message", from: "server", data: 1, sequenceId: -1 },
      '"sequenceId" of a message message must be a non-negative integer',
    ],
  ])("%j: %s", (frame, message) => {
    expect(down(frame)).toEqual({ code: "invalid_message", message: expect.stringMatching(exactly(message)) });
  });

  test("an unknown system event is a newer kind of message, and named", () => {
    expect(down({ type: "system", event: "restarting" })).toEqual({
      code: "unknown_type",
      message: 'unknown system event "restarting"',
    });
  });

  test("an ack error without a message reads as an empty message", () => {
    expect(jsonCodec.decodeDownstream('{"type":"ack","ackId":1,"success":false,"error":{"name":"N"}}')).toStrictEqual({
      type: "ack",
      ackId: 1,
      success: false,
      error: { name: "N", message: "" },
    });
  });
});

describe("encoders refuse what no frame can carry, naming it", () => {
  test("data that does not fit its dataType, in every message that carries data", () => {
    const wrong = [
      [{ dataType: "text", data: 1 }, "data of a text message must be a string"],
      [{ dataType: "binary", data: "x" }, "data of a binary message must be a Uint8Array"],
      [{ dataType: "protobuf", data: [1] }, "data of a protobuf message must be a Uint8Array"],
    ] as const;
    for (const [payload, message] of wrong) {
      expect(() => jsonCodec.encodeUpstream({ type: "sendToGroup", group: "g", ...payload } as never)).toThrow(message);
      expect(() => jsonCodec.encodeUpstream({ type: "event", event: "e", ...payload } as never)).toThrow(message);
      expect(() => jsonCodec.encodeDownstream({ type: "message", from: "server", ...payload } as never)).toThrow(
        message,
      );
    }
    expect(jsonCodec.encodeUpstream({ type: "event", event: "e", dataType: "json", data: undefined })).toBe(
      '{"type":"event","event":"e","dataType":"json"}',
    );
  });

  test("unknown types, system events and message sources", () => {
    expectUnknownKindsRefused(jsonCodec);
  });
});
