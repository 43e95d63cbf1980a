// The vendored reference data at the repository root (fixtures/reference: real service recordings and test vectors,
// with a README naming their source and licence).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../../fixtures/reference/", import.meta.url));

/** Absolute path of a file under fixtures/reference; throws when it is missing (the data is part of the repo). */
export function fixturePath(relative: string): string {
  const path = `${root}${relative}`;
  if (!existsSync(path)) throw new Error(`fixture ${path} is missing: it is committed with the repository`);
  return path;
}
