import { createHmac } from "node:crypto";
import {
  CloudEventsHeaders,
  CloudEventTypes,
  decodeConnectionState,
  encodeConnectionState,
  hmacSha256Hex,
  signConnectionId,
  timingSafeEqual,
  verifyConnectionSignature,
} from "@webpubsub/core";
import { describe, expect, test } from "vitest";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const nodeHex = (key: string, msg: string) => createHmac("sha256", key).update(msg).digest("hex");

describe("constants", () => {
  test("header names are lowercase", () => {
    for (const name of Object.values(CloudEventsHeaders)) expect(name).toBe(name.toLowerCase());
    expect(CloudEventsHeaders.signature).toBe("ce-signature");
    expect(CloudEventsHeaders.connectionState).toBe("ce-connectionstate");
  });

  test("event types", () => {
    expect(CloudEventTypes.connect).toBe("azure.webpubsub.sys.connect");
    expect(`${CloudEventTypes.userPrefix}message`).toBe("azure.webpubsub.user.message");
  });
});

describe("hmacSha256Hex / timingSafeEqual", () => {
  test("matches node:crypto", async () => {
    expect(await hmacSha256Hex(KEY, "conn-1")).toBe(nodeHex(KEY, "conn-1"));
    expect(await hmacSha256Hex("ключ", "日本")).toBe(nodeHex("ключ", "日本"));
  });

  test("timingSafeEqual", () => {
    expect(timingSafeEqual("abc", "abc")).toBe(true);
    expect(timingSafeEqual("abc", "abd")).toBe(false);
    expect(timingSafeEqual("abc", "abcd")).toBe(false);
    expect(timingSafeEqual("", "")).toBe(true);
    expect(() => timingSafeEqual(1 as never, "a")).toThrow(TypeError);
  });
});

describe("connection signature", () => {
  test("one sha256 entry per key", async () => {
    const header = await signConnectionId("conn-1", [KEY, "secondary"]);
    expect(header).toBe(`sha256=${nodeHex(KEY, "conn-1")},sha256=${nodeHex("secondary", "conn-1")}`);
  });

  test("verifies with any key and any entry, hex case-insensitive, spaces tolerated", async () => {
    const upper = nodeHex("secondary", "c").toUpperCase();
    expect(await verifyConnectionSignature(`sha256=deadbeef, SHA256=${upper}`, "c", [KEY, "secondary"])).toBe(true);
    expect(await verifyConnectionSignature(await signConnectionId("c", [KEY]), "c", ["other", KEY])).toBe(true);
  });

  test("rejects wrong ids, wrong keys, tampering and missing headers", async () => {
    const header = await signConnectionId("c", [KEY]);
    expect(await verifyConnectionSignature(header, "d", [KEY])).toBe(false);
    expect(await verifyConnectionSignature(header, "c", ["other"])).toBe(false);
    expect(
      await verifyConnectionSignature(
        header.replace(/.$/, (c) => (c === "0" ? "1" : "0")),
        "c",
        [KEY],
      ),
    ).toBe(false);
    expect(await verifyConnectionSignature(header.replace("sha256=", "sha1="), "c", [KEY])).toBe(false);
    expect(await verifyConnectionSignature(undefined, "c", [KEY])).toBe(false);
    expect(await verifyConnectionSignature(null, "c", [KEY])).toBe(false);
    expect(await verifyConnectionSignature("", "c", [KEY])).toBe(false);
    expect(await verifyConnectionSignature(header, "c", [])).toBe(false);
  });

  test("bad keys are TypeErrors", async () => {
    await expect(signConnectionId("c", [])).rejects.toThrow(TypeError);
    await expect(signConnectionId("c", [""])).rejects.toThrow(TypeError);
    await expect(verifyConnectionSignature("x", "c", "k" as never)).rejects.toThrow(TypeError);
  });
});

describe("connection state", () => {
  test("base64 of JSON, compatible with the express handler's format", () => {
    const state = { counter: 1, name: "日本", nested: { a: [1, 2] } };
    const header = encodeConnectionState(state);
    expect(header).toBe(Buffer.from(JSON.stringify(state)).toString("base64"));
    expect(decodeConnectionState(header)).toEqual(state);
  });

  test("invalid values decode to {}", () => {
    expect(decodeConnectionState(undefined)).toEqual({});
    expect(decodeConnectionState(null)).toEqual({});
    expect(decodeConnectionState("")).toEqual({});
    expect(decodeConnectionState("!!!")).toEqual({});
    expect(decodeConnectionState(Buffer.from("not json").toString("base64"))).toEqual({});
    expect(decodeConnectionState(Buffer.from("[1,2]").toString("base64"))).toEqual({});
    expect(decodeConnectionState(Buffer.from("42").toString("base64"))).toEqual({});
  });

  // Rule: JSON from a peer is held to core's bounds before JSON.parse, the state header too. A state nested 5,000 deep
  // fits in a 16 KB header, parses, and then makes every setState / success() of the handler throw a stack overflow
  // (JSON.stringify cannot re-encode it), so such a state reads as invalid: {}.
  test("a state past core's JSON bounds (nested 65 levels) decodes to {}; one nested 64 levels is kept", () => {
    const nested = (depth: number) => `{"a":${"[".repeat(depth - 1)}${"]".repeat(depth - 1)}}`;
    const header = (depth: number) => Buffer.from(nested(depth)).toString("base64");
    expect(decodeConnectionState(header(65))).toEqual({});
    expect(decodeConnectionState(header(64))).toEqual(JSON.parse(nested(64)));
    expect(decodeConnectionState(header(5000))).toEqual({});
  });

  test("encode rejects non-objects", () => {
    expect(() => encodeConnectionState([] as never)).toThrow(TypeError);
    expect(() => encodeConnectionState(null as never)).toThrow(TypeError);
  });
});
