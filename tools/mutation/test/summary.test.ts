// The summary of a Stryker JSON report: counts per status, the score rule, and the equivalent-mutant list.
import { describe, expect, test } from "vitest";
import { selectedFiles } from "../src/options.ts";
import {
  formatTable,
  type MutationReport,
  parseEquivalents,
  summarize,
  survivors,
  total,
  withinScope,
} from "../src/summary.ts";
import { TARGETS } from "../src/targets.ts";

function mutant(id: string, status: string, line: number, mutatorName = "ConditionalExpression", replacement = "true") {
  return { id, status, mutatorName, replacement, location: { start: { line, column: 3 } } };
}

const report: MutationReport = {
  files: {
    "b.ts": { mutants: [mutant("1", "Killed", 1), mutant("2", "Survived", 2), mutant("3", "NoCoverage", 3)] },
    "a.ts": {
      mutants: [
        mutant("4", "Killed", 1),
        mutant("5", "Timeout", 2),
        mutant("6", "Survived", 5, "EqualityOperator", "i <= n"),
        mutant("7", "Survived", 5, "EqualityOperator", "i >= n"),
        mutant("8", "CompileError", 6),
        mutant("9", "Ignored", 7),
      ],
    },
  },
};

describe("summarize", () => {
  test("counts each status per file and scores detected / (detected + survived + no coverage)", () => {
    const { rows } = summarize(report, []);
    expect(rows.map((r) => r.file)).toEqual(["a.ts", "b.ts"]);
    const [a, b] = rows;
    expect(a).toMatchObject({ killed: 1, timeout: 1, survived: 2, noCoverage: 0, errors: 1, equivalent: 0 });
    expect(a!.score).toBe(50);
    expect(b).toMatchObject({ killed: 1, survived: 1, noCoverage: 1 });
    expect(b!.score).toBeCloseTo(100 / 3);
  });

  test("listed equivalent mutants leave the score; a replacement narrows an entry to one mutant", () => {
    const equivalents = parseEquivalents(
      [
        "# Equivalent mutants",
        "- `a.ts:5` EqualityOperator `i <= n`: the loop ends on the same element either way",
        "- `b.ts:3` ConditionalExpression: an early return of the same value",
        "- `a.ts:40` StringLiteral: no such mutant any more",
        "- `c.ts:1` StringLiteral: a file this report does not cover",
      ].join("\n"),
    );
    expect(equivalents).toHaveLength(4);
    expect(equivalents[0]).toEqual({
      file: "a.ts",
      line: 5,
      mutator: "EqualityOperator",
      replacement: "i <= n",
      reason: "the loop ends on the same element either way",
    });
    const { rows, stale } = summarize(report, equivalents);
    expect(rows[0]).toMatchObject({ survived: 1, equivalent: 1 });
    expect(rows[0]!.score).toBeCloseTo((2 / 3) * 100);
    expect(rows[1]).toMatchObject({ survived: 1, noCoverage: 0, equivalent: 1 });
    expect(stale.map((e) => `${e.file}:${e.line}`)).toEqual(["a.ts:40"]);
    expect(survivors(report, equivalents)).toEqual([
      "a.ts:5:3 EqualityOperator `i >= n`",
      "b.ts:2:3 ConditionalExpression `true`",
    ]);
  });

  test("a file without valid mutants has no score, and does not count as below the target", () => {
    const { rows } = summarize({ files: { "x.ts": { mutants: [mutant("1", "Ignored", 1)] } } }, []);
    expect(rows[0]!.score).toBeNaN();
    expect(formatTable(rows)).toContain("n/a");
    expect(formatTable(rows)).not.toContain("✗");
  });
});

describe("withinScope", () => {
  // Stryker carries a file taken out of a target from the incremental file into the new report: only the files the
  // run mutates (paths or globs, as in targets.ts) may be scored.
  const carried: MutationReport = {
    files: {
      "pkg/src/kept.ts": { mutants: [mutant("1", "Killed", 1)] },
      "pkg/src/odata/filter.ts": { mutants: [mutant("2", "Killed", 1)] },
      "pkg/src/odata/deep/x.ts": { mutants: [mutant("3", "Survived", 1)] },
      "pkg/src/removed.ts": { mutants: [mutant("4", "Survived", 1)] },
      "pkg/src/kept.tsx": { mutants: [mutant("5", "Survived", 1)] },
    },
  };

  test("keeps the files a pattern names and drops the rest, naming them", () => {
    const { report, dropped } = withinScope(carried, ["pkg/src/kept.ts", "pkg/src/odata/*.ts"]);
    expect(Object.keys(report.files).sort()).toEqual(["pkg/src/kept.ts", "pkg/src/odata/filter.ts"]);
    expect(dropped).toEqual(["pkg/src/kept.tsx", "pkg/src/odata/deep/x.ts", "pkg/src/removed.ts"]);
    expect(summarize(report, []).rows.every((r) => r.score === 100)).toBe(true);
  });

  test("a --file run scores only the files it narrowed to", () => {
    const target = { name: "t", dir: "pkg", mutate: ["pkg/src/kept.ts", "pkg/src/removed.ts"] };
    expect(selectedFiles(target, { files: ["kept"] })).toEqual(["pkg/src/kept.ts"]);
    expect(selectedFiles(target, {})).toEqual(target.mutate);
    const { report } = withinScope(carried, selectedFiles(target, { files: ["kept"] }));
    expect(Object.keys(report.files)).toEqual(["pkg/src/kept.ts"]);
  });
});

describe("formatTable", () => {
  test("one Markdown row per file and a bold total, flagging scores under 90%", () => {
    const { rows } = summarize(report, []);
    const table = formatTable(rows, total("all", rows)).split("\n");
    expect(table[0]).toMatch(/^\| file +\| killed \| survived \| no cov \| timeout \| equiv \| +score \|$/);
    expect(table[1]).toMatch(/^\|:-+\|(-+:\|){6}$/);
    expect(table[2]).toContain("50.0% ✗");
    expect(table[4]).toMatch(/\*\*all\*\* +\| +2 \| +3 \| +1 \| +1 \| +0 \| \*\*42\.9%\*\* ✗ \|$/);
    expect(new Set(table.map((l) => l.length)).size).toBe(1);
  });
});

describe("targets", () => {
  test("names are unique and every mutated file lies in its package", () => {
    expect(new Set(TARGETS.map((t) => t.name)).size).toBe(TARGETS.length);
    for (const t of TARGETS) for (const file of t.mutate) expect(file.startsWith(`${t.dir}/src/`)).toBe(true);
  });
});
