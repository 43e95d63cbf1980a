#!/usr/bin/env node
// The one test command (README, .ci/run): lint, the generated-code check, typecheck and every package's tests,
// then a summary computed from the vitest JSON reports. Exits non-zero if any step or test failed.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const extraArgs = process.argv.slice(2);

function run(label, cmd, args) {
  console.log(`\n> ${label}: ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: process.env });
  if (r.error) console.error(r.error);
  return r.status === 0;
}

function workspaceDirs() {
  const out = spawnSync("pnpm", ["-r", "ls", "--depth", "-1", "--json"], { cwd: root, encoding: "utf8" });
  const list = JSON.parse(out.stdout || "[]");
  return list.map((p) => p.path).filter((p) => p !== root.replace(/\/$/, ""));
}

const dirs = workspaceDirs();
for (const d of dirs) rmSync(join(d, "test-results.json"), { force: true });

const steps = [];
steps.push(["lint", run("lint", "pnpm", ["exec", "biome", "check", "."])]);
if (existsSync(join(root, "tools/codegen/src/cli.ts"))) {
  steps.push(["regen --check", run("generated code is current", "pnpm", ["run", "regen", "--check"])]);
}
steps.push([
  "typecheck+test",
  run("typecheck and tests", "pnpm", ["exec", "turbo", "run", "typecheck", "test", "--continue", ...extraArgs]),
]);

let passed = 0;
let failed = 0;
let skipped = 0;
console.log("\nper package:");
for (const d of dirs) {
  const file = join(d, "test-results.json");
  if (!existsSync(file)) continue;
  const r = JSON.parse(readFileSync(file, "utf8"));
  // A test file that fails to load counts as one failure: its tests never ran.
  const brokenFiles = (r.testResults ?? []).filter(
    (f) => f.status === "failed" && (f.assertionResults ?? []).length === 0,
  ).length;
  const p = r.numPassedTests ?? 0;
  const f = (r.numFailedTests ?? 0) + brokenFiles;
  const s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  passed += p;
  failed += f;
  skipped += s;
  console.log(`  ${d.slice(root.length)}: ${p} passed, ${f} failed${s ? `, ${s} skipped` : ""}`);
}
const failedSteps = steps.filter(([, ok]) => !ok).map(([name]) => name);
if (failedSteps.length) console.log(`\nfailed steps: ${failedSteps.join(", ")}`);
if (failedSteps.length && failed === 0) failed = 1; // a failed step without a failed test still fails the run
console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
// exitCode rather than exit(): the process ends on its own once the summary is flushed.
process.exitCode = failedSteps.length || failed ? 1 : 0;
