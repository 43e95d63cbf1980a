import { sep } from "node:path";
import { describe, expect, it } from "vitest";
import { createRecorder, getTestMode, recordingPathFor, slugify } from "../src/index.ts";
import { identityFromContext } from "../src/recording-path.ts";

describe("recording paths", () => {
  const file = "/repo/packages/service/test/hub.test.ts";

  it("are derived from the test file and the describe/test names, next to the test file", () => {
    const path = recordingPathFor({ testFile: file, titlePath: ["HubClient", "can broadcast"] });
    expect(path).toMatch(
      /^\/repo\/packages\/service\/test\/recordings\/hub\/hubclient\/can_broadcast\.[0-9a-f]{10}\.json$/,
    );
    expect(recordingPathFor({ testFile: file, titlePath: ["HubClient", "can broadcast"] })).toBe(path);
    expect(recordingPathFor({ testFile: file, titlePath: ["t"] }, "/elsewhere")).toMatch(/^\/elsewhere\/hub\/t\./);
  });

  it("are filesystem-safe for any name", () => {
    const path = recordingPathFor({ testFile: file, titlePath: ['sends "ünïcødé" <to> a/b\\c: 50% * ?', "..", ""] });
    const parts = path.split(sep).slice(-4);
    for (const part of parts) expect(part).toMatch(/^[a-z0-9_.]+$/);
    expect(parts).not.toContain("..");
    expect(slugify("x".repeat(500)).length).toBeLessThanOrEqual(60);
    expect(slugify("!!!")).toBe("test");
  });

  it("never collide when slugs coincide (punctuation, case, truncation, suite boundaries)", () => {
    const names = [
      ["can broadcast"],
      ["Can Broadcast"],
      ["can-broadcast"],
      ["can_broadcast"],
      ["a", "b c"],
      ["a b", "c"],
      [`${"long ".repeat(30)}one`],
      [`${"long ".repeat(30)}two`],
    ];
    const paths = names.map((titlePath) => recordingPathFor({ testFile: file, titlePath }));
    expect(new Set(paths.map((p) => p.toLowerCase())).size).toBe(names.length);
  });

  it("read the vitest context (suites, test name, file)", (ctx) => {
    const identity = identityFromContext(ctx);
    expect(identity.testFile).toBe(ctx.task.file.filepath);
    expect(identity.titlePath).toEqual(["recording paths", "read the vitest context (suites, test name, file)"]);
    expect(() => identityFromContext({} as never)).toThrow(TypeError);
    expect(() => identityFromContext({ task: { name: "x" } })).toThrow(/filepath/);
  });

  it("can be overridden", async () => {
    const recorder = await createRecorder(
      { testFile: file, testName: ["a", "b"] },
      { mode: "live", recordingPath: "/tmp/custom.json", env: {} },
    );
    expect(recorder.recordingPath).toBe("/tmp/custom.json");
    await recorder.stop();
    const derived = await createRecorder({ testFile: file, testName: "b" }, { mode: "live", env: {} });
    expect(derived.recordingPath).toMatch(/recordings\/hub\/b\./);
    await derived.stop();
  });
});

describe("TEST_MODE", () => {
  it("defaults to playback and accepts record and live in any case", () => {
    expect(getTestMode({})).toBe("playback");
    expect(getTestMode({ TEST_MODE: "" })).toBe("playback");
    expect(getTestMode({ TEST_MODE: "Record" })).toBe("record");
    expect(getTestMode({ TEST_MODE: " live " })).toBe("live");
    expect(() => getTestMode({ TEST_MODE: "replay" })).toThrow(
      /TEST_MODE must be one of "playback", "record" or "live"/,
    );
  });
});

it("uses only the test name for a test outside any describe", (ctx) => {
  expect(identityFromContext(ctx).titlePath).toEqual(["uses only the test name for a test outside any describe"]);
});
