// The run-time modules of the generated client (runtime/route-table.ts, runtime/paging.ts): real, type-checked and
// tested code of the generator, copied verbatim into the output. They import only npm packages, so the copy works
// whatever the import extension of the generated code.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export type RuntimeModule = "route-table.ts" | "paging.ts";

/**
 * Where the runtime sources are: next to this file when the generator runs from src, or in src/ when it runs from
 * a build in dist/ (which holds only the compiled .js).
 */
const CANDIDATES = ["../runtime/", "../../src/runtime/"];

/** The source of one runtime module, as lines. */
export function runtimeSource(name: RuntimeModule): string[] {
  for (const dir of CANDIDATES) {
    const path = fileURLToPath(new URL(`${dir}${name}`, import.meta.url));
    if (existsSync(path)) return readFileSync(path, "utf8").split("\n");
  }
  throw new Error(`the codegen runtime module ${name} is missing (looked in src/runtime next to the generator)`);
}
