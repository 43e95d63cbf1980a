import { describe, expect, it } from "vitest";
import { decodeBody, encodeBody, parseRecording, serializeRecording } from "../src/index.ts";

const bytes = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));

describe("bodies in the test-proxy format", () => {
  it("stores JSON objects as JSON, text as strings, everything else as base64, empty as null", () => {
    expect(encodeBody(bytes('{"a":1}'), "application/json; charset=utf-8")).toEqual({ a: 1 });
    expect(encodeBody(bytes('{"a":1}'), "application/problem+json")).toEqual({ a: 1 });
    expect(encodeBody(bytes('"just a string"'), "application/json")).toBe('"just a string"');
    expect(encodeBody(bytes("{not json"), "application/json")).toBe("{not json");
    expect(encodeBody(bytes("hello"), "text/plain")).toBe("hello");
    expect(encodeBody(bytes("a=1&b=2"), "application/x-www-form-urlencoded")).toBe("a=1&b=2");
    expect(encodeBody(new Uint8Array([0, 0, 255]), "application/octet-stream")).toBe("AAD/");
    expect(encodeBody(new Uint8Array([104, 105]), undefined)).toBe("aGk=");
    expect(encodeBody(new Uint8Array(), "text/plain")).toBeNull();
    expect(encodeBody(null, "text/plain")).toBeNull();
  });

  it("decodes what it encodes", () => {
    for (const [body, type] of [
      ['{"a":[1,2]}', "application/json"],
      ["héllo", "text/plain; charset=utf-8"],
      ["\u0000\u0001binary", "application/octet-stream"],
      ['"x"', "application/json"],
    ] as const) {
      const encoded = encodeBody(bytes(body), type);
      expect(Buffer.from(decodeBody(encoded, type)!).toString("utf8")).toBe(body);
    }
    expect(decodeBody(null, "text/plain")).toBeNull();
    expect(decodeBody("", "text/plain")).toBeNull();
    // the official recordings' binary body
    expect([...decodeBody("AAAAAAAAAAAAAA==", "application/octet-stream")!]).toEqual(new Array(10).fill(0));
  });
});

describe("recording files", () => {
  it("parse the test-proxy shape, uppercase methods and join array header values", () => {
    const file = parseRecording(
      JSON.stringify({
        Entries: [
          {
            RequestUri: "https://e/x",
            RequestMethod: "get",
            RequestHeaders: { a: ["1", "2"] },
            StatusCode: 200,
            ResponseHeaders: {},
          },
        ],
      }),
    );
    expect(file.Entries[0]).toMatchObject({ RequestMethod: "GET", RequestHeaders: { a: "1, 2" }, RequestBody: null });
    expect(file.Variables).toEqual({});
  });

  it("reject malformed files naming the field", () => {
    expect(() => parseRecording("{", "r.json")).toThrow(/r.json is not valid JSON/);
    expect(() => parseRecording("[]", "r.json")).toThrow(/must be a JSON object with "Entries"/);
    expect(() => parseRecording('{"Entries":[{"RequestUri":1}]}', "r.json")).toThrow(
      /Entries\[0\]\.RequestUri must be a string/,
    );
    expect(() =>
      parseRecording('{"Entries":[],"WebSocketSessions":[{"Url":"x","Frames":[{"Direction":"Up"}]}]}'),
    ).toThrow(/WebSocketSessions\[0\]\.Frames\[0\] must have "Direction"/);
  });

  it("serialize with two-space indentation and omit empty WebSocket sessions", () => {
    const text = serializeRecording({ Entries: [], Variables: { a: "1" }, WebSocketSessions: [] });
    expect(text).toBe('{\n  "Entries": [],\n  "Variables": {\n    "a": "1"\n  }\n}\n');
  });
});
