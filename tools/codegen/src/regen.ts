// Reads the config and spec, generates, and either writes the output folder or compares it with what is on disk.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { ResolvedConfig } from "./config.ts";
import type { GeneratedFiles } from "./emit.ts";
import { SpecError } from "./errors.ts";
import { biomeFormatFiles, findRepoRoot } from "./format.ts";
import { generate } from "./generate.ts";

export interface RegenResult {
  files: GeneratedFiles;
  /** Files (relative to the output folder) that differ, are missing, or should not be there. */
  stale: string[];
}

export function regenerate(config: ResolvedConfig, repoRoot = findRepoRoot(process.cwd())): GeneratedFiles {
  let spec: unknown;
  const text = readFileSync(config.inputPath, "utf8");
  try {
    spec = JSON.parse(text);
  } catch (e) {
    throw new SpecError("", `${relative(repoRoot, config.inputPath)} is not valid JSON: ${(e as Error).message}`);
  }
  return generate(spec, {
    clientName: config.clientName,
    loggerNamespace: config.loggerNamespace,
    userAgent: config.userAgent,
    source: relative(repoRoot, config.inputPath).replaceAll("\\", "/"),
    ...(config.importExtension !== undefined ? { importExtension: config.importExtension } : {}),
    formatFiles: biomeFormatFiles(repoRoot, config.outputPath),
  });
}

export function checkOutput(files: GeneratedFiles, outputPath: string): string[] {
  const stale: string[] = [];
  for (const [name, code] of files) {
    const path = join(outputPath, name);
    if (!existsSync(path) || readFileSync(path, "utf8") !== code) stale.push(name);
  }
  if (existsSync(outputPath)) {
    for (const name of readdirSync(outputPath)) if (!files.has(name)) stale.push(name);
  }
  return stale.sort();
}

export function writeOutput(files: GeneratedFiles, outputPath: string): string[] {
  const changed = checkOutput(files, outputPath);
  mkdirSync(outputPath, { recursive: true });
  for (const name of readdirSync(outputPath)) if (!files.has(name)) rmSync(join(outputPath, name), { recursive: true });
  for (const [name, code] of files) writeFileSync(join(outputPath, name), code);
  return changed;
}
