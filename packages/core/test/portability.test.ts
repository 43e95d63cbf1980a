// core must stay isomorphic: no Node built-ins, no Node-only globals, no dependencies; browser bundles get no natives.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { expect, test } from "vitest";

const srcDir = fileURLToPath(new URL("../src", import.meta.url));
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
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
  // Relative imports only (no dependencies), with the .ts extension, or the package's own "#" imports.
  for (const m of code.matchAll(/from\s+["']([^"']+)["']/g)) {
    if (m[1]!.startsWith("#")) expect(Object.keys(pkg.imports)).toContain(m[1]);
    else expect(m[1]).toMatch(/^\.{1,2}\/.*\.ts$/);
  }
});

test("#native gives browsers no natives (native-browser.ts) and every other runtime the run-time lookup", () => {
  const browser = { source: "./src/native-browser.ts", default: "./dist/native-browser.js" };
  expect(pkg.imports).toEqual({ "#native": { browser, source: "./src/native.ts", default: "./dist/native.js" } });
  expect(pkg.publishConfig.imports).toEqual({
    "#native": { browser: "./dist/native-browser.js", default: "./dist/native.js" },
  });
});

test("a browser bundle of the client's entries carries neither the native lookup nor Buffer's base64 path", async () => {
  const result = await build({
    stdin: {
      contents: 'export * from "@webpubsub/core/client-wire"; export * from "@webpubsub/core/timers";',
      resolveDir: fileURLToPath(new URL("..", import.meta.url)),
    },
    bundle: true,
    minify: true,
    write: false,
    format: "esm",
    platform: "browser",
    conditions: ["source"],
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.text;
  expect(code).toContain("atob(");
  // (Buffer's base64 calls: `.toString("base64")`, `.from(body, "base64")`)
  expect(code).not.toMatch(/getBuiltinModule|toString\("base64|[\w$],"base64"\)/);
});

test("package.json declares no runtime dependencies", () => {
  expect(Object.keys(pkg.dependencies ?? {})).toEqual([]);
});
