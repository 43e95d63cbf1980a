// A WebSocket subprotocol is sent in the Sec-WebSocket-Protocol header, and some services take a token there (a JWT
// offered as a protocol name). The recorder treats the offered and the selected subprotocols like the URL: secrets in
// them are sanitized before the recording is written, the secret scan reads them, and playback compares them in
// their sanitized form, so a fresh token matches the recorded "Sanitized".
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  createRecorder,
  parseRecording,
  type RecordingFile,
  scanRecording,
  type WebSocketLike,
  type WebSocketSession,
} from "../src/index.ts";
import { ACCESS_KEY, signJwt, tempDirPerTest } from "./helpers.ts";

const tmp = tempDirPerTest();

/**
 * A socket that opens on the next turn selecting the first protocol offered, and closes when asked: enough for the
 * recorder to instrument, with no network.
 */
class FakeSocket extends EventTarget {
  readonly url: string;
  protocol = "";
  readyState = 0;
  readonly bufferedAmount = 0;
  readonly extensions = "";
  binaryType = "blob";
  onopen = null;
  onmessage = null;
  onclose = null;
  onerror = null;
  constructor(url: string | URL, protocols: string[]) {
    super();
    this.url = String(url);
    setImmediate(() => {
      this.protocol = protocols[0] ?? "";
      this.readyState = 1;
      this.dispatchEvent(new Event("open"));
    });
  }
  send(): void {}
  close(code = 1000, reason = ""): void {
    this.readyState = 3;
    const event = Object.assign(new Event("close"), { code, reason, wasClean: true });
    setImmediate(() => this.dispatchEvent(event));
  }
}

function fakeFactory(url: string | URL, protocols?: string | string[]): WebSocketLike {
  const list = protocols === undefined ? [] : typeof protocols === "string" ? [protocols] : protocols;
  return new FakeSocket(url, list) as unknown as WebSocketLike;
}

function once(socket: WebSocketLike, type: string): Promise<void> {
  return new Promise((resolve) => socket.addEventListener(type, () => resolve(), { once: true }));
}

/** Records one session offering `protocols` (the fake service selects the first); the protocol the socket reported. */
async function recordSession(recordingPath: string, protocols: string[]): Promise<string> {
  const recorder = await createRecorder(undefined, {
    mode: "record",
    recordingPath,
    env: {},
    webSocketFactory: fakeFactory,
  });
  const live = recorder.webSocketFactory("wss://svc/client", protocols);
  await once(live, "open");
  const selected = live.protocol;
  live.close(1000, "done");
  await once(live, "close");
  await recorder.stop();
  return selected;
}

const tokenA = signJwt({ aud: "wss://svc/client", sub: "a" }, ACCESS_KEY);
const tokenB = signJwt({ aud: "wss://svc/client", sub: "b" }, ACCESS_KEY);

describe("subprotocols", () => {
  it("a JWT offered and selected as a subprotocol is written as Sanitized, and a fresh token replays", async () => {
    const recordingPath = tmp.path("protocols.json");
    expect(await recordSession(recordingPath, [tokenA, "json.v1"])).toBe(tokenA);

    const text = await readFile(recordingPath, "utf8");
    expect(text).not.toContain(tokenA);
    const session = parseRecording(text).WebSocketSessions![0]!;
    expect(session.Protocols).toEqual(["Sanitized", "json.v1"]);
    expect(session.Protocol).toBe("Sanitized");

    // Playback: another token (as a fresh credential gives) matches, and the socket reports the protocol the client
    // offered, not the placeholder.
    const replay = await createRecorder(undefined, { mode: "playback", recordingPath, env: {} });
    const socket = replay.webSocketFactory("wss://svc/client", [tokenB, "json.v1"]);
    await once(socket, "open");
    expect(socket.protocol).toBe(tokenB);
    socket.close(1000, "done");
    await replay.stop();
  });

  it("a protocol list that differs once sanitized does not match in playback", async () => {
    const recordingPath = tmp.path("protocols.json");
    await recordSession(recordingPath, [tokenA, "json.v1"]);

    const replay = await createRecorder(undefined, { mode: "playback", recordingPath, env: {} });
    expect(() => replay.webSocketFactory("wss://svc/client", ["not-a-token", "json.v1"])).toThrow(
      /protocols: client \["not-a-token","json.v1"\], recorded \["Sanitized","json.v1"\]/,
    );
    await expect(replay.stop()).rejects.toThrow(/Unmatched WebSocket connection/);
  });

  it("the secret scan reads the offered and the selected subprotocols", () => {
    const session = (over: Partial<WebSocketSession>): RecordingFile => ({
      Entries: [],
      Variables: {},
      WebSocketSessions: [{ Url: "wss://svc/client", Protocols: [], Protocol: "", Frames: [], ...over }],
    });
    expect(scanRecording(session({ Protocols: ["json.v1", "s3cret-value"] }), ["s3cret-value"])).toEqual([
      { location: "WebSocketSessions[0].Protocols", kind: "configured secret", secretIndex: 0 },
    ]);
    expect(scanRecording(session({ Protocol: tokenA }), [])).toEqual([
      { location: "WebSocketSessions[0].Protocol", kind: "JWT" },
    ]);
    expect(scanRecording(session({ Protocols: ["json.v1"], Protocol: "json.v1" }), ["s3cret-value"])).toEqual([]);
  });
});
