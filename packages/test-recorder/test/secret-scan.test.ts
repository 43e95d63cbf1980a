// The scan a record run makes before writing: every configured secret (raw, JSON-escaped or URL-encoded) and any JWT,
// in every field of every entry, variable and WebSocket session, inside base64 bodies and binary frames too, each
// finding naming where it is and never the secret.
import { describe, expect, it } from "vitest";
import { type RecordEntry, type RecordingFile, scanRecording } from "../src/index.ts";
import { ACCESS_KEY, signJwt } from "./helpers.ts";

const jwt = signJwt({ sub: "u" }, ACCESS_KEY);
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

function entry(over: Partial<RecordEntry> = {}): RecordEntry {
  return {
    RequestUri: "https://fake/api",
    RequestMethod: "POST",
    RequestHeaders: { "Content-Type": "text/plain" },
    RequestBody: null,
    StatusCode: 200,
    ResponseHeaders: {},
    ResponseBody: null,
    ...over,
  };
}
const withEntry = (over: Partial<RecordEntry>): RecordingFile => ({ Entries: [entry(), entry(over)], Variables: {} });
const configured = (location: string, secretIndex = 0) => ({ location, kind: "configured secret", secretIndex });

describe("configured secrets", () => {
  const SECRET = "abcdef";

  it("are found as a part of any field, and a value one character short is not the secret", () => {
    expect(scanRecording(withEntry({ RequestUri: "https://fake/api?k=abcdefg" }), [SECRET])).toEqual([
      configured("Entries[1].RequestUri"),
    ]);
    expect(scanRecording(withEntry({ RequestUri: "https://fake/api?k=abcde" }), [SECRET])).toEqual([]);
    expect(scanRecording(withEntry({ RequestUri: "https://fake/api?k=bcdef" }), [SECRET])).toEqual([]);
  });

  it("are found in headers, bodies, the method and the status, each finding naming its field", () => {
    const file = withEntry({
      RequestMethod: "abcdef",
      RequestHeaders: { "x-key": "abcdef" },
      RequestBody: "text abcdef",
      ResponseHeaders: { abcdef: "as a name" },
      ResponseBody: { nested: ["abcdef"] },
    });
    expect(scanRecording(file, [SECRET])).toEqual([
      configured("Entries[1].RequestMethod"),
      configured("Entries[1].RequestHeaders"),
      configured("Entries[1].RequestBody"),
      configured("Entries[1].ResponseHeaders"),
      configured("Entries[1].ResponseBody"),
    ]);
    expect(scanRecording(withEntry({ StatusCode: 123456 }), ["2345"])).toEqual([configured("Entries[1].StatusCode")]);
  });

  it("are found JSON-escaped in JSON bodies and URL-encoded in URIs, raw everywhere", () => {
    const quoted = 'pa"ss\\word';
    expect(scanRecording(withEntry({ ResponseBody: { v: `x${quoted}x` } }), [quoted])).toEqual([
      configured("Entries[1].ResponseBody"),
    ]);
    // raw in a text body
    expect(scanRecording(withEntry({ ResponseBody: `x${quoted}x` }), [quoted])).toEqual([
      configured("Entries[1].ResponseBody"),
    ]);
    const key = "k+y/z=";
    expect(scanRecording(withEntry({ RequestUri: "https://fake/api?key=k%2By%2Fz%3D" }), [key])).toEqual([
      configured("Entries[1].RequestUri"),
    ]);
    // the encoded form of another value is not this secret
    expect(scanRecording(withEntry({ RequestUri: "https://fake/api?key=k%2By%2Fz%3E" }), [key])).toEqual([]);
  });

  it("are looked for in a text field as it is written, not in its JSON quoting", () => {
    // the field holds abc, the secret is "abc with its leading quote: no finding
    expect(scanRecording(withEntry({ RequestUri: "abc" }), ['"abc'])).toEqual([]);
    expect(scanRecording(withEntry({ RequestUri: '"abc' }), ['"abc'])).toEqual([configured("Entries[1].RequestUri")]);
  });

  it("are found decoded inside base64 bodies, request and response, besides any raw finding", () => {
    expect(scanRecording(withEntry({ RequestBody: b64("xxabcdefxx") }), [SECRET])).toEqual([
      configured("Entries[1].RequestBody (base64-decoded)"),
    ]);
    expect(scanRecording(withEntry({ ResponseBody: b64("abcdef") }), [SECRET])).toEqual([
      configured("Entries[1].ResponseBody (base64-decoded)"),
    ]);
    // every padding form: no padding, "=" and "=="
    for (const text of ["abcdef", "abcdef1", "abcdef12"]) {
      expect(scanRecording(withEntry({ ResponseBody: b64(text) }), [SECRET])).toHaveLength(1);
    }
    // text that is not base64 as a whole is not decoded, nor is base64 in another field
    expect(scanRecording(withEntry({ ResponseBody: `${b64("abcdef")} ` }), [SECRET])).toEqual([]);
    expect(scanRecording(withEntry({ ResponseBody: `!${b64("abcdef")}` }), [SECRET])).toEqual([]);
    expect(scanRecording(withEntry({ RequestUri: b64("abcdef") }), [SECRET])).toEqual([]);
    expect(scanRecording(withEntry({ RequestHeaders: { h: b64("abcdef") } }), [SECRET])).toEqual([]);
    // base64 cut short of a whole group is not base64 either
    expect(scanRecording(withEntry({ ResponseBody: b64("abcdef1").slice(0, 9) }), [SECRET])).toEqual([]);
  });

  it("are reported by their index, never by value; empty secrets are ignored", () => {
    const findings = scanRecording(withEntry({ RequestUri: "https://fake/api?a=one&b=two" }), ["", "two", "one"]);
    expect(findings).toEqual([configured("Entries[1].RequestUri", 1), configured("Entries[1].RequestUri", 2)]);
    expect(JSON.stringify(findings)).not.toMatch(/one|two/);
    expect(scanRecording(withEntry({}), [""])).toEqual([]);
  });

  it("are found in variables and in every part of a WebSocket session", () => {
    const file: RecordingFile = {
      Entries: [],
      Variables: { clean: "nothing", name: "id-abcdef" },
      WebSocketSessions: [
        { Url: "wss://fake/c", Protocols: [], Protocol: "", Frames: [] },
        {
          Url: "wss://fake/c?k=abcdef",
          Protocols: ["abcdef"],
          Protocol: "abcdef",
          Frames: [
            { Direction: "Sent", Event: "message", Text: "clean" },
            { Direction: "Received", Event: "message", Text: '{"k":"abcdef"}' },
            { Direction: "Received", Event: "close", Code: 1000, Reason: "abcdef" },
            { Direction: "Sent", Event: "message", Binary: b64("..abcdef..") },
          ],
        },
      ],
    };
    expect(scanRecording(file, [SECRET])).toEqual([
      configured("Variables.name"),
      configured("WebSocketSessions[1].Url"),
      configured("WebSocketSessions[1].Protocols"),
      configured("WebSocketSessions[1].Protocol"),
      configured("WebSocketSessions[1].Frames[1]"),
      configured("WebSocketSessions[1].Frames[2]"),
      configured("WebSocketSessions[1].Frames[3] (base64-decoded)"),
    ]);
  });
});

describe("JWTs", () => {
  it("are found anywhere without being configured", () => {
    const file: RecordingFile = {
      Entries: [entry({ ResponseBody: { token: jwt } })],
      Variables: { t: jwt },
      WebSocketSessions: [{ Url: `wss://fake/c?access_token=${jwt}`, Protocols: [], Protocol: "", Frames: [] }],
    };
    expect(scanRecording(file, [])).toEqual([
      { location: "Entries[0].ResponseBody", kind: "JWT" },
      { location: "Variables.t", kind: "JWT" },
      { location: "WebSocketSessions[0].Url", kind: "JWT" },
    ]);
  });

  it("are found in every field scanned, with the scan kept stateless between fields", () => {
    // a global regex would resume after its last match and miss the second field
    const file: RecordingFile = { Entries: [], Variables: { a: jwt, b: jwt, c: jwt } };
    expect(scanRecording(file, []).map((f) => f.location)).toEqual(["Variables.a", "Variables.b", "Variables.c"]);
  });

  it("need the three segments of a JWT", () => {
    const [header, payload] = jwt.split(".");
    const file: RecordingFile = { Entries: [], Variables: { a: `${header}.${payload}`, b: "eyJ.eyJ." } };
    expect(scanRecording(file, [])).toEqual([{ location: "Variables.b", kind: "JWT" }]);
  });
});
