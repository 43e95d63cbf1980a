// The JSON subprotocols and options.protocol on their own: their names and flags, text frames only, forward
// compatibility (a message type the client does not know is ignored, a broken frame is not), the JSON-only codec a
// feature adds, and which protocol names and objects options.protocol takes.
import { encodeJsonUpstream, JSON_SUBPROTOCOL, RELIABLE_JSON_SUBPROTOCOL } from "@webpubsub/core/client-wire";
import { describe, expect, it } from "vitest";
import {
  decodeKnown,
  type JsonOnlyCodec,
  resolveProtocol,
  type WebPubSubClientProtocol,
  WebPubSubJsonProtocol,
  WebPubSubJsonReliableProtocol,
} from "../src/protocols.ts";

/** A JSON-only codec that decodes every JSON-only frame to a marker naming its type and the codec. */
function markerCodec(name: string): JsonOnlyCodec {
  return {
    encode: (message) => `${name}:${message.type}`,
    decode: (_fields, type) => ({ type: "invokeResponse", invocationId: `${name}:${type}`, success: true }) as never,
  };
}

describe("the JSON subprotocols", () => {
  it("json is not reliable and json.reliable is; both write text frames and load nothing", () => {
    const json = WebPubSubJsonProtocol();
    expect([json.name, json.isReliableSubProtocol, json.binary, json.load]).toEqual([
      "json.webpubsub.azure.v1",
      false,
      false,
      undefined,
    ]);
    const reliable = WebPubSubJsonReliableProtocol();
    expect([reliable.name, reliable.isReliableSubProtocol, reliable.binary, reliable.load]).toEqual([
      "json.reliable.webpubsub.azure.v1",
      true,
      false,
      undefined,
    ]);
  });

  it("encode writes core's JSON; decode reads a service frame", () => {
    const protocol = WebPubSubJsonReliableProtocol();
    const message = { type: "joinGroup", group: "g", ackId: 1 } as const;
    expect(protocol.encode(message)).toBe(encodeJsonUpstream(message));
    expect(protocol.decode('{"type":"ack","ackId":1,"success":true}')).toEqual({
      type: "ack",
      ackId: 1,
      success: true,
    });
  });

  it("a binary frame is refused with a TypeError naming the subprotocol", () => {
    for (const protocol of [WebPubSubJsonProtocol(), WebPubSubJsonReliableProtocol()]) {
      expect(() => protocol.decode(new TextEncoder().encode('{"type":"pong"}'))).toThrow(
        new TypeError(`${protocol.name} expects text frames, got a binary frame`),
      );
    }
  });

  it("a message type the client does not know decodes to undefined; a broken frame still throws", () => {
    const protocol = WebPubSubJsonProtocol();
    expect(protocol.decode('{"type":"fromTheFuture"}')).toBeUndefined();
    expect(protocol.decode('{"type":"system","event":"fromTheFuture"}')).toBeUndefined();
    expect(() => protocol.decode("{not json")).toThrow();
    expect(() => protocol.decode('{"type":"ack","ackId":1}')).toThrow(/success/);
  });

  it("JSON-only frames are unknown until a feature enables the JSON-only codec, then go to its decoder", () => {
    const protocol = WebPubSubJsonReliableProtocol();
    const frame = '{"type":"invokeResponse","invocationId":"i","success":true}';
    expect(protocol.decode(frame)).toBeUndefined();
    const encode = protocol.enableJsonOnly?.(markerCodec("first"));
    expect(encode?.({ type: "invoke" } as never)).toBe("first:invoke");
    expect(protocol.decode(frame)).toMatchObject({ invocationId: "first:invokeResponse" });
  });

  it("the first codec enabled is kept: a second enable returns its encoder and decoding goes on through it", () => {
    const protocol = WebPubSubJsonProtocol();
    protocol.enableJsonOnly?.(markerCodec("first"));
    const encode = protocol.enableJsonOnly?.(markerCodec("second"));
    expect(encode?.({ type: "invoke" } as never)).toBe("first:invoke");
    expect(protocol.decode('{"type":"streamAck","streamId":"s"}')).toMatchObject({ invocationId: "first:streamAck" });
  });

  it("each protocol object has its own codec: enabling it on one leaves another unchanged", () => {
    const enabled = WebPubSubJsonProtocol();
    enabled.enableJsonOnly?.(markerCodec("first"));
    expect(WebPubSubJsonProtocol().decode('{"type":"invokeResponse","invocationId":"i","success":true}')).toBe(
      undefined,
    );
  });
});

describe("decodeKnown", () => {
  it("returns what the decoder returns", () => {
    expect(decodeKnown(() => 42)).toBe(42);
  });

  it("turns only a ProtocolError of code unknown_type into undefined; any other error is thrown as it is", () => {
    const unknown = Object.assign(new Error("newer"), { code: "unknown_type" });
    expect(
      decodeKnown(() => {
        throw unknown;
      }),
    ).toBeUndefined();
    for (const thrown of [
      Object.assign(new Error("bad"), { code: "invalid_message" }),
      new Error("plain"),
      null,
      "text",
    ]) {
      let caught: unknown = "nothing thrown";
      try {
        decodeKnown(() => {
          throw thrown;
        });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBe(thrown);
    }
  });
});

describe("options.protocol", () => {
  it("absent: the reliable JSON subprotocol", () => {
    expect(resolveProtocol(undefined).name).toBe(RELIABLE_JSON_SUBPROTOCOL);
  });

  it.each([
    ["json", JSON_SUBPROTOCOL, false],
    [JSON_SUBPROTOCOL, JSON_SUBPROTOCOL, false],
    ["json.reliable", RELIABLE_JSON_SUBPROTOCOL, true],
    [RELIABLE_JSON_SUBPROTOCOL, RELIABLE_JSON_SUBPROTOCOL, true],
  ] as const)("the name %s gives %s", (value, name, reliable) => {
    const protocol = resolveProtocol(value);
    expect(protocol.name).toBe(name);
    expect(protocol.isReliableSubProtocol).toBe(reliable);
  });

  it("a name it does not take is refused with a TypeError listing the names and the protocol objects", () => {
    for (const [value, got] of [
      ["protobuf", '"protobuf"'],
      ["JSON", '"JSON"'],
      ["", '""'],
      [null, "null"],
      [1, "1"],
    ] as const) {
      expect(() => resolveProtocol(value as never)).toThrow(
        new TypeError(
          `options.protocol must be "json", "json.reliable", their full names, or a protocol object such as WebPubSubProtobufReliableProtocol(), got ${got}`,
        ),
      );
    }
  });

  it("a protocol object with a name, encode, decode and isReliableSubProtocol is taken as it is", () => {
    const object: WebPubSubClientProtocol = { ...WebPubSubJsonProtocol(), name: "custom" };
    expect(resolveProtocol(object)).toBe(object);
    const loading = { ...object, load: () => Promise.resolve() };
    expect(resolveProtocol(loading)).toBe(loading);
  });

  it.each([
    ["name", 1],
    ["encode", "encode"],
    ["decode", {}],
    ["isReliableSubProtocol", "true"],
  ])("a protocol object whose %s is of the wrong type is refused", (field, value) => {
    const object = { ...WebPubSubJsonProtocol(), [field]: value };
    expect(() => resolveProtocol(object as never)).toThrow(
      new TypeError("options.protocol must have name, isReliableSubProtocol, binary, encode and decode"),
    );
  });

  it("a protocol object whose load is not a function is refused", () => {
    const object = { ...WebPubSubJsonProtocol(), load: true };
    expect(() => resolveProtocol(object as never)).toThrow(
      new TypeError("options.protocol.load must be a function or absent"),
    );
  });
});
