// The generation settings live in a fenced ```json codegen block of swagger/README.md (literate configuration, as
// autorest does with its README), so the README that explains regeneration is also what drives it.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

export interface CodegenConfig {
  /** Spec file, relative to the README. */
  input: string;
  /** Output folder, relative to the README. */
  output: string;
  clientName: string;
  loggerNamespace: string;
  userAgent: string;
  importExtension?: string;
}

export interface ResolvedConfig extends CodegenConfig {
  inputPath: string;
  outputPath: string;
}

const FENCE = /^```json codegen\s*\n([\s\S]*?)^```/m;

export function parseConfig(markdown: string, where: string): CodegenConfig {
  const m = FENCE.exec(markdown);
  if (!m) throw new TypeError(`${where}: no \`\`\`json codegen block found`);
  let raw: unknown;
  try {
    raw = JSON.parse(m[1]!);
  } catch (e) {
    throw new TypeError(`${where}: the json codegen block is not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new TypeError(`${where}: the codegen block must be an object`);
  const c = raw as Record<string, unknown>;
  for (const key of ["input", "output", "clientName", "loggerNamespace", "userAgent"]) {
    if (typeof c[key] !== "string" || !(c[key] as string))
      throw new TypeError(`${where}: codegen "${key}" must be a non-empty string`);
  }
  if (c.importExtension !== undefined && typeof c.importExtension !== "string") {
    throw new TypeError(`${where}: codegen "importExtension" must be a string`);
  }
  return c as unknown as CodegenConfig;
}

export function loadConfig(readmePath: string): ResolvedConfig {
  const config = parseConfig(readFileSync(readmePath, "utf8"), readmePath);
  const base = dirname(resolve(readmePath));
  return { ...config, inputPath: resolve(base, config.input), outputPath: resolve(base, config.output) };
}
