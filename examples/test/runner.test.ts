// The demo's step runner stops at the first failing step and names it (that is what makes `pnpm demo` exit 1).
import { afterEach, expect, test, vi } from "vitest";
import { expectEqual, runSteps, StepFailure } from "../src/demo/runner.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

test("runSteps stops at the first failing step and reports it", async () => {
  const printed: string[] = [];
  vi.spyOn(console, "log").mockImplementation((line?: unknown) => {
    printed.push(String(line));
  });
  let ranThird = false;
  const labels: string[] = [];
  const result = await runSteps(
    [
      { title: "first", run: async () => ["detail one"] },
      {
        title: "second",
        run: async () => {
          expectEqual(1 + 1, 3, "arithmetic", ["what was observed"]);
          return [];
        },
      },
      {
        title: "third",
        run: async () => {
          ranThird = true;
          return [];
        },
      },
    ],
    (label) => labels.push(label),
  );
  expect(result.passed).toBe(1);
  expect(result.failed?.index).toBe(2);
  expect(result.failed?.title).toBe("second");
  expect(result.failed?.error).toBeInstanceOf(StepFailure);
  expect(ranThird).toBe(false);
  expect(labels).toEqual(["step 1 (first)", "step 2 (second)"]);
  expect(printed.join("\n")).toMatch(
    /1 ✔ first\n\s+detail one\n2 ✘ second\n\s+arithmetic: expected 3, got 2\n\s+what was observed/,
  );
});
