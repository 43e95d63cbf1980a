// Secrets inside binary WebSocket frames: the scan decodes them, the built-in secret sanitizers rewrite them without
// changing their length (so protobuf frames still decode in playback), and user regexes leave binary data alone.
import { readFile } from "node:fs/promises";
import { protobufCodec } from "@webpubsub/core";
import { startEmulator } from "@webpubsub/emulator";
import { counterWaiter } from "@webpubsub/test-kit";
import { describe, expect, it } from "vitest";
import { WebSocket as WsWebSocket } from "ws";
import {
  createRecorder,
  FAKE_ACCESS_KEY,
  JWT_PATTERN,
  parseRecording,
  type Recorder,
  type RecordingFile,
  scanRecording,
  type WebSocketFrame,
} from "../src/index.ts";
import {
  binaryMask,
  compileSanitizer,
  connectionStringKeyStep,
  jwtStep,
  literalStep,
  sanitizeSession,
} from "../src/sanitizers.ts";
import { emulatorRest } from "./emulator-rest.ts";
import { ACCESS_KEY, signJwt, tempDirPerTest } from "./helpers.ts";

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

const PROTOBUF = "protobuf.reliable.webpubsub.azure.v1";

/**
 * The reliable protobuf subprotocol puts the reconnection token (a JWT) in the binary `connected` frame; the client
 * then sends its access key as binary data to its own group and gets it back.
 */
async function protobufScenario(recorder: Recorder, env: Record<string, string | undefined>) {
  const rest = emulatorRest(recorder, env, "chat");
  const url = await rest.clientUrl("userId=carol&role=webpubsub.joinLeaveGroup&role=webpubsub.sendToGroup");
  const socket = recorder.webSocketFactory(url, PROTOBUF);
  socket.binaryType = "arraybuffer";
  const received: ReturnType<typeof protobufCodec.decodeDownstream>[] = [];
  const arrivals = counterWaiter(() => received.length);
  socket.onmessage = (e: MessageEvent) => {
    received.push(protobufCodec.decodeDownstream(new Uint8Array(e.data as ArrayBuffer)));
    arrivals.notify();
  };
  const next = (n: number) => arrivals.atLeast(n);
  const closed = new Promise<number>((resolve) => {
    socket.onclose = (e: CloseEvent) => resolve(e.code);
  });
  await next(1); // connected
  socket.send(protobufCodec.encodeUpstream({ type: "joinGroup", group: "g", ackId: 1 }));
  await next(2); // ack
  const data = new TextEncoder().encode(rest.key);
  socket.send(protobufCodec.encodeUpstream({ type: "sendToGroup", group: "g", ackId: 2, dataType: "binary", data }));
  await next(4); // the group message and its ack, in either order
  socket.close(1000);
  return { received, closed: await closed };
}

const tmp = tempDirPerTest();

describe("a protobuf session against the emulator", () => {
  it("writes no reconnection token and no key from binary frames, and the sanitized frames replay and decode", async () => {
    const recordingPath = tmp.path("protobuf.json");
    const emulator = await startEmulator({ port: 0 });
    let recorded: Awaited<ReturnType<typeof protobufScenario>>;
    try {
      const env: Record<string, string | undefined> = { AZURE_WEBPUBSUB_CONNECTION_STRING: emulator.connectionString };
      const recorder = await createRecorder(undefined, {
        mode: "record",
        recordingPath,
        env,
        webSocketFactory: (u, p) => new WsWebSocket(u, p),
      });
      recorded = await protobufScenario(recorder, env);
      await recorder.stop();
    } finally {
      await emulator.close();
    }
    const connected = recorded.received[0] as { event: string; reconnectionToken: string };
    expect(connected.event).toBe("connected");
    expect(connected.reconnectionToken).toMatch(new RegExp(`^${JWT_PATTERN.source}$`));

    const file = parseRecording(await readFile(recordingPath, "utf8"));
    const binary = file
      .WebSocketSessions![0]!.Frames.filter((f) => f.Binary !== undefined)
      .map((f) => bytesOf(f.Binary!).toString("latin1"));
    expect(binary.length).toBeGreaterThanOrEqual(5);
    for (const bytes of binary) {
      expect(bytes).not.toMatch(new RegExp(JWT_PATTERN.source));
      expect(bytes).not.toContain(emulator.accessKey);
    }

    // Playback: the frames decode; the token is a mask of its length, the key the fake key the client now sends.
    const env: Record<string, string | undefined> = {};
    const recorder = await createRecorder(undefined, { mode: "playback", recordingPath, env });
    const replayed = await protobufScenario(recorder, env);
    await recorder.stop();
    expect(replayed.received[0]).toEqual({
      ...connected,
      reconnectionToken: binaryMask(connected.reconnectionToken.length),
    });
    const echoed = replayed.received.find((m) => m.type === "message") as { data: Uint8Array } | undefined;
    expect(new TextDecoder().decode(echoed!.data)).toBe(FAKE_ACCESS_KEY);
    expect(replayed.closed).toBe(recorded.closed);
  });
});
