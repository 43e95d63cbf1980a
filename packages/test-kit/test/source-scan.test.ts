// The source-scan helpers: every .ts file below a folder, and comments removed without touching URLs in code.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { sourceFiles, withoutComments } from "../src/index.ts";

describe("sourceFiles", () => {
  it("lists the .ts files of a folder and its subfolders, nothing else", () => {
    const dir = mkdtempSync(join(tmpdir(), "scan-"));
    mkdirSync(join(dir, "sub"));
    for (const f of ["a.ts", "b.js", "sub/c.ts", "sub/d.md"]) writeFileSync(join(dir, f), "");
    expect(
      sourceFiles(dir)
        .map((f) => relative(dir, f).replaceAll("\\", "/"))
        .sort(),
    ).toEqual(["a.ts", "sub/c.ts"]);
  });
});

describe("withoutComments", () => {
  it("drops block and line comments", () => {
    expect(withoutComments("a /* x\n y */ b // c\nd")).toBe("a  b \nd");
  });

  it("keeps a :// in code (a URL is not a comment)", () => {
    expect(withoutComments('const u = "http://host"; // note')).toBe('const u = "http://host"; ');
  });
});
