// Shared vitest settings: tests run against each package's TypeScript sources through the "source" export condition,
// so no build is needed before testing, and every package writes a JSON report that scripts/test.mjs sums up.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Run before every test file: a positive toThrow fails when the thrown value is undefined or null. */
const SETUP = fileURLToPath(new URL("./vitest.setup.ts", import.meta.url));

export interface PackageTestOverrides {
  testTimeout?: number;
  hookTimeout?: number;
  include?: string[];
  /** Files run once before all test files (e.g. packing the release tarballs). */
  globalSetup?: string[];
  /** How many `concurrent` tests of one file run at once. */
  maxConcurrency?: number;
}

export function packageTestConfig(overrides: PackageTestOverrides = {}) {
  return defineConfig({
    resolve: { conditions: ["source", "module", "browser", "development|production"] },
    ssr: { resolve: { conditions: ["source", "module", "node", "development|production"] } },
    test: {
      include: overrides.include ?? ["test/**/*.test.ts"],
      testTimeout: overrides.testTimeout ?? 120_000,
      hookTimeout: overrides.hookTimeout ?? 120_000,
      passWithNoTests: true,
      setupFiles: [SETUP],
      reporters: ["default", ["json", { outputFile: "test-results.json" }]],
      ...(overrides.globalSetup ? { globalSetup: overrides.globalSetup } : {}),
      ...(overrides.maxConcurrency ? { maxConcurrency: overrides.maxConcurrency } : {}),
    },
  });
}
