// What a caller types on the command line (a target name, a --file part) reaches the tool's errors bounded: quoted, its
// first 64 characters, then "..."; a short value is still named whole.
import { describe, expect, test } from "vitest";
import { strykerOptions } from "../src/options.ts";
import { shown } from "../src/shown.ts";
import { TARGETS, unknownTargetMessage } from "../src/targets.ts";

const HUGE = `${"a".repeat(64)}${"b".repeat(9_936)}`;
const HUGE_SHOWN = `"${"a".repeat(64)}"...`;

describe("command-line values in errors are bounded", () => {
  test("shown quotes a value of up to 64 characters whole and cuts a longer one", () => {
    expect(shown("core")).toBe('"core"');
    expect(shown("x".repeat(64))).toBe(`"${"x".repeat(64)}"`);
    expect(shown("x".repeat(65))).toBe(`"${"x".repeat(64)}"...`);
    expect(shown(HUGE)).toBe(HUGE_SHOWN);
  });

  test("an unknown target is named bounded, followed by the known ones", () => {
    const known = TARGETS.map((t) => t.name).join(", ");
    expect(unknownTargetMessage(HUGE)).toBe(`unknown mutation target ${HUGE_SHOWN}; known: ${known}`);
    expect(unknownTargetMessage("cor")).toBe(`unknown mutation target "cor"; known: ${known}`);
  });

  test("a --file part that matches no file of the target is named bounded", () => {
    const core = TARGETS.find((t) => t.name === "core")!;
    expect(() => strykerOptions(core, { concurrency: 1, files: [HUGE, "nope"] })).toThrow(
      `no file of core matches ${HUGE_SHOWN}, "nope": see tools/mutation/src/targets.ts`,
    );
    expect(strykerOptions(core, { concurrency: 1, files: ["json-codec"] }).mutate).toEqual([
      "packages/core/src/protocol/json-codec.ts",
    ]);
  });
});
