// `pnpm mutation [target...] [--file <part>...] [--concurrency <n>] [--force] [--summary]`: runs Stryker on each
// target of targets.ts (default: every target held to the score target; `all` adds the informational ones), then
// prints one table per target from its JSON report. Incremental: mutants whose code and covering tests did not change
// since the last run keep their result, so a rerun after a small change takes minutes, not the full time.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Stryker } from "@stryker-mutator/core";
import { DEFAULT_CONCURRENCY, reportDir, selectedFiles, strykerOptions } from "./options.ts";
import {
  formatTable,
  type MutationReport,
  parseEquivalents,
  summarize,
  survivors,
  TARGET_SCORE,
  total,
  withinScope,
} from "./summary.ts";
import { type MutationTarget, TARGETS, unknownTargetMessage } from "./targets.ts";

const root = new URL("../../../", import.meta.url).pathname;
process.chdir(root);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    file: { type: "string", multiple: true },
    concurrency: { type: "string" },
    force: { type: "boolean" },
    summary: { type: "boolean" },
    list: { type: "boolean" },
    "dry-run": { type: "boolean" },
    help: { type: "boolean" },
  },
});

if (values.help) {
  console.log(
    [
      "usage: pnpm mutation [target...] [--file <path part>...] [--concurrency <n>] [--force] [--summary] [--list] [--dry-run]",
      `targets: ${TARGETS.map((t) => t.name + (t.informational ? " (informational)" : "")).join(", ")}, all`,
      "  --file         mutate only the target files whose path contains this text (reports go to <target>/partial)",
      "  --concurrency  test-runner workers (default 2)",
      "  --force        ignore the incremental file: test every mutant again",
      "  --summary      print the tables of the last reports without running anything",
      "  --list         also list every surviving or uncovered mutant (file:line:column mutator `replacement`)",
      "  --dry-run      only check that the target's tests pass on the instrumented code (no mutant is run)",
    ].join("\n"),
  );
  process.exit(0);
}

function selectTargets(names: string[]): MutationTarget[] {
  if (names.length === 0) return TARGETS.filter((t) => !t.informational);
  if (names.includes("all")) return [...TARGETS];
  return names.map((name) => {
    const bare = name.replace(/^@webpubsub\//, "");
    const target = TARGETS.find((t) => t.name === bare);
    if (!target) {
      console.error(unknownTargetMessage(name));
      process.exit(2);
    }
    return target;
  });
}

const concurrency = values.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(values.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error("--concurrency must be a positive integer");
  process.exit(2);
}
const settings = { concurrency, files: values.file, force: values.force, dryRunOnly: values["dry-run"] };
const targets = selectTargets(positionals);
const equivalents = parseEquivalents(readFileSync(join(root, "tools/mutation/equivalent-mutants.md"), "utf8"));

const timings = new Map<string, number>();
if (!values.summary) {
  for (const target of targets) {
    console.log(`\n> mutation testing ${target.name} (${target.dir})`);
    const started = performance.now();
    await new Stryker(strykerOptions(target, settings)).runMutationTest();
    timings.set(target.name, performance.now() - started);
  }
}

if (values["dry-run"]) {
  console.log(`\ndry run passed for ${targets.map((t) => t.name).join(", ")}`);
  process.exit(0);
}

let belowTarget = 0;
for (const target of targets) {
  const dir = reportDir(target, settings);
  const file = join(root, dir, "mutation.json");
  if (!existsSync(file)) {
    console.log(`\n${target.name}: no report yet (${dir}/mutation.json); run \`pnpm mutation ${target.name}\``);
    continue;
  }
  const { report, dropped } = withinScope(
    JSON.parse(readFileSync(file, "utf8")) as MutationReport,
    selectedFiles(target, settings),
  );
  const { rows, stale } = summarize(report, equivalents);
  const sum = total(`${target.name} total`, rows);
  const took = timings.get(target.name);
  const label = target.informational ? " (informational: not held to the target yet)" : "";
  console.log(`\n## ${target.name}${label}${took === undefined ? "" : `, ${(took / 60_000).toFixed(1)} min`}\n`);
  console.log(formatTable(rows, sum));
  console.log(`\nreport: ${dir}/index.html`);
  for (const f of dropped) console.log(`not scored: ${f} is not mutated by this run (an old result kept by Stryker)`);
  if (values.list) for (const line of survivors(report, equivalents)) console.log(line);
  for (const e of stale) {
    console.log(`stale equivalent entry (no such surviving mutant): ${e.file}:${e.line} ${e.mutator}`);
  }
  if (!target.informational) belowTarget += rows.filter((r) => r.score < TARGET_SCORE).length;
}
if (belowTarget > 0) {
  console.log(`\n${belowTarget} file(s) below the ${TARGET_SCORE}% target`);
  process.exitCode = 1;
}
