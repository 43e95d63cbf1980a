// The client keeps no private copy of a rule @webpubsub/core owns. Source scans: each rule is shown to find what it
// looks for, so none can pass by matching nothing.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src", import.meta.url));

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const files = sourceFiles();
/** The code without comments, so that prose may mention what the code must not do. */
const code = (s: string) => s.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");

it("finds the sources", () => {
  expect(files.map((f) => relative(SRC, f))).toEqual(expect.arrayContaining(["options.ts"]));
});

describe("no private copies of core logic", () => {
  const rules: [string, RegExp, string][] = [
    [
      "takes the timer limit from core's MAX_TIMER_MS (no 2^31 - 1 literal)",
      /2_?147_?483_?647|MAX_TIMER_MS\s*=/,
      "if (value > 2_147_483_647) throw new RangeError();",
    ],
  ];

  it.each(rules)("%s", (_rule, pattern) => {
    const offenders = files.filter((f) => pattern.test(code(readFileSync(f, "utf8")))).map((f) => relative(SRC, f));
    expect(offenders).toEqual([]);
  });

  it.each(rules)("finds what it looks for: %s", (_rule, pattern, sample) => {
    expect(pattern.test(sample)).toBe(true);
  });
});
