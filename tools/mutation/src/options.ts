// The Stryker configuration of one mutation target: every package runs its own vitest config (so tests resolve the
// workspace packages through the "source" export condition, as in `pnpm test`), mutates only the files its entry in
// targets.ts names, and keeps its reports and incremental file under reports/mutation/<name>/ (git-ignored).
import { createRequire } from "node:module";
import type { PartialStrykerOptions } from "@stryker-mutator/api/core";
import { shown } from "./shown.ts";
import type { MutationTarget } from "./targets.ts";

export const REPORTS_DIR = "reports/mutation";

/** Two cores: two test-runner workers keep both busy while the main process instruments and schedules. */
export const DEFAULT_CONCURRENCY = 2;

export interface RunSettings {
  concurrency: number;
  /** Only mutate the target's files whose path contains one of these strings (for quick iteration). */
  files?: string[];
  /** Ignore the incremental file and test every mutant again. */
  force?: boolean;
  /** Only check that the target's tests pass with its files instrumented (no mutant is run). */
  dryRunOnly?: boolean;
}

const require = createRequire(import.meta.url);

/** Where a target's reports go; a narrowed (`--file`) run gets its own folder so it never truncates the full one. */
export function reportDir(target: MutationTarget, settings: Pick<RunSettings, "files">): string {
  return settings.files?.length ? `${REPORTS_DIR}/${target.name}/partial` : `${REPORTS_DIR}/${target.name}`;
}

/** The target's file patterns a run mutates: all of them, or those a `--file` part names. */
export function selectedFiles(target: MutationTarget, settings: Pick<RunSettings, "files">): string[] {
  return settings.files?.length
    ? target.mutate.filter((pattern) => settings.files!.some((f) => pattern.includes(f)))
    : target.mutate;
}

export function strykerOptions(target: MutationTarget, settings: RunSettings): PartialStrykerOptions {
  const out = reportDir(target, settings);
  const mutate = selectedFiles(target, settings);
  if (mutate.length === 0) {
    throw new Error(
      `no file of ${target.name} matches ${settings.files!.map(shown).join(", ")}: see tools/mutation/src/targets.ts`,
    );
  }
  return {
    testRunner: "vitest",
    plugins: [require.resolve("@stryker-mutator/vitest-runner")],
    vitest: { configFile: target.vitestConfig ?? `${target.dir}/vitest.config.ts`, dir: target.dir, related: true },
    coverageAnalysis: "perTest",
    mutate,
    concurrency: settings.concurrency,
    // A busy shared machine slows test runs unevenly: give a mutant well over its baseline before calling it a
    // timeout (timeouts still count as detected, so a generous limit only costs time on real infinite loops).
    timeoutMS: target.timeoutMS ?? 10_000,
    timeoutFactor: 2,
    dryRunTimeoutMinutes: 15,
    incremental: true,
    force: settings.force ?? false,
    dryRunOnly: settings.dryRunOnly ?? false,
    incrementalFile: `${out}/stryker-incremental.json`,
    reporters: ["progress", "html", "json"],
    htmlReporter: { fileName: `${out}/index.html` },
    jsonReporter: { fileName: `${out}/mutation.json` },
    thresholds: { high: 90, low: 80, break: null },
    tempDirName: `${REPORTS_DIR}/.stryker-tmp`,
    cleanTempDir: true,
    // The sandbox is a copy of the repository (packages import each other through their node_modules links, which
    // Stryker links back to the real ones); leave out what no test reads.
    ignorePatterns: ["/reports", "**/dist", "**/.turbo", "**/test-results.json", "/bench/results", "*.tsbuildinfo"],
    allowConsoleColors: process.stdout.isTTY === true,
  };
}
