// The benchmark harness: interleaved rounds of ours vs a baseline in the same run, medians, ratios against targets
// (the median of the rounds' ratios: see ratioOf).

export type Direction = "higher" | "lower";

/** One figure compared between our implementation and the baseline. `ratio` is always ours / baseline. */
export interface Metric {
  metric: string;
  unit: string;
  /** Which way is better for this figure. */
  better: Direction;
  ours: number[];
  baseline: number[];
  baselineName: string;
  /** The ratio we hold ourselves to: `>= n` for `better: "higher"`, `<= n` for `better: "lower"`. */
  target?: number;
  /** A bound on our own median, in `unit` (`<=` for lower-is-better, `>=` otherwise), instead of a ratio. */
  absoluteTarget?: number;
  /**
   * Whether `ours[i]` and `baseline[i]` ran in the same round (interleaved, one right after the other). Paired unless
   * said otherwise; false for figures whose two sides come from different phases of a run.
   */
  paired?: boolean;
}

export interface BenchContext {
  quick: boolean;
  rounds: number;
  log: (line: string) => void;
}

export interface Benchmark {
  name: string;
  description: string;
  /** Run only when named (`pnpm bench soak`), not by a plain `pnpm bench`: for long runs. */
  optIn?: boolean;
  run(ctx: BenchContext): Promise<Metric[]>;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

/**
 * Runs `rounds` rounds; in each, every variant runs once, the order alternating between rounds so neither side
 * always gets the warmer (or noisier) slot. Returns each variant's samples in round order.
 */
export async function interleave<T extends string>(
  rounds: number,
  variants: Record<T, () => Promise<number>>,
  log?: (line: string) => void,
): Promise<Record<T, number[]>> {
  const names = Object.keys(variants) as T[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<T, number[]>;
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const value = await variants[name]();
      samples[name].push(value);
      log?.(`  round ${round + 1}/${rounds} ${name}: ${format(value)}`);
    }
  }
  return samples;
}

/**
 * `interleave` of runs that yield more than one figure: each side's runs in round order, `figure` of each run being
 * the sample logged.
 */
export async function interleaveRuns<R>(
  ctx: BenchContext,
  sides: Record<"ours" | "official", () => Promise<R>>,
  figure: (run: R) => number,
): Promise<Record<"ours" | "official", R[]>> {
  const runs: Record<"ours" | "official", R[]> = { ours: [], official: [] };
  const sample = (side: "ours" | "official") => async () => {
    const r = await sides[side]();
    runs[side].push(r);
    return figure(r);
  };
  await interleave(ctx.rounds, { ours: sample("ours"), official: sample("official") }, ctx.log);
  return runs;
}

/** A figure of `interleaveRuns` results: `of` every run, ours vs the baseline (the official side). */
export function figureOf<R>(
  runs: Record<"ours" | "official", R[]>,
  of: (run: R) => number,
  metric: Omit<Metric, "ours" | "baseline">,
): Metric {
  return { ...metric, ours: runs.ours.map(of), baseline: runs.official.map(of) };
}

/** Runs `fn` repeatedly for about `ms` milliseconds and returns operations per second. */
export async function opsPerSecond(ms: number, fn: () => unknown | Promise<unknown>, batch = 100): Promise<number> {
  const start = performance.now();
  let ops = 0;
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) await fn();
    ops += batch;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

/**
 * The figure's ratio, ours / baseline. For paired samples, the median of the per-round ratios: the machine drifts
 * during a run (on this shared machine both clients' CPU per request moved from about 60 to 140 µs and back within
 * one run), and the two sides of a round ran at the same time, so each round's ratio cancels the drift that a ratio of
 * the two medians (possibly taken from different phases) keeps. Otherwise, and when the sides have different counts,
 * the ratio of the medians.
 */
export function ratioOf(m: Metric): number {
  if (m.paired === false || m.ours.length !== m.baseline.length) return ratioOfMedians(m);
  return median(m.ours.map((ours, i) => ours / (m.baseline[i] as number)));
}

/** The ratio of the two sides' medians, with no pairing of rounds. */
export function ratioOfMedians(m: Metric): number {
  return median(m.ours) / median(m.baseline);
}

export function meetsTarget(m: Metric): boolean | undefined {
  const value = m.absoluteTarget !== undefined ? median(m.ours) : ratioOf(m);
  const target = m.absoluteTarget ?? m.target;
  if (target === undefined) return undefined;
  return m.better === "higher" ? value >= target : value <= target;
}

export function describeTarget(m: Metric): string {
  const op = m.better === "higher" ? ">=" : "<=";
  if (m.absoluteTarget !== undefined) return `${op} ${m.absoluteTarget} ${m.unit}`;
  return m.target === undefined ? "" : `${op} ${m.target}x`;
}

export function format(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 100_000) return n.toExponential(2);
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}
