// Scratch projects outside the workspace for the release tests: a folder with a package.json of a chosen module type
// and every tarball installed by npm, as a user would; and the TypeScript compilers the type checks run, installed
// once per version into a cache shared by every project, mode and run.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../../src/pack.ts";

const execFileAsync = promisify(execFile);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; never throws for a non-zero exit (the caller asserts on `code` and shows the output). */
export async function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 180_000,
): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileAsync(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr || e.message };
  }
}

/** Like run(), but throws with the output when the command fails. */
export async function must(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await run(cmd, args, cwd, env);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const NPM_QUIET = ["--no-audit", "--no-fund", "--loglevel=error", "--no-update-notifier"];

/** A fresh project folder (`type` module or commonjs) with every tarball installed from npm's point of view. */
export async function createProject(dir: string, type: "module" | "commonjs", tarballs: string[]): Promise<string> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: `scratch-${type}`, private: true, type })}\n`);
  await must("npm", ["install", ...NPM_QUIET, ...tarballs], dir);
  return dir;
}

/**
 * A TypeScript compiler for the type checks. "current" is the repository's own (the newest release); other versions
 * are installed from npm once into node_modules/.cache/webpubsub-release/ (kept across runs), each with the newest
 * @types/node that still supports that compiler (DefinitelyTyped drops old compilers from its newest releases).
 */
export interface Compiler {
  version: string;
  /** node + this script runs tsc. */
  tscScript: string;
  /** Folder holding the @types/node to check against (typeRoots). */
  typeRoots: string;
}

const CACHE = join(repoRoot, "node_modules/.cache/webpubsub-release");

export async function compiler(version: string, typesNode: string): Promise<Compiler> {
  if (version === "current") {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "node_modules/typescript/package.json"), "utf8"));
    return {
      version: pkg.version,
      tscScript: join(repoRoot, "node_modules/typescript/bin/tsc"),
      typeRoots: join(repoRoot, "node_modules/@types"),
    };
  }
  const dir = join(CACHE, `typescript-${version}`);
  const tscScript = join(dir, "node_modules/typescript/bin/tsc");
  if (!existsSync(join(dir, "installed"))) {
    // Installed beside, then moved into place: an interrupted install is never taken for a complete one.
    const partial = `${dir}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    writeFileSync(join(partial, "package.json"), '{ "private": true }\n');
    await must(
      "npm",
      ["install", ...NPM_QUIET, "--ignore-scripts", `typescript@${version}`, `@types/node@${typesNode}`],
      partial,
    );
    writeFileSync(join(partial, "installed"), `typescript@${version} @types/node@${typesNode}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
  }
  return { version, tscScript, typeRoots: join(dir, "node_modules/@types") };
}
