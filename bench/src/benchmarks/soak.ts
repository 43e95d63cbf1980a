// Soak: 10 minutes (`--quick`: 30 s) of connect/disconnect churn, acked sends, REST sends and reliable-session
// recoveries against the emulator in its own process, printing its RSS and heap every minute (every 10 s when quick).
// A leak shows as growth after the first interval, when the working set has formed: RSS must stay within 1.5x of its
// value then, and so must the JS heap. Opt-in: `pnpm bench soak`. Figures are taken after a full GC.
//
// The emulator process runs with the CLI's V8 flags. Then two intervals of the same churn with V8's default flags show
// why the CLI sets them: under connect churn V8 grows its young generation to the default maximum and keeps those pages
// resident (RSS ~100 MB higher while the JS heap stays at ~16 MB; packages/emulator/README.md "Memory").
import type { Benchmark, Metric } from "../harness.ts";
import { startWorker, type Worker } from "../processes.ts";

interface Memory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

interface Stats {
  connects: number;
  recoveries: number;
  sent: number;
  received: number;
  restSends: number;
  errors: number;
  lastError: string;
}

const MB = 1024 * 1024;
const mb = (n: number) => `${(n / MB).toFixed(1)} MB`;

async function memory(emulator: Worker<{ endpoint: string }>): Promise<Memory> {
  await emulator.request({ type: "gc" }, "gc-done");
  return emulator.request<Memory>({ type: "memory" }, "memory");
}

interface Soak {
  samples: Memory[];
  stats: Stats;
}

async function soak(
  durationMs: number,
  intervalMs: number,
  execArgv: string[],
  log: (line: string) => void,
): Promise<Soak> {
  const emulator = await startWorker<{ endpoint: string }>("emulator", ["--expose-gc", ...execArgv]);
  try {
    const clients = await startWorker<{ idle: number; lanes: number }>("soak-clients", [], [emulator.ready.endpoint]);
    try {
      log(`  ${clients.ready.idle} idle clients, ${clients.ready.lanes} churn lanes, REST sends every 50 ms`);
      const samples: Memory[] = [];
      const started = performance.now();
      for (let t = intervalMs; t <= durationMs; t += intervalMs) {
        await new Promise((r) => setTimeout(r, started + t - performance.now()));
        const m = await memory(emulator);
        const s = await clients.request<Stats>({ type: "stats" }, "stats");
        samples.push(m);
        log(
          `  ${(t / 1000).toFixed(0).padStart(4)} s: rss ${mb(m.rss)}, heap ${mb(m.heapUsed)} used / ${mb(m.heapTotal)}, ` +
            `external ${mb(m.external)}, arrayBuffers ${mb(m.arrayBuffers)} | ${s.connects} connects, ` +
            `${s.sent} client sends, ${s.restSends} REST sends, ${s.recoveries} recoveries, ${s.errors} errors`,
        );
      }
      const stats = await clients.request<Stats>({ type: "stop" }, "stopped");
      return { samples, stats };
    } finally {
      await clients.stop();
    }
  } finally {
    await emulator.stop();
  }
}

/** What the CLI runs with (CLI_SEMI_SPACE_MB in packages/emulator/src/cli.ts): a capped V8 young generation. */
const CLI_FLAGS = ["--max-semi-space-size=8"];

export const soakBenchmark: Benchmark = {
  name: "soak",
  description: "10 minutes of churn, sends and recoveries: emulator RSS stays within 1.5x of its value after minute 1",
  optIn: true,
  async run(ctx) {
    const intervalMs = ctx.quick ? 10_000 : 60_000;
    const durationMs = ctx.quick ? 30_000 : 600_000;
    ctx.log(`  the emulator process as the CLI runs it (${CLI_FLAGS.join(" ")}):`);
    const run = await soak(durationMs, intervalMs, CLI_FLAGS, ctx.log);
    const first = run.samples[0]!;
    const last = run.samples[run.samples.length - 1]!;
    const peak = Math.max(...run.samples.map((s) => s.rss));
    ctx.log(
      `  rss after the first interval ${mb(first.rss)}, at the end ${mb(last.rss)} (${(last.rss / first.rss).toFixed(2)}x), ` +
        `peak ${mb(peak)}; heap used ${mb(first.heapUsed)} -> ${mb(last.heapUsed)}`,
    );
    if (run.stats.errors > 0) {
      throw new Error(`${run.stats.errors} client errors during the soak, the last: ${run.stats.lastError}`);
    }
    // startEmulator() inside a test process runs with that process's flags, usually V8's defaults: its young
    // generation grows to the default maximum under this load (bounded, and not given back), shown for comparison
    ctx.log("  the same churn with V8's default flags (startEmulator() in a test process):");
    const defaults = await soak(intervalMs * 2, intervalMs, [], ctx.log);
    const growth = (what: string, of: (m: Memory) => number): Metric => ({
      metric: `${what} at the end vs after the first interval`,
      unit: "MB",
      better: "lower",
      ours: [of(last) / MB],
      baseline: [of(first) / MB],
      baselineName: "same run, after the first interval",
      target: 1.5,
    });
    const metrics: Metric[] = [
      growth("RSS", (m) => m.rss),
      growth("JS heap used", (m) => m.heapUsed),
      {
        metric: "RSS after two intervals, CLI flags vs V8 defaults",
        unit: "MB",
        better: "lower",
        ours: [run.samples[Math.min(1, run.samples.length - 1)]!.rss / MB],
        baseline: [defaults.samples[defaults.samples.length - 1]!.rss / MB],
        baselineName: "V8 default flags",
      },
    ];
    return metrics;
  },
};
