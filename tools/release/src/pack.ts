#!/usr/bin/env node
// Packs every public package of packages/ into a tarball, exactly as `pnpm publish` would upload it (publishConfig
// applied, workspace: ranges replaced by real versions). `pnpm release:pack` builds and runs this; the release tests
// pack through the same function, so the tarballs that are published are the ones the tests installed.
//
//   node tools/release/src/pack.ts [destination]      (default: release/ at the repository root)
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const repoRoot = resolve(import.meta.dirname, "../../..");

export interface PublicPackage {
  name: string;
  version: string;
  dir: string;
  manifest: Record<string, unknown>;
}

/** The packages under packages/ that are not private, sorted by name. */
export function publicPackages(root = repoRoot): PublicPackage[] {
  const dir = join(root, "packages");
  return readdirSync(dir)
    .map((name) => {
      const manifest = JSON.parse(readFileSync(join(dir, name, "package.json"), "utf8")) as Record<string, unknown>;
      return { name: manifest.name as string, version: manifest.version as string, dir: join(dir, name), manifest };
    })
    .filter((p) => p.manifest.private !== true)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Packs every public package into `destination`; resolves to package name -> absolute tarball path. */
export async function packPublicPackages(destination: string, root = repoRoot): Promise<Map<string, string>> {
  mkdirSync(destination, { recursive: true });
  const packed = await Promise.all(
    publicPackages(root).map(async (p) => {
      try {
        const { stdout } = await run("pnpm", ["pack", "--pack-destination", destination, "--json"], {
          cwd: p.dir,
          maxBuffer: 16 * 1024 * 1024,
        });
        const info = JSON.parse(stdout.slice(stdout.indexOf("{"))) as { filename: string };
        return [p.name, resolve(destination, info.filename)] as const;
      } catch (error) {
        const e = error as { stdout?: string; stderr?: string; message: string };
        throw new Error(`pnpm pack of ${p.name} failed: ${e.stderr || e.stdout || e.message}`);
      }
    }),
  );
  return new Map(packed);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) {
  const destination = resolve(process.argv[2] ?? join(repoRoot, "release"));
  const tarballs = await packPublicPackages(destination);
  for (const path of tarballs.values()) console.log(path);
  console.log(`${tarballs.size} tarballs in ${destination}`);
}
