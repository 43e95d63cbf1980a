// The per-file summary of a Stryker JSON report (killed, survived, no coverage, timeout, score), with the mutants
// listed in equivalent-mutants.md taken out of the score: they cannot be killed by any test, by the reasons given
// there. An entry that matches no surviving mutant is reported as stale, so the list is re-checked when code moves.
import { matchesGlob } from "node:path";

/** The part of Stryker's mutation-testing JSON report (mutation-testing-report-schema) that the summary reads. */
export interface MutationReport {
  files: Record<
    string,
    {
      mutants: {
        id: string;
        mutatorName: string;
        replacement?: string;
        status: string;
        location: { start: { line: number; column: number } };
      }[];
    }
  >;
}

export interface EquivalentEntry {
  file: string;
  line: number;
  mutator: string;
  /** Narrows the entry to the mutant with this replacement text, when several share the line and mutator. */
  replacement?: string;
  reason: string;
}

export interface FileRow {
  file: string;
  killed: number;
  survived: number;
  noCoverage: number;
  timeout: number;
  equivalent: number;
  /** Compile or runtime errors: invalid mutants, not counted in the score. */
  errors: number;
  /** (killed + timeout) / (killed + timeout + survived + noCoverage), in percent; NaN for a file with no mutant. */
  score: number;
}

export const TARGET_SCORE = 90;

const ENTRY = /^- `([^`]+):(\d+)` (\w+)(?: `([^`]*)`)?: (.+)$/;

/** Parses the list: one `- \`file:line\` Mutator[ \`replacement\`]: reason` line per equivalent mutant. */
export function parseEquivalents(markdown: string): EquivalentEntry[] {
  const entries: EquivalentEntry[] = [];
  for (const line of markdown.split("\n")) {
    const m = ENTRY.exec(line.trim());
    if (m === null) continue;
    const entry: EquivalentEntry = { file: m[1]!, line: Number(m[2]), mutator: m[3]!, reason: m[5]!.trim() };
    if (m[4] !== undefined) entry.replacement = m[4];
    entries.push(entry);
  }
  return entries;
}

function matches(entry: EquivalentEntry, file: string, mutant: MutationReport["files"][string]["mutants"][number]) {
  return (
    entry.file === file &&
    entry.line === mutant.location.start.line &&
    entry.mutator === mutant.mutatorName &&
    (entry.replacement === undefined || entry.replacement === mutant.replacement)
  );
}

export function score(row: Pick<FileRow, "killed" | "survived" | "noCoverage" | "timeout">): number {
  const detected = row.killed + row.timeout;
  const valid = detected + row.survived + row.noCoverage;
  return valid === 0 ? Number.NaN : (detected / valid) * 100;
}

/**
 * The report narrowed to the files the run mutates (`patterns`: paths or globs, as in targets.ts). Stryker copies the
 * results of files taken out of a target from its incremental file into the new report (even with --force), so
 * without this a file no longer mutated would still be scored. `dropped` names the files left out.
 */
export function withinScope(
  report: MutationReport,
  patterns: readonly string[],
): { report: MutationReport; dropped: string[] } {
  const files: MutationReport["files"] = {};
  const dropped: string[] = [];
  for (const [file, result] of Object.entries(report.files)) {
    if (patterns.some((pattern) => matchesGlob(file, pattern))) files[file] = result;
    else dropped.push(file);
  }
  return { report: { files }, dropped: dropped.sort() };
}

/** One row per file of the report (sorted by path), the equivalents applied, and the entries that matched nothing. */
export function summarize(
  report: MutationReport,
  equivalents: readonly EquivalentEntry[],
): { rows: FileRow[]; stale: EquivalentEntry[] } {
  const used = new Set<EquivalentEntry>();
  const rows: FileRow[] = [];
  for (const file of Object.keys(report.files).sort()) {
    const row = emptyRow(file);
    for (const mutant of report.files[file]!.mutants) {
      switch (mutant.status) {
        case "Killed":
          row.killed++;
          break;
        case "Timeout":
          row.timeout++;
          break;
        case "Survived":
        case "NoCoverage": {
          const entry = equivalents.find((e) => matches(e, file, mutant));
          if (entry !== undefined) {
            used.add(entry);
            row.equivalent++;
          } else if (mutant.status === "Survived") row.survived++;
          else row.noCoverage++;
          break;
        }
        case "CompileError":
        case "RuntimeError":
          row.errors++;
          break;
      }
    }
    row.score = score(row);
    rows.push(row);
  }
  const reported = new Set(Object.keys(report.files));
  const stale = equivalents.filter((e) => reported.has(e.file) && !used.has(e));
  return { rows, stale };
}

/** The surviving and uncovered mutants that the equivalents do not explain, one line each (for `--list`). */
export function survivors(report: MutationReport, equivalents: readonly EquivalentEntry[]): string[] {
  const out: string[] = [];
  for (const file of Object.keys(report.files).sort()) {
    for (const mutant of report.files[file]!.mutants) {
      if (mutant.status !== "Survived" && mutant.status !== "NoCoverage") continue;
      if (equivalents.some((e) => matches(e, file, mutant))) continue;
      const { line, column } = mutant.location.start;
      const replacement = (mutant.replacement ?? "").replace(/\s+/g, " ").slice(0, 100);
      out.push(
        `${file}:${line}:${column} ${mutant.mutatorName} \`${replacement}\`${mutant.status === "NoCoverage" ? " (no coverage)" : ""}`,
      );
    }
  }
  return out;
}

/** A row with every count at 0. */
function emptyRow(file: string): FileRow {
  return { file, killed: 0, survived: 0, noCoverage: 0, timeout: 0, equivalent: 0, errors: 0, score: 0 };
}

/** The sum of several rows (a package's total). */
export function total(name: string, rows: readonly FileRow[]): FileRow {
  const sum = emptyRow(name);
  for (const r of rows) {
    sum.killed += r.killed;
    sum.survived += r.survived;
    sum.noCoverage += r.noCoverage;
    sum.timeout += r.timeout;
    sum.equivalent += r.equivalent;
    sum.errors += r.errors;
  }
  sum.score = score(sum);
  return sum;
}

/** A Markdown table (it reads as plain text in a terminal and pastes into a README as is). */
export function formatTable(rows: readonly FileRow[], totalRow?: FileRow): string {
  const header = ["file", "killed", "survived", "no cov", "timeout", "equiv", "score"];
  const line = (r: FileRow, bold = false) => {
    const s = Number.isNaN(r.score) ? "n/a" : `${r.score.toFixed(1)}%`;
    const flag = !Number.isNaN(r.score) && r.score < TARGET_SCORE ? " ✗" : "";
    const name = bold ? `**${r.file}**` : r.file;
    return [name, r.killed, r.survived, r.noCoverage, r.timeout, r.equivalent, bold ? `**${s}**${flag}` : s + flag];
  };
  const body = rows.map((r) => line(r));
  if (totalRow) body.push(line(totalRow, true));
  const cells = [header, ...body].map((cols) => cols.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  const fmt = (cols: string[]) =>
    `| ${cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [fmt(cells[0]!), rule, ...cells.slice(1).map(fmt)].join("\n");
}
