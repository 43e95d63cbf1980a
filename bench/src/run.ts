// `pnpm bench [name ...] [--quick] [--rounds N]`: runs the benchmarks (without names: all but the opt-in ones, such as
// the 10-minute soak), prints a table of medians with ratios against the baseline measured in the same run, and writes
// the same figures to bench/results/latest.json (bench/results/<name>.json when benchmarks are named).
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { benchmarks } from "./benchmarks/index.ts";
import {
  type Benchmark,
  describeTarget,
  format,
  type Metric,
  median,
  meetsTarget,
  ratioOf,
  ratioOfMedians,
} from "./harness.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const roundsFlag = args.indexOf("--rounds");
const rounds = roundsFlag >= 0 ? Number(args[roundsFlag + 1]) : quick ? 3 : 7;
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`--rounds must be an integer >= 1, got ${args[roundsFlag + 1]}`);
  process.exit(2);
}
const names = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--rounds");
const unknown = names.filter((n) => !benchmarks.some((b) => b.name === n));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${benchmarks.map((b) => b.name).join(", ")}`);
  process.exit(2);
}
const selected: Benchmark[] = names.length
  ? benchmarks.filter((b) => names.includes(b.name))
  : benchmarks.filter((b) => b.optIn !== true);

const machine = `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
console.log(
  `benchmarks: ${selected.map((b) => b.name).join(", ")} | ${quick ? "quick" : "full"}, ${rounds} rounds | ${machine}`,
);

const loadAtStart = Number(loadavg()[0]?.toFixed(1));
const results: { benchmark: string; description: string; metrics: Metric[]; error?: string }[] = [];
for (const b of selected) {
  console.log(`\n# ${b.name}: ${b.description}`);
  const started = performance.now();
  try {
    const metrics = await b.run({ quick, rounds, log: (line) => console.log(line) });
    results.push({ benchmark: b.name, description: b.description, metrics });
  } catch (error) {
    console.error(`  ${b.name} failed:`, error);
    results.push({ benchmark: b.name, description: b.description, metrics: [], error: String(error) });
  }
  console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

const header = ["benchmark", "metric", "ours (median)", "baseline (median)", "ratio", "target", "met"];
const rows = results.flatMap((r) =>
  r.error
    ? [[r.benchmark, "FAILED", r.error.slice(0, 60), "", "", "", ""]]
    : r.metrics.map((m) => {
        const met = meetsTarget(m);
        return [
          r.benchmark,
          `${m.metric} (${m.unit})`,
          format(median(m.ours)),
          `${format(median(m.baseline))} ${m.baselineName}`,
          `${format(ratioOf(m))}x`,
          describeTarget(m),
          met === undefined ? "" : met ? "yes" : "NO",
        ];
      }),
);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => String(c).padEnd(widths[i] as number)).join(" | ")} |`;
console.log(`\n${line(header)}\n${line(widths.map((w) => "-".repeat(w)))}`);
for (const r of rows) console.log(line(r as string[]));

const out = new URL("../results/", import.meta.url);
// a run of named benchmarks does not overwrite the full run's figures
const file = names.length ? `${names.join("+")}.json` : "latest.json";
mkdirSync(out, { recursive: true });
writeFileSync(
  new URL(file, out),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine,
      // the 1-minute load average when the run started: on a shared machine, how busy it was besides this run
      loadAtStart,
      mode: quick ? "quick" : "full",
      rounds,
      results: results.map((r) => ({
        ...r,
        metrics: r.metrics.map((m) => ({
          ...m,
          oursMedian: median(m.ours),
          baselineMedian: median(m.baseline),
          ratio: ratioOf(m),
          ratioOfMedians: ratioOfMedians(m),
          met: meetsTarget(m) ?? null,
        })),
      })),
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwritten: bench/results/${file}`);
process.exit(results.some((r) => r.error) ? 1 : 0);
