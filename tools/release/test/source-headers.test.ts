// Every hand-written source file of every package and tool starts with a header comment saying what it holds (after
// an optional shebang or triple-slash reference); generated code is exempt.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const HEADER = /^(#![^\n]*\n|\/\/\/ <reference [^\n]*\n)*\/\/ \S/;

const sources = ["packages", "tools"].flatMap((group) =>
  readdirSync(join(ROOT, group))
    .map((dir) => join(group, dir, "src"))
    .filter((src) => existsSync(join(ROOT, src)))
    .flatMap((src) =>
      readdirSync(join(ROOT, src), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts") && !f.split(/[\\/]/).includes("generated"))
        .map((f) => join(src, f).replaceAll("\\", "/")),
    ),
);

describe("source file headers", () => {
  it("finds the sources", () => {
    expect(sources).toEqual(expect.arrayContaining(["packages/client/src/options.ts", "tools/codegen/src/cli.ts"]));
  });

  it("every source file starts with a header comment", () => {
    expect(sources.filter((f) => !HEADER.test(readFileSync(join(ROOT, f), "utf8")))).toEqual([]);
  });

  it.each([
    ["a comment", "// What this file holds.\nexport {};", true],
    ["a shebang, then a comment", "#!/usr/bin/env node\n// The CLI.\n", true],
    ["a doc comment only", "/** A thing. */\nexport const a = 1;", false],
    ["code first", 'import { a } from "./a.ts";\n// late\n', false],
  ])("the header rule on %s: %s", (_case, text, ok) => {
    expect(HEADER.test(text)).toBe(ok);
  });
});
