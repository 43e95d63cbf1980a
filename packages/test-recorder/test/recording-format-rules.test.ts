// The test-proxy format's rules: which content types are JSON or text, how each body is stored and read back, the
// request and response halves of an entry, and what a recording file must hold (each refusal naming the field).
import { describe, expect, it } from "vitest";
import {
  decodeBody,
  deleteHeader,
  encodeBody,
  getHeader,
  isJsonContentType,
  isTextContentType,
  parseRecording,
  requestPart,
  responsePart,
  serializeRecording,
} from "../src/recording-format.ts";

const bytes = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));
const text = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString("utf8"));

describe("headers", () => {
  it("are found and removed by name in any case", () => {
    const headers = { "Content-Type": "a", "content-type": "b", Other: "c" };
    expect(getHeader(headers, "CONTENT-TYPE")).toBe("a");
    expect(getHeader(headers, "missing")).toBeUndefined();
    deleteHeader(headers, "Content-type");
    expect(headers).toEqual({ Other: "c" });
  });
});

describe("content types", () => {
  it("JSON: application/json, text/json and any +json type, parameters and case ignored", () => {
    for (const t of [
      "application/json",
      " Application/JSON ; charset=utf-8",
      "text/json",
      "application/problem+json",
    ]) {
      expect(isJsonContentType(t)).toBe(true);
    }
    for (const t of [undefined, "", "application/jsonx", "application/json-seq", "text/plain", "application/xml"]) {
      expect(isJsonContentType(t)).toBe(false);
    }
  });

  it("text: text/*, JSON, XML, forms and scripts; anything else, or none, is binary", () => {
    for (const t of [
      "text/plain",
      "TEXT/HTML; charset=utf-8",
      "application/json",
      "application/atom+xml",
      "application/xml",
      "application/x-www-form-urlencoded",
      "application/javascript",
      "application/ecmascript",
    ]) {
      expect(isTextContentType(t)).toBe(true);
    }
    for (const t of [
      undefined,
      "",
      " ; charset=utf-8",
      "application/octet-stream",
      "application/xml-dtd",
      "image/png",
    ]) {
      expect(isTextContentType(t)).toBe(false);
    }
  });
});

describe("bodies", () => {
  it("store JSON objects and arrays as JSON values, any other JSON as its text", () => {
    expect(encodeBody(bytes("[1,2]"), "application/json")).toEqual([1, 2]);
    expect(encodeBody(bytes("null"), "application/json")).toBe("null");
    expect(encodeBody(bytes("12"), "application/json")).toBe("12");
    expect(encodeBody(bytes("true"), "text/json")).toBe("true");
  });

  it("keep as text JSON whose numbers would not read back as written, so a replay answers the same bytes", () => {
    for (const body of ['{"id":12345678901234567891}', '{"ratio":1.0}', "[1e2]", '{"a":[{"b":-0}]}']) {
      expect(encodeBody(bytes(body), "application/json"), body).toBe(body);
      expect(text(decodeBody(encodeBody(bytes(body), "application/json"), "application/json"))).toBe(body);
    }
    // numbers written the way they read back stay a JSON value, at any depth
    expect(encodeBody(bytes('{"id":9007199254740991,"r":1.5,"e":1e+21,"n":[-2]}'), "application/json")).toEqual({
      id: 9007199254740991,
      r: 1.5,
      e: 1e21,
      n: [-2],
    });
  });

  it("store text as text and anything else as base64; no bytes as null", () => {
    expect(encodeBody(bytes("<a/>"), "application/xml")).toBe("<a/>");
    expect(encodeBody(bytes("{}"), "application/octet-stream")).toBe(Buffer.from("{}").toString("base64"));
    expect(encodeBody(undefined, "application/json")).toBeNull();
    expect(encodeBody(new Uint8Array(), "application/octet-stream")).toBeNull();
    expect(encodeBody(new Uint8Array([0]), "application/octet-stream")).toBe("AA==");
  });

  it("read back JSON values as JSON text, strings by the content type, and nothing as null", () => {
    expect(text(decodeBody({ a: [1] }, "application/octet-stream"))).toBe('{"a":[1]}');
    expect(text(decodeBody(5, undefined))).toBe("5");
    expect(text(decodeBody("aGk=", "text/plain"))).toBe("aGk=");
    expect(text(decodeBody("aGk=", "application/octet-stream"))).toBe("hi");
    expect(text(decodeBody("aGk=", undefined))).toBe("hi");
    expect(decodeBody("", "application/octet-stream")).toBeNull();
    expect(decodeBody(undefined as never, "text/plain")).toBeNull();
  });
});

describe("entry halves", () => {
  it("the request: method upper-cased, body stored by the request's content type", () => {
    expect(requestPart("https://h/x", "post", { "CONTENT-TYPE": "application/json" }, bytes('{"a":1}'))).toEqual({
      RequestUri: "https://h/x",
      RequestMethod: "POST",
      RequestHeaders: { "CONTENT-TYPE": "application/json" },
      RequestBody: { a: 1 },
    });
    expect(requestPart("https://h/x", "get", {}, null).RequestBody).toBeNull();
  });

  it("the response: Content-Encoding removed (the body stored is decoded), body by the response's content type", () => {
    const headers = { "Content-Encoding": "gzip", "Content-Type": "text/plain" };
    expect(responsePart(200, headers, bytes("hi"))).toEqual({
      StatusCode: 200,
      ResponseHeaders: { "Content-Type": "text/plain" },
      ResponseBody: "hi",
    });
    expect(headers).toEqual({ "Content-Type": "text/plain" });
  });
});

describe("recording files", () => {
  const entry = { RequestUri: "https://h/x", RequestMethod: "GET", StatusCode: 200 };
  const parse = (value: unknown) => parseRecording(JSON.stringify(value), "r.json");

  it("fill what an entry may leave out: no headers, no bodies, no variables", () => {
    expect(parse({ Entries: [entry] })).toEqual({
      Entries: [{ ...entry, RequestHeaders: {}, RequestBody: null, ResponseHeaders: {}, ResponseBody: null }],
      Variables: {},
    });
    expect(parse({ Entries: [{ ...entry, RequestHeaders: null, ResponseBody: "x" }], Variables: { a: "1" } })).toEqual({
      Entries: [{ ...entry, RequestHeaders: {}, RequestBody: null, ResponseHeaders: {}, ResponseBody: "x" }],
      Variables: { a: "1" },
    });
  });

  it("join multi-value headers with a comma and read other values as text", () => {
    const file = parse({ Entries: [{ ...entry, ResponseHeaders: { a: ["1", 2], n: 5 } }], Variables: { v: 3 } });
    expect(file.Entries[0]!.ResponseHeaders).toEqual({ a: "1, 2", n: "5" });
    expect(file.Variables).toEqual({ v: "3" });
  });

  it("refuse each malformed field, naming it and the file", () => {
    expect(() => parseRecording("null", "r.json")).toThrow(
      new TypeError('r.json must be a JSON object with "Entries"'),
    );
    expect(() => parse({ Entries: {} })).toThrow(new TypeError('r.json: "Entries" must be an array'));
    expect(() => parse({ Entries: [[]] })).toThrow(new TypeError("r.json: Entries[0] must be an object"));
    expect(() => parse({ Entries: [entry, { ...entry, RequestMethod: 1 }] })).toThrow(
      new TypeError("r.json: Entries[1].RequestMethod must be a string"),
    );
    expect(() => parse({ Entries: [{ ...entry, StatusCode: "200" }] })).toThrow(
      new TypeError("r.json: Entries[0].StatusCode must be a number"),
    );
    expect(() => parse({ Entries: [{ ...entry, RequestHeaders: [] }] })).toThrow(
      new TypeError("r.json: Entries[0].RequestHeaders must be an object of strings"),
    );
    expect(() => parse({ Entries: [{ ...entry, ResponseHeaders: "x" }] })).toThrow(
      new TypeError("r.json: Entries[0].ResponseHeaders must be an object of strings"),
    );
    expect(() => parse({ Entries: [], Variables: [] })).toThrow(
      new TypeError("r.json: Variables must be an object of strings"),
    );
    expect(() => parseRecording("{", "r.json")).toThrow(/^r\.json is not valid JSON: /);
    expect(() => parseRecording('{"Entries":{}}')).toThrow(new TypeError('recording: "Entries" must be an array'));
  });

  it("read WebSocket sessions: subprotocols as text, the selected one or empty, frames with a direction and event", () => {
    const frames = [
      { Direction: "Received", Event: "open" },
      { Direction: "Sent", Event: "message", Text: "x" },
    ];
    const file = parse({
      Entries: [],
      WebSocketSessions: [
        { Url: "wss://h", Protocols: ["a", 1], Protocol: "a", Frames: frames },
        { Url: "wss://h", Protocols: "a", Protocol: 5, Frames: [] },
      ],
    });
    expect(file.WebSocketSessions).toEqual([
      { Url: "wss://h", Protocols: ["a", "1"], Protocol: "a", Frames: frames },
      { Url: "wss://h", Protocols: [], Protocol: "", Frames: [] },
    ]);
    expect(parse({ Entries: [] })).not.toHaveProperty("WebSocketSessions");
  });

  it("refuse malformed WebSocket sessions and frames, naming them", () => {
    const session = { Url: "wss://h", Frames: [] };
    expect(() => parse({ Entries: [], WebSocketSessions: {} })).toThrow(
      new TypeError('r.json: "WebSocketSessions" must be an array'),
    );
    const bad = 'r.json: WebSocketSessions[1] must have a string "Url" and a "Frames" array';
    expect(() => parse({ Entries: [], WebSocketSessions: [session, null] })).toThrow(new TypeError(bad));
    expect(() => parse({ Entries: [], WebSocketSessions: [session, { Frames: [] }] })).toThrow(new TypeError(bad));
    expect(() => parse({ Entries: [], WebSocketSessions: [session, { Url: "u", Frames: {} }] })).toThrow(
      new TypeError(bad),
    );
    const frame = (f: unknown) => () =>
      parse({ Entries: [], WebSocketSessions: [{ ...session, Frames: [{ Direction: "Sent", Event: "open" }, f] }] });
    const badFrame = new TypeError(
      'r.json: WebSocketSessions[0].Frames[1] must have "Direction" (Sent|Received) and "Event"',
    );
    expect(frame("x")).toThrow(badFrame);
    expect(frame({ Direction: "sent", Event: "open" })).toThrow(badFrame);
    expect(frame({ Direction: "Received" })).toThrow(badFrame);
    expect(frame({ Direction: "Received", Event: 1 })).toThrow(badFrame);
    expect(frame({ Direction: "Received", Event: "close" })).not.toThrow();
  });

  it("serialize WebSocket sessions when there are some", () => {
    const sessions = [{ Url: "wss://h", Protocols: [], Protocol: "", Frames: [] }];
    const out = serializeRecording({ Entries: [], Variables: {}, WebSocketSessions: sessions });
    expect(JSON.parse(out)).toEqual({ Entries: [], Variables: {}, WebSocketSessions: sessions });
    expect(out.endsWith("}\n")).toBe(true);
    expect(JSON.parse(serializeRecording({ Entries: [], Variables: {} }))).toEqual({ Entries: [], Variables: {} });
  });
});
