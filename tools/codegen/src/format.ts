// Formats generated code with the repository's own biome (pinned in the root package.json), so the output passes
// `biome check` byte for byte. All files of a generation go through one biome process. Node-only, used by the CLI
// and the tests.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative } from "node:path";

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

/** The repository's biome.json for a copy outside the repository: the same rules, without the git integration. */
function detachedConfig(repoRoot: string): string {
  const path = join(repoRoot, "biome.json");
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`cannot read ${path} as JSON: ${(e as Error).message}`);
  }
  delete config.$schema;
  // The copy lives in a temporary folder that is no git work tree, where biome's VCS integration would fail.
  config.vcs = { enabled: false };
  return JSON.stringify(config);
}

/**
 * A batch formatter for `generate()`: runs `biome check --write` (format, import order, safe fixes) once over all
 * files, placed in a temporary folder at the path they will have in the repository (`outputDir` relative to the
 * root; a folder `__codegen__` when `outputDir` is outside it), beside a copy of the repository's biome.json. One
 * biome start per generation instead of one per file: the start is what takes time, especially on a busy machine.
 */
export function biomeFormatFiles(
  repoRoot: string,
  outputDir: string,
): (files: ReadonlyMap<string, string>) => Map<string, string> {
  const bin = join(repoRoot, "node_modules", ".bin", "biome");
  const inside = relative(repoRoot, outputDir);
  const folder = inside.startsWith("..") || isAbsolute(inside) ? "__codegen__" : inside;
  return (files) => {
    if (files.size === 0) return new Map();
    const temp = mkdtempSync(join(tmpdir(), "codegen-format-"));
    try {
      writeFileSync(join(temp, "biome.json"), detachedConfig(repoRoot));
      const paths = [...files.keys()].map((name) => join(folder, name));
      for (const [i, code] of [...files.values()].entries()) {
        const path = join(temp, paths[i]!);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, code);
      }
      const r = spawnSync(bin, ["check", "--write", "--no-errors-on-unmatched", ...paths], {
        cwd: temp,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      });
      if (r.status !== 0) {
        const detail = `${r.stderr ?? ""}${r.stdout ?? ""}`.trim().slice(0, 4000);
        throw new Error(
          `biome could not format ${[...files.keys()].join(", ")}: ${detail || r.error?.message || `exit ${r.status}`}`,
        );
      }
      return new Map([...files.keys()].map((name, i) => [name, readFileSync(join(temp, paths[i]!), "utf8")]));
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  };
}

/**
 * A per-file formatter for `generate()` (`format`): the batch formatter on one file. Prefer `biomeFormatFiles`
 * (`formatFiles`) for whole generations.
 */
export function biomeFormatter(repoRoot: string, outputDir: string): (code: string, fileName: string) => string {
  const formatFiles = biomeFormatFiles(repoRoot, outputDir);
  return (code, fileName) => formatFiles(new Map([[fileName, code]])).get(fileName)!;
}
