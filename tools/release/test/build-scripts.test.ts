// Every package with a build starts it by removing dist/ (scripts/clean-dist.mjs), so a renamed or deleted source never
// leaves an old .js or .d.ts in what is packed; and the clean step really removes a stale file.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const CLEAN = join(ROOT, "scripts", "clean-dist.mjs");

const builds = ["packages", "tools"].flatMap((group) =>
  readdirSync(join(ROOT, group))
    .map((dir) => join(ROOT, group, dir, "package.json"))
    .filter(existsSync)
    .map((file) => [file.slice(ROOT.length), JSON.parse(readFileSync(file, "utf8")).scripts?.build] as const)
    .filter(([, build]) => typeof build === "string"),
);

describe("stale dist output", () => {
  it("finds the builds", () => {
    expect(builds.map(([file]) => file)).toEqual(expect.arrayContaining(["packages/core/package.json"]));
  });

  it.each(builds)("%s builds after removing dist/", (_file, build) => {
    expect(build).toMatch(/^node \.\.\/\.\.\/scripts\/clean-dist\.mjs && /);
  });

  it("clean-dist removes a stale declaration file and leaves the package's other files", () => {
    const pkg = mkdtempSync(join(tmpdir(), "clean-dist-"));
    try {
      mkdirSync(join(pkg, "dist"));
      writeFileSync(join(pkg, "dist", "renamed-away.d.ts"), "export {};\n");
      writeFileSync(join(pkg, "package.json"), "{}\n");
      execFileSync(process.execPath, [CLEAN], { cwd: pkg });
      expect(existsSync(join(pkg, "dist"))).toBe(false);
      expect(existsSync(join(pkg, "package.json"))).toBe(true);
    } finally {
      rmSync(pkg, { recursive: true, force: true });
    }
  });
});
