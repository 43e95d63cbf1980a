// Latency runs of our client vs the official 1.1.0 client: concurrent lanes of one operation, interleaved rounds,
// throughput and p50/p99 latency figures. Shared by the round-trip benchmarks (acked sends, invocations).
import { type BenchContext, interleave, type Metric, percentile } from "./harness.ts";

export const OFFICIAL_CLIENT = "@azure/web-pubsub-client 1.1.0";

/** One measured run: operations per second and the latency of each operation, in ms. */
export interface Run {
  perSecond: number;
  latencies: number[];
}

/**
 * Keeps `lanes` calls of `op` in flight until `ms` have passed, pushing each call's latency to `latencies`; returns
 * how many calls completed.
 */
export async function saturate(
  lanes: number,
  ms: number,
  op: () => Promise<unknown>,
  latencies: number[],
): Promise<number> {
  const deadline = performance.now() + ms;
  let done = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await op();
        latencies.push(performance.now() - t);
        done++;
      }
    }),
  );
  return done;
}

/** Interleaved rounds of one run per side (each with a fresh client); every side's runs in round order. */
export async function compareClients(
  ctx: BenchContext,
  sides: Record<"ours" | "official", () => Promise<Run>>,
): Promise<Record<"ours" | "official", Run[]>> {
  const runs: Record<"ours" | "official", Run[]> = { ours: [], official: [] };
  const sample = (side: "ours" | "official") => async () => {
    const r = await sides[side]();
    runs[side].push(r);
    return r.perSecond;
  };
  await interleave(ctx.rounds, { ours: sample("ours"), official: sample("official") }, ctx.log);
  return runs;
}

/** Throughput, then p50 and p99 latency, ours vs the official client; `targets` are the ratios held to, if any. */
export function runMetrics(
  runs: Record<"ours" | "official", Run[]>,
  names: { throughput: string; unit: string; latency: string },
  targets: { throughput?: number; p99?: number } = {},
): Metric[] {
  const p = (side: "ours" | "official", q: number) => runs[side].map((r) => percentile(r.latencies, q));
  const latency = (q: number, target?: number): Metric => ({
    metric: `p${q} ${names.latency} latency`,
    unit: "ms",
    better: "lower",
    ours: p("ours", q),
    baseline: p("official", q),
    baselineName: OFFICIAL_CLIENT,
    ...(target === undefined ? {} : { target }),
  });
  return [
    {
      metric: names.throughput,
      unit: names.unit,
      better: "higher",
      ours: runs.ours.map((r) => r.perSecond),
      baseline: runs.official.map((r) => r.perSecond),
      baselineName: OFFICIAL_CLIENT,
      ...(targets.throughput === undefined ? {} : { target: targets.throughput }),
    },
    latency(50),
    latency(99, targets.p99),
  ];
}
