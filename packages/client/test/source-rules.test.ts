// The client keeps no private copy of a rule @webpubsub/core owns (source scans, each shown to find what it looks for,
// so none can pass by matching nothing), and its option durations stop exactly at core's timer limit.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { sourceFiles, withoutComments } from "@webpubsub/test-kit";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src", import.meta.url));

const files = sourceFiles(SRC);
const code = withoutComments;

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

describe("option durations stop at core's MAX_TIMER_MS", () => {
  it("accepts MAX_TIMER_MS and refuses one more (naming the option and the limit) or Infinity", async () => {
    const { MAX_TIMER_MS } = await import("@webpubsub/core");
    const { resolveOptions } = await import("../src/options.ts");
    expect(resolveOptions({ ackTimeoutInMs: MAX_TIMER_MS }).ackTimeoutInMs).toBe(MAX_TIMER_MS);
    expect(() => resolveOptions({ ackTimeoutInMs: MAX_TIMER_MS + 1 })).toThrow(
      new RangeError(
        `options.ackTimeoutInMs must be at most 2147483647 ms (a timer's limit), got ${MAX_TIMER_MS + 1}.`,
      ),
    );
    expect(() => resolveOptions({ ackTimeoutInMs: Number.POSITIVE_INFINITY })).toThrow(
      new RangeError("options.ackTimeoutInMs must be a finite number >= 0, got Infinity."),
    );
  });
});
