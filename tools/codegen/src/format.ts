// Formats generated code with the repository's own biome (pinned in the root package.json), so the output passes
// `biome check` byte for byte. Node-only, used by the CLI and the tests.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";

/** Finds the directory holding biome.json and node_modules/.bin/biome, walking up from `start`. */
export function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, "biome.json")) && existsSync(join(dir, "node_modules", ".bin", "biome"))) return dir;
    const parent = join(dir, "..");
    if (parent === dir) throw new Error(`no biome.json with an installed biome above ${start}`);
    dir = parent;
  }
}

/**
 * A formatter for `generate()`: runs `biome check --write` (format, import order, safe fixes) on each file as if it
 * sat in `outputDir`, so the repository's biome.json applies.
 */
export function biomeFormatter(repoRoot: string, outputDir: string): (code: string, fileName: string) => string {
  const bin = join(repoRoot, "node_modules", ".bin", "biome");
  return (code, fileName) => {
    // Outside the repository biome would not apply its configuration, so such files are formatted as if they sat in
    // a folder at the repository root.
    const inside = relative(repoRoot, join(outputDir, fileName));
    const virtualPath = inside.startsWith("..") || isAbsolute(inside) ? join("__codegen__", fileName) : inside;
    const r = spawnSync(bin, ["check", "--write", `--stdin-file-path=${virtualPath}`], {
      cwd: repoRoot,
      input: code,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0 || !r.stdout) {
      throw new Error(`biome could not format ${fileName}: ${r.stderr || r.error?.message || `exit ${r.status}`}`);
    }
    return r.stdout;
  };
}
