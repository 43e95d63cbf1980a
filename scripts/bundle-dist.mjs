#!/usr/bin/env node
// Build step of the packages a WebSocket client loads (client, core, async), run in the package folder after `tsc`:
// joins tsc's one-module-per-source output into one module per entry point with esbuild, so that Node loads a few
// files instead of one per source file (about a millisecond each). Entry points: the targets of the package's exports
// and "#" imports; code that entry points share goes to chunks, so each class still exists once. Dependencies and "#"
// imports stay imports; dynamic import()s become chunks of their own, so what the client loads on first use still
// loads then. The declarations (.d.ts) stay one per source; the .js files now inside a bundle are removed.
// Measurements: docs/decisions/0004-bundled-client-dist.md.
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.cwd();
// esbuild is a devDependency of the package being built, so it is resolved from there
const { build } = await import(pathToFileURL(createRequire(join(dir, "package.json")).resolve("esbuild")).href);
const dist = join(dir, "dist");
const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));

/** Every file a condition map points at, whatever the condition. */
function targets(value) {
  if (typeof value === "string") return [value];
  return Object.values(value ?? {}).flatMap(targets);
}
const jsTarget = (file) => file.endsWith(".js") && file.startsWith("./dist/");
const entryPoints = [...new Set([...targets(pkg.publishConfig?.exports), ...targets(pkg.publishConfig?.imports)])]
  .filter(jsTarget)
  .map((file) => join(dir, file));

const external = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  ...Object.keys(pkg.optionalDependencies ?? {}),
].flatMap((name) => [name, `${name}/*`]);
external.push("#*", "node:*");

const result = await build({
  entryPoints,
  outdir: dist,
  outbase: dist,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  chunkNames: "chunks/[name]-[hash]",
  external,
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});

const written = new Set(Object.keys(result.metafile.outputs).map((file) => join(dir, file)));
let removed = 0;
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const file = join(entry.parentPath, entry.name);
  // tsc's .js.map files describe modules that are gone or rewritten: all go
  if (file.endsWith(".js.map") || (file.endsWith(".js") && !written.has(file))) {
    rmSync(file);
    removed++;
  }
}
console.log(
  `bundle-dist: ${entryPoints.length} entry points -> ${written.size} files in ${relative(dir, dist)}/ (${removed} module files removed)`,
);
