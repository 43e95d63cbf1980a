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
