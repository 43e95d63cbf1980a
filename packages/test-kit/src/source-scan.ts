// Helpers for the source-scan tests (a package's rules about its own code: no private copies of core's rules, ...).
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The paths of the `.ts` files below `dir`, subfolders included. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** The code without its comments (block and line; a `://` stays), so that prose may mention what code must not do. */
export function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}
