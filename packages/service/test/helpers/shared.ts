import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of a file in the read-only reference folder (../shared from the repo root), or undefined. */
export function sharedPath(relative: string): string | undefined {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../../shared");
  const path = resolve(root, relative);
  if (!existsSync(path)) {
    console.warn(`skipping: reference data ${path} is absent (../shared is not checked out next to the repo)`);
    return undefined;
  }
  return path;
}
