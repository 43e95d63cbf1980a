#!/usr/bin/env node
// Build step of the packages a cold process loads (client, core, async, service, rest), run in the package folder
// after `tsc`: joins tsc's one-module-per-source output into one module per entry point with esbuild, so that Node
// loads a few files instead of one per source file (about a millisecond each). Entry points: the targets of the package's exports
// and "#" imports; code that entry points share goes to chunks, so each class still exists once. Dependencies and "#"
// imports stay imports; dynamic import()s become chunks of their own, so what the client loads on first use still
// loads then. The declarations (.d.ts) stay one per source; the .js files now inside a bundle are removed.
//
// Two refinements, each checked so that no module ends up in two files:
// - The targets of a "#" import (one module per runtime, such as log-azure / log-console) are bundled each on its own,
//   with what only they use inlined: they are never loaded together, so a chunk shared between them is one more file
//   for nothing. A module that the other entry points use too stays shared (the build stops, naming it).
// - package.json's "bundleDist.loadedTogether" lists entry points that one consumer loads together (the client loads
//   core's client-wire, shown and timers): the chunks they load are joined into one, so that consumer loads one chunk
//   instead of several (other entry points that used one of them load the joined chunk: more code, no more files).
// Measurements: docs/decisions/0004-bundled-client-dist.md.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, relative } from "node:path";
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
const exportTargets = new Set(targets(pkg.publishConfig?.exports).filter(jsTarget));
const importTargets = [...new Set(targets(pkg.publishConfig?.imports).filter(jsTarget))].filter(
  (file) => !exportTargets.has(file),
);
const absolute = (file) => join(dir, file);

const external = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  ...Object.keys(pkg.optionalDependencies ?? {}),
].flatMap((name) => [name, `${name}/*`]);
external.push("#*", "node:*");

const common = {
  outdir: dist,
  outbase: dist,
  allowOverwrite: true,
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  external,
  metafile: true,
  legalComments: "none",
  // Syntax only (names and layout stay): the joined modules' top-level `const`s become `var`s, which an app's bundler
  // cannot inline, so esbuild inlines them here (e.g. core's close codes in ProtocolError's defaults) and shortens
  // what it safely can. Start/join/send browser bundle 14,305 -> 14,284 B gzip.
  minifySyntax: true,
  logLevel: "warning",
};

const main = await build({
  ...common,
  entryPoints: [...exportTargets].map(absolute),
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
});
/** Output file (relative to the package folder, as the metafile names it) -> its metafile entry. */
const outputs = { ...main.metafile.outputs };

if (importTargets.length > 0) {
  // Not written yet: a target that imports nothing is its own source joined with nothing, so it is transformed alone
  // instead (below), which keeps its top-level `const`s (bundling turns them into `var`s). An app's bundler inlines an
  // imported `const` of a primitive value and drops the branches it decides, not a `var`: core's `#native` browser
  // target exports `nativeBuffer = undefined`, and browser bundles then lose the Buffer paths of base64.ts.
  const own = await build({ ...common, entryPoints: importTargets.map(absolute), splitting: false, write: false });
  const shared = new Set(Object.values(main.metafile.outputs).flatMap((o) => Object.keys(o.inputs)));
  const twice = Object.values(own.metafile.outputs)
    .flatMap((o) => Object.keys(o.inputs))
    .filter((input) => shared.has(input));
  if (twice.length > 0) {
    throw new Error(`bundle-dist: ${twice.join(", ")} would be in a "#" import target and in the entry points' code`);
  }
  Object.assign(outputs, own.metafile.outputs);
  const alone = new Set(
    Object.entries(own.metafile.outputs)
      .filter(([, o]) => o.imports.length === 0 && Object.keys(o.inputs).length === 1)
      .map(([file]) => absolute(file)),
  );
  for (const file of own.outputFiles) if (!alone.has(file.path)) writeFileSync(file.path, file.contents);
  if (alone.size > 0) await build({ ...common, entryPoints: [...alone], bundle: false, external: undefined });
}

const isChunk = (file) => file.startsWith("dist/chunks/");
/** The chunks that `file` loads, through static imports. */
function staticChunks(file, seen = new Set()) {
  for (const i of outputs[file]?.imports ?? []) {
    if (i.kind === "import-statement" && !i.external && isChunk(i.path) && !seen.has(i.path)) {
      seen.add(i.path);
      staticChunks(i.path, seen);
    }
  }
  return seen;
}

const together = pkg.bundleDist?.loadedTogether ?? [];
if (together.length > 0) await joinChunks(together);

/** Joins the chunks that the entry points `files` load into one chunk, and points every import of them at it. */
async function joinChunks(files) {
  for (const file of files) {
    if (!exportTargets.has(file)) throw new Error(`bundle-dist: loadedTogether names ${file}, not an export target`);
  }
  const joined = new Set(files.flatMap((file) => [...staticChunks(file.slice(2))]));
  if (joined.size < 2) return;
  // A chunk outside the set that one of the set imports and that imports one of the set would make a cycle.
  for (const chunk of joined) {
    for (const reached of staticChunks(chunk)) {
      if (!joined.has(reached) && [...staticChunks(reached)].some((c) => joined.has(c))) {
        throw new Error(`bundle-dist: joining ${[...joined].join(", ")} would make a cycle through ${reached}`);
      }
    }
  }
  // `export *` of every chunk: their export names must not collide (esbuild names them once per build).
  const names = new Map();
  for (const chunk of joined) {
    for (const name of outputs[chunk].exports) {
      if (names.has(name)) throw new Error(`bundle-dist: ${chunk} and ${names.get(name)} both export ${name}`);
      names.set(name, chunk);
    }
  }
  const chunksDir = join(dist, "chunks");
  const result = await build({
    ...common,
    stdin: {
      contents: [...joined].map((chunk) => `export * from "./${basename(chunk)}";\n`).join(""),
      resolveDir: chunksDir,
      sourcefile: "joined-chunks.js",
    },
    outdir: undefined,
    outbase: undefined,
    outfile: join(chunksDir, "joined.js"),
    write: false,
    plugins: [
      {
        name: "other-chunks-stay-imports",
        setup(b) {
          // Only the chunks being joined are bundled; any other relative import stays an import (same folder).
          b.onResolve({ filter: /^\./ }, (args) => {
            if (args.importer === "" || args.importer.endsWith("joined-chunks.js")) return undefined;
            const target = relative(dir, join(dirname(args.importer), args.path));
            return joined.has(target) ? undefined : { path: args.path, external: true };
          });
        },
      },
    ],
  });
  const code = result.outputFiles[0].text;
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 8).toUpperCase();
  const name = `joined-${hash}.js`;
  writeFileSync(join(chunksDir, name), code);
  const target = `dist/chunks/${name}`;
  outputs[target] = { imports: [], exports: [...names.keys()] };
  for (const chunk of joined) {
    rmSync(join(dir, chunk));
    delete outputs[chunk];
  }
  // Every import of a joined chunk now names the joined one (chunk names carry a hash: they appear nowhere else).
  const renamed = new RegExp(
    `(["'](?:\\.\\.?/)+(?:chunks/)?)(${[...joined].map((c) => basename(c).replace(/\W/g, "\\$&")).join("|")})(["'])`,
    "g",
  );
  for (const file of Object.keys(outputs)) {
    const path = join(dir, file);
    const text = readFileSync(path, "utf8");
    const next = text.replace(renamed, (_m, before, _chunk, after) => `${before}${name}${after}`);
    if (next !== text) writeFileSync(path, next);
  }
}

const written = new Set(Object.keys(outputs).map((file) => join(dir, file)));
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
const entryCount = exportTargets.size + importTargets.length;
console.log(
  `bundle-dist: ${entryCount} entry points -> ${written.size} files in ${relative(dir, dist)}/ (${removed} module files removed)`,
);
