#!/usr/bin/env node
// After `changeset version` bumps package.json versions, copy each package's version into the constants its code
// reports (User-Agent, tracing). Run by `pnpm version-packages`; a test in each package fails if they drift.
import { readFileSync, writeFileSync } from "node:fs";

const targets = [
  { pkg: "packages/service/package.json", file: "packages/service/src/tracing.ts", name: "SDK_VERSION" },
];
const root = new URL("..", import.meta.url);
for (const { pkg, file, name } of targets) {
  const { version } = JSON.parse(readFileSync(new URL(pkg, root), "utf8"));
  const path = new URL(file, root);
  const source = readFileSync(path, "utf8");
  const pattern = new RegExp(`(export const ${name} = ")[^"]*(";)`);
  if (!pattern.test(source)) throw new Error(`${file} has no \`export const ${name} = "...";\``);
  writeFileSync(path, source.replace(pattern, `$1${version}$2`));
  console.log(`${file}: ${name} = ${version}`);
}
