// A jsonPath, a mode or a variable name from the caller (or the recording's environment) reaches the recorder's errors
// through core's shown/shownValue (JSON-quoted, its first 64 characters, then "..."; an object by its type), never
// whole; a short value is still named in full. Variables are looked up as the recording's own keys.
import { writeFile } from "node:fs/promises";
import { thrownMessage } from "@webpubsub/test-kit";
import { describe, expect, it } from "vitest";
import { createRecorder, getTestMode, RecordingMismatchError } from "../src/index.ts";
import { compileJsonPath } from "../src/json-path.ts";
import { tempDirPerTest } from "./helpers.ts";

/** 10,000 characters: the first 64 are "a", the rest "b" (so the cut shows in the quoted text). */
const HUGE = `${"a".repeat(64)}${"b".repeat(9_936)}`;
const HUGE_SHOWN = `"${"a".repeat(64)}"...`;

const tmp = tempDirPerTest();

describe("the recorder's errors show the caller's values bounded", () => {
  it("TEST_MODE", async () => {
    const huge = await thrownMessage(() => getTestMode({ TEST_MODE: HUGE }));
    expect(huge).toBe(`TEST_MODE must be one of "playback", "record" or "live" (got ${HUGE_SHOWN})`);
    expect(await thrownMessage(() => getTestMode({ TEST_MODE: "recording" }))).toBe(
      'TEST_MODE must be one of "playback", "record" or "live" (got "recording")',
    );
  });

  it("options.mode", async () => {
    const mode = (value: unknown) =>
      thrownMessage(() => createRecorder(undefined, { mode: value as "live", recordingPath: "x" }));
    expect(await mode(HUGE)).toBe(`options.mode must be "playback", "record" or "live" (got ${HUGE_SHOWN})`);
    expect(await mode("replay")).toBe('options.mode must be "playback", "record" or "live" (got "replay")');
    expect(await mode({ long: HUGE })).toBe('options.mode must be "playback", "record" or "live" (got object)');
  });

  it("a jsonPath that does not start with $, one with a syntax error, and an unsupported selector", async () => {
    expect(await thrownMessage(() => compileJsonPath(HUGE))).toBe(
      `jsonPath must be a string starting with "$" (got ${HUGE_SHOWN})`,
    );
    expect(await thrownMessage(() => compileJsonPath({ path: HUGE } as never))).toBe(
      'jsonPath must be a string starting with "$" (got object)',
    );
    expect(await thrownMessage(() => compileJsonPath("token"))).toBe(
      'jsonPath must be a string starting with "$" (got "token")',
    );

    const syntax = await thrownMessage(() => compileJsonPath(`$.${HUGE}[0`));
    expect(syntax).toBe(`jsonPath "$.${"a".repeat(62)}"...: missing "]" at position ${HUGE.length + 2}`);
    expect(await thrownMessage(() => compileJsonPath("$.a[0"))).toBe('jsonPath "$.a[0": missing "]" at position 3');

    const selector = await thrownMessage(() => compileJsonPath(`$[?${HUGE}]`));
    expect(selector).toContain(`unsupported selector "[?${"a".repeat(62)}"...`);
    expect(selector.length).toBeLessThan(250);
    expect(await thrownMessage(() => compileJsonPath("$.a[?(@.x)]"))).toBe(
      'jsonPath "$.a[?(@.x)]": unsupported selector "[?(@.x)]" at position 11',
    );
  });

  it("a variable name, in playback (missing from the recording) and in record mode (no value given)", async () => {
    const recordingPath = tmp.path("vars.json");
    await writeFile(recordingPath, JSON.stringify({ Entries: [], Variables: { known: "v" } }));
    const play = await createRecorder(undefined, { mode: "playback", recordingPath, env: {} });
    const missing = await thrownMessage(() => play.variable(HUGE));
    expect(missing).toBe(
      `Variable ${HUGE_SHOWN} is not in the recording ${recordingPath}; re-record with TEST_MODE=record`,
    );
    expect(await thrownMessage(() => play.variable("gone"))).toContain('Variable "gone" is not in the recording');
    expect(play.variable("known")).toBe("v");
    await play.stop();

    const record = await createRecorder(undefined, { mode: "record", recordingPath: tmp.path("rec.json"), env: {} });
    expect(await thrownMessage(() => record.variable(HUGE))).toBe(
      `valueInRecordMode must be a string in record mode (variable ${HUGE_SHOWN})`,
    );
    expect(await thrownMessage(() => record.variable("x"))).toBe(
      'valueInRecordMode must be a string in record mode (variable "x")',
    );
    await record.stop();
  });

  it.each(["toString", "constructor", "hasOwnProperty"])(
    "%s (an Object.prototype name) is a variable the recording lacks, not a function handed back",
    async (name) => {
      const recordingPath = tmp.path("vars.json");
      await writeFile(recordingPath, JSON.stringify({ Entries: [], Variables: {} }));
      const play = await createRecorder(undefined, { mode: "playback", recordingPath, env: {} });
      expect(() => play.variable(name)).toThrow(RecordingMismatchError);
      expect(() => play.variable(name)).toThrow(`Variable "${name}" is not in the recording`);
      await play.stop();
    },
  );
});

describe("a playback mismatch shows each part of the request, session or frame bounded", () => {
  const LONG = "q".repeat(50_000);

  it("an unmatched request: its URI, path, query key and values, method and body", async () => {
    const recordingPath = tmp.path("entries.json");
    const entry = {
      RequestUri: `https://fake.webpubsub.azure.com/api/${"p".repeat(2_000)}?k=${LONG}`,
      RequestMethod: "POST",
      RequestHeaders: {},
      RequestBody: null,
      StatusCode: 200,
      ResponseHeaders: {},
      ResponseBody: null,
    };
    await writeFile(recordingPath, JSON.stringify({ Entries: [entry], Variables: {} }));
    const play = await createRecorder(undefined, { mode: "playback", recordingPath, env: {} });
    const message = await thrownMessage(() =>
      play.fetch(`https://h.example/api/${"x".repeat(2_000)}?k=${LONG}x&${LONG}=1`, {
        method: "POST",
        body: LONG,
        headers: { "content-type": "text/plain" },
      }),
    );
    await expect(play.stop()).rejects.toThrow(RecordingMismatchError);
    expect(message).toContain("Unmatched request in playback");
    expect(message).toContain(`path: request https://fake.webpubsub.azure.com/api/${"x".repeat(200)}`);
    expect(message).toContain(`query "k": request "${"q".repeat(100)}`);
    // every part at most 300 characters and a cut mark: the whole message stays near 10 parts of that size
    expect(message.length).toBeLessThan(4_000);
    expect(message).not.toContain("q".repeat(301));
  });

  it("a short request is still shown whole", async () => {
    const recordingPath = tmp.path("short.json");
    await writeFile(recordingPath, JSON.stringify({ Entries: [], Variables: {} }));
    const play = await createRecorder(undefined, { mode: "playback", recordingPath, env: {} });
    const message = await thrownMessage(() => play.fetch("https://h.example/api/a?k=v", { method: "GET" }));
    await expect(play.stop()).rejects.toThrow(RecordingMismatchError);
    expect(message).toContain("    GET https://fake.webpubsub.azure.com/api/a?k=v\n");
  });

  it("an unmatched WebSocket connection: its URL and subprotocols", async () => {
    const recordingPath = tmp.path("sessions.json");
    const session = {
      Url: `wss://fake.webpubsub.azure.com/client?${LONG}`,
      Protocols: [LONG],
      Protocol: "",
      Frames: [],
    };
    await writeFile(recordingPath, JSON.stringify({ Entries: [], Variables: {}, WebSocketSessions: [session] }));
    const play = await createRecorder(undefined, { mode: "playback", recordingPath, env: {} });
    const message = await thrownMessage(() => play.webSocketFactory(`wss://h.example/client?${LONG}x`, [`${LONG}x`]));
    await expect(play.stop()).rejects.toThrow(RecordingMismatchError);
    expect(message).toContain("Unmatched WebSocket connection in playback");
    expect(message.length).toBeLessThan(3_000);
    expect(message).not.toContain("q".repeat(301));
  });

  it("an unmatched binary frame: the frame sent and the one recorded", async () => {
    const recordingPath = tmp.path("frames.json");
    const big = Buffer.alloc(30_000, 1).toString("base64");
    const session = {
      Url: "wss://fake.webpubsub.azure.com/client",
      Protocols: [],
      Protocol: "",
      Frames: [
        { Direction: "Received", Event: "open" },
        { Direction: "Sent", Event: "message", Binary: big },
      ],
    };
    await writeFile(recordingPath, JSON.stringify({ Entries: [], Variables: {}, WebSocketSessions: [session] }));
    const play = await createRecorder(undefined, { mode: "playback", recordingPath, env: {} });
    const socket = play.webSocketFactory("wss://h.example/client");
    await new Promise((resolve) => socket.addEventListener("open", resolve, { once: true }));
    const closed = new Promise((resolve) => socket.addEventListener("close", resolve, { once: true }));
    socket.send(new Uint8Array(30_000).fill(2));
    await closed;
    const message = await thrownMessage(() => play.stop());
    expect(message).toContain("Unmatched WebSocket frame in playback");
    expect(message).toContain("binary payloads differ");
    expect(message.length).toBeLessThan(2_000);
  });
});
