#!/usr/bin/env node
// pnpm regen [--check] [--config swagger/README.md]
//   writes the generated client; with --check, writes nothing and exits 1 when the committed output is stale.
import { relative, resolve } from "node:path";
import { loadConfig } from "./config.ts";
import { SpecError } from "./errors.ts";
import { checkOutput, regenerate, writeOutput } from "./regen.ts";

function main(argv: string[]): number {
  let check = false;
  let configPath = "swagger/README.md";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--check") check = true;
    else if (a === "--config") configPath = argv[++i] ?? "";
    else if (a === "--help" || a === "-h") {
      console.log("usage: pnpm regen [--check] [--config swagger/README.md]");
      return 0;
    } else {
      console.error(`regen: unknown argument ${a}`);
      return 2;
    }
  }
  const config = loadConfig(resolve(configPath));
  const files = regenerate(config);
  const out = relative(process.cwd(), config.outputPath) || ".";
  if (check) {
    const stale = checkOutput(files, config.outputPath);
    if (stale.length) {
      console.error(`regen --check: generated code in ${out} is stale: ${stale.map((f) => `${out}/${f}`).join(", ")}`);
      console.error("run `pnpm regen` and commit the result");
      return 1;
    }
    console.log(`regen --check: ${out} is up to date (${files.size} files)`);
    return 0;
  }
  const changed = writeOutput(files, config.outputPath);
  console.log(
    changed.length ? `regen: wrote ${out} (changed: ${changed.join(", ")})` : `regen: ${out} already up to date`,
  );
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(e instanceof SpecError ? `regen: spec error at ${e.message}` : e);
  process.exitCode = 1;
}
