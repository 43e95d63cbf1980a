// The release flow: every pending changeset parses, and `changeset version` bumps every public package to one shared
// version (the "fixed" group), after which `scripts/sync-versions.mjs` carries it into the code. Runs on a scratch
// clone of the committed tree so the working tree is never touched.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const repo = new URL("../../../", import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), "webpubsub-changesets-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
}

function publicVersions(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dir of readdirSync(join(root, "packages"))) {
    const pkg = JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8"));
    if (!pkg.private) out[pkg.name] = pkg.version;
  }
  return out;
}

describe("changesets", () => {
  it("version bumps every public package together and the code reports the new version", () => {
    const clone = join(scratch, "repo");
    run("git", ["clone", "-q", repo, clone], scratch);
    const before = publicVersions(clone);
    expect(new Set(Object.values(before)).size).toBe(1);
    const pending = readdirSync(join(clone, ".changeset")).filter((f) => f.endsWith(".md") && f !== "README.md");
    expect(pending.length).toBeGreaterThan(0);

    run(process.execPath, [join(repo, "node_modules/@changesets/cli/bin.js"), "version"], clone);
    run(process.execPath, [join(clone, "scripts/sync-versions.mjs")], clone);

    const after = publicVersions(clone);
    const versions = new Set(Object.values(after));
    expect(versions.size).toBe(1);
    const [version] = versions;
    expect(version).not.toBe(Object.values(before)[0]);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    const remaining = readdirSync(join(clone, ".changeset")).filter((f) => f.endsWith(".md") && f !== "README.md");
    expect(remaining).toEqual([]);
    const tracing = readFileSync(join(clone, "packages/service/src/tracing.ts"), "utf8");
    expect(tracing).toContain(`export const SDK_VERSION = "${version}";`);
  });
});
