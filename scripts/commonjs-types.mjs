#!/usr/bin/env node
// Build step of every public package, run in the package folder after `tsc`: copies the declarations dist/**/*.d.ts
// into dist/types-cjs/, next to a package.json saying "type": "commonjs". The `require` condition of the package's
// exports points TypeScript there, so a CommonJS project sees CommonJS declarations of the same API (TypeScript before
// 5.8 refuses to let a CommonJS file import ES module declarations, TS1479), while Node loads the one ES module build
// through require(esm). Why one build and not two: docs/decisions/0001-commonjs-consumers.md.
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const dist = join(process.cwd(), "dist");
const out = join(dist, "types-cjs");
rmSync(out, { recursive: true, force: true });

let copied = 0;
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue;
  const from = join(entry.parentPath, entry.name);
  const to = join(out, from.slice(dist.length + 1));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  copied++;
}
if (copied === 0) {
  console.error(`commonjs-types: no declarations under ${dist}; run tsc first`);
  process.exit(1);
}
writeFileSync(join(out, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
