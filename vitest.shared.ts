// Shared vitest settings: tests run against each package's TypeScript sources through the "source" export condition,
// so no build is needed before testing, and every package writes a JSON report that scripts/test.mjs sums up.
import { defineConfig } from "vitest/config";

export function packageTestConfig(overrides: { testTimeout?: number; include?: string[] } = {}) {
  return defineConfig({
    resolve: { conditions: ["source", "module", "browser", "development|production"] },
    ssr: { resolve: { conditions: ["source", "module", "node", "development|production"] } },
    test: {
      include: overrides.include ?? ["test/**/*.test.ts"],
      testTimeout: overrides.testTimeout ?? 20_000,
      hookTimeout: 30_000,
      passWithNoTests: true,
      reporters: ["default", ["json", { outputFile: "test-results.json" }]],
    },
  });
}
