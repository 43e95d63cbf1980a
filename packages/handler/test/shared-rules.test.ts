// The handler keeps no private copy of a rule @webpubsub/core owns (media types, size-limited body reading), names its
// errors one way (a class field `override name`, each error by its own class name), and every source file starts with
// a header comment. Source scans: each is shown to find what it looks for, so none can pass by matching nothing.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { withoutComments } from "@webpubsub/test-kit";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src", import.meta.url));
const files = readdirSync(SRC).filter((f) => f.endsWith(".ts"));
const text = (f: string) => readFileSync(join(SRC, f), "utf8");
const code = withoutComments;

describe("no private copies of core logic", () => {
  const rules: [string, RegExp, string][] = [
    [
      "media types through core's mediaType / isJsonMediaType",
      /split\(\s*["'];["']\s*\)\s*\[0\]|endsWith\(\s*["']\+json["']\s*\)/,
      'return (contentType ?? "").split(";")[0]!.trim().toLowerCase();',
    ],
    [
      "bodies read through core's readLimited",
      /\.getReader\(\)|for\s+await\s*\(/,
      "const reader = request.body.getReader();",
    ],
  ];

  it.each(rules)("%s", (_rule, pattern) => {
    expect(files.filter((f) => pattern.test(code(text(f))))).toEqual([]);
  });

  it.each(rules)("finds what it looks for: %s", (_rule, pattern, sample) => {
    expect(pattern.test(sample)).toBe(true);
  });
});

describe("consistency", () => {
  it("every source file starts with a header comment", () => {
    expect(files.filter((f) => !/^(\/\/\/ <reference [^\n]*\n)?\/\/ \S/.test(text(f)))).toEqual([]);
  });

  it("error classes name themselves with `override name`, by their own class name", () => {
    expect(files.filter((f) => /this\.name\s*=/.test(code(text(f))))).toEqual([]);
    const classes = files.flatMap((f) =>
      [...text(f).matchAll(/class (\w+) extends \w*Error\b[^{]*\{\s*([^\n]*)/g)].map((m) => [m[1]!, m[2]!]),
    );
    expect(classes.map(([cls]) => cls).sort()).toEqual(["HandlerTimeoutError", "HttpError"]);
    for (const [cls, first] of classes) expect(first).toBe(`override name = "${cls}";`);
  });
});
