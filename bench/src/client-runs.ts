// Latency runs of our client vs the official 1.1.0 client: concurrent lanes of one operation, interleaved rounds,
// throughput and p50/p99 latency figures. Shared by the round-trip benchmarks (acked sends, invocations).
import { figureOf, type Metric, percentile } from "./harness.ts";

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

/** Throughput, then p50 and p99 latency, ours vs the official client; `targets` are the ratios held to, if any. */
export function runMetrics(
  runs: Record<"ours" | "official", Run[]>,
  names: { throughput: string; unit: string; latency: string },
  targets: { throughput?: number; p99?: number } = {},
): Metric[] {
  const target = (t: number | undefined) => (t === undefined ? {} : { target: t });
  const latency = (q: number) =>
    figureOf(runs, (r) => percentile(r.latencies, q), {
      metric: `p${q} ${names.latency} latency`,
      unit: "ms",
      better: "lower",
      baselineName: OFFICIAL_CLIENT,
    });
  return [
    {
      ...figureOf(runs, (r) => r.perSecond, {
        metric: names.throughput,
        unit: names.unit,
        better: "higher",
        baselineName: OFFICIAL_CLIENT,
      }),
      ...target(targets.throughput),
    },
    latency(50),
    { ...latency(99), ...target(targets.p99) },
  ];
}
