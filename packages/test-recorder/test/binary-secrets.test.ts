// Secrets inside binary WebSocket frames: the scan decodes them, the built-in secret sanitizers rewrite them without
// changing their length (so protobuf frames still decode in playback), and user regexes leave binary data alone.
// The same rules over a real protobuf session against the emulator: binary-secrets-emulator.test.ts.
import { describe, expect, it } from "vitest";
import { FAKE_ACCESS_KEY, JWT_PATTERN, type RecordingFile, scanRecording, type WebSocketFrame } from "../src/index.ts";
import {
  binaryMask,
  compileSanitizer,
  connectionStringKeyStep,
  jwtStep,
  literalStep,
  sanitizeSession,
} from "../src/sanitizers.ts";
import { ACCESS_KEY, signJwt } from "./helpers.ts";

const jwt = signJwt({ aud: "https://x/client/hubs/chat", sub: "u", iat: 1 }, ACCESS_KEY);
const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString("base64");
const bytesOf = (base64: string) => Buffer.from(base64, "base64");
/** Some protobuf-like framing around a payload: a tag, a one-byte length, the payload, a trailing field. */
const framed = (payload: string) =>
  Buffer.concat([Buffer.from([0x1a, payload.length]), Buffer.from(payload), Buffer.from([0x20, 0x07])]);

function fileWith(frames: WebSocketFrame[]): RecordingFile {
  return {
    Entries: [],
    Variables: {},
    WebSocketSessions: [{ Url: "wss://fake/client/hubs/chat", Protocols: [], Protocol: "", Frames: frames }],
  };
}

describe("secret scan of binary frames", () => {
  it("flags a JWT and a configured secret inside base64 binary frames, and nothing in clean ones", () => {
    const file = fileWith([
      { Direction: "Received", Event: "message", Binary: b64(framed(jwt)) },
      { Direction: "Sent", Event: "message", Binary: b64(ACCESS_KEY) },
      { Direction: "Sent", Event: "message", Binary: b64(new Uint8Array([0, 1, 2, 255])) },
    ]);
    expect(scanRecording(file, [ACCESS_KEY])).toEqual([
      { location: "WebSocketSessions[0].Frames[0] (base64-decoded)", kind: "JWT" },
      { location: "WebSocketSessions[0].Frames[1] (base64-decoded)", kind: "configured secret", secretIndex: 0 },
    ]);
    expect(
      scanRecording(fileWith([{ Direction: "Sent", Event: "message", Binary: b64("no secret here") }]), []),
    ).toEqual([]);
  });
});

describe("sanitizing binary frames", () => {
  const frame = (bytes: Uint8Array): WebSocketFrame => ({
    Direction: "Received",
    Event: "message",
    Binary: b64(bytes),
  });
  const sanitizeOne = (bytes: Uint8Array, steps: Parameters<typeof sanitizeSession>[1]) =>
    bytesOf(sanitizeSession(fileWith([frame(bytes)]).WebSocketSessions![0]!, steps).Frames[0]!.Binary!);

  it("masks a JWT in place with a mask of its length, so the framing around it still holds", () => {
    const out = sanitizeOne(framed(`token ${jwt}`), [jwtStep()]);
    expect(out.length).toBe(framed(`token ${jwt}`).length);
    expect(out.toString("latin1")).toBe(framed(`token ${binaryMask(jwt.length)}`).toString("latin1"));
    expect(out.toString("latin1")).not.toMatch(new RegExp(JWT_PATTERN.source));
  });

  it("uses the text replacement when it has the same length (a 44-character key), a mask otherwise", () => {
    const shortKey = "c2hvcnQta2V5";
    const step = literalStep(
      "environment values",
      new Map([
        [ACCESS_KEY, FAKE_ACCESS_KEY],
        [shortKey, "much-longer-fake-value"],
      ]),
    );
    expect(sanitizeOne(Buffer.from(`k=${ACCESS_KEY};`), [step]).toString()).toBe(`k=${FAKE_ACCESS_KEY};`);
    expect(sanitizeOne(Buffer.from(`k=${shortKey};`), [step]).toString()).toBe(`k=${binaryMask(shortKey.length)};`);
    const cs = `Endpoint=https://a;AccessKey=${ACCESS_KEY};`;
    expect(sanitizeOne(Buffer.from(cs), [connectionStringKeyStep()]).toString()).toBe(
      `Endpoint=https://a;AccessKey=${FAKE_ACCESS_KEY};`,
    );
  });

  it("leaves binary frames to the built-in secret steps: user regexes never rewrite bytes", () => {
    const bytes = Buffer.from("user-42 \u0000\u0001 binary");
    expect(sanitizeOne(bytes, [compileSanitizer({ regex: "user-\\d+" }, 0)])).toEqual(bytes);
    expect(sanitizeOne(bytes, [jwtStep(), connectionStringKeyStep()])).toEqual(bytes);
  });

  it("is idempotent: a sanitized frame sanitized again is unchanged", () => {
    const once = sanitizeOne(framed(jwt), [jwtStep()]);
    expect(sanitizeOne(once, [jwtStep()])).toEqual(once);
  });
});
