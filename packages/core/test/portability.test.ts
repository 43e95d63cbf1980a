// core must stay isomorphic: no Node built-ins, no Node-only globals, no dependencies.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const srcDir = fileURLToPath(new URL("../src", import.meta.url));
const files = readdirSync(srcDir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));

test("finds the sources", () => {
  expect(files).toContain("index.ts");
  expect(files.length).toBeGreaterThan(10);
});

// native.ts alone may look up optional natives at run time (process.getBuiltinModule), never by import.
const NATIVE_LOOKUP = "native.ts";

test.each(files)("%s uses no Node built-ins or Node-only globals", (file) => {
  const code = readFileSync(join(srcDir, file), "utf8").replace(/\/\/.*$/gm, "");
  expect(code).not.toMatch(/from\s+["']node:/);
  expect(code).not.toMatch(/\bimport\s*\(/);
  expect(code).not.toMatch(/\brequire\s*\(/);
  if (file === NATIVE_LOOKUP) return;
  expect(code).not.toMatch(/\b(?<!Array)Buffer\b/);
  expect(code).not.toMatch(/\bprocess\./);
  expect(code).not.toMatch(/getBuiltinModule/);
  // Relative imports only (no dependencies), with the .ts extension.
  for (const m of code.matchAll(/from\s+["']([^"']+)["']/g)) {
    expect(m[1]).toMatch(/^\.{1,2}\/.*\.ts$/);
  }
});

test("package.json declares no runtime dependencies", () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  expect(Object.keys(pkg.dependencies ?? {})).toEqual([]);
});
