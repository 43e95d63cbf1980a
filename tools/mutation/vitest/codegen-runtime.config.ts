// The generator's tests as the `codegen-runtime` mutation run uses them: only those of its run-time helpers
// (test/runtime-*.test.ts), which import src/runtime/paging.ts and route-table.ts as modules and drive them over an
// in-memory HttpClient. Left out: the generator's other tests, which read those files as text to copy them into a
// generated client (and compare it with packages/rest/src/generated, or type-check it with tsc): Stryker's
// instrumented copy of a runtime file is not that text, so they would fail on every mutant for a reason that has
// nothing to do with the behaviour under test, and the tsc runs cost seconds each.
import { defineConfig } from "vitest/config";
import base from "../../codegen/vitest.config.ts";

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/runtime-*.test.ts"],
  },
});
