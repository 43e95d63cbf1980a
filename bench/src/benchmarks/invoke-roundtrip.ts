// invokeEvent round trips through the emulator to an event handler (@webpubsub/handler, echoing the payload) and
// back: invocations/s with 16 in flight, and the latency of each, ours vs the official 1.1.0 client, same emulator.
import { WebPubSubClient as OfficialClient } from "@azure/web-pubsub-client";
import { WebPubSubClient } from "@webpubsub/client";
import { type Benchmark, interleave, percentile } from "../harness.ts";
import { startWorker } from "../processes.ts";
import { clientUrl } from "../tokens.ts";

const IN_FLIGHT = 16;
const PAYLOAD = { order: 42, items: ["apples", "pears"], note: "n".repeat(100) };

interface Invoker {
  invoke(): Promise<unknown>;
  stop(): Promise<void> | void;
}

async function ours(url: string): Promise<Invoker> {
  const client = new WebPubSubClient(url);
  await client.start();
  return { invoke: () => client.invokeEvent("echo", PAYLOAD, "json"), stop: () => client.stop() };
}

async function official(url: string): Promise<Invoker> {
  const client = new OfficialClient(url);
  await client.start();
  return { invoke: () => client.invokeEvent("echo", PAYLOAD, "json"), stop: () => client.stop() };
}

interface Run {
  perSecond: number;
  latencies: number[];
}

async function drive(invoker: Invoker, ms: number): Promise<Run> {
  let latencies: number[] = [];
  let done = 0;
  async function phase(duration: number): Promise<void> {
    const deadline = performance.now() + duration;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (performance.now() < deadline) {
          const t = performance.now();
          await invoker.invoke();
          latencies.push(performance.now() - t);
          done++;
        }
      }),
    );
  }
  try {
    await phase(Math.min(500, ms / 3)); // warm-up
    latencies = [];
    done = 0;
    const start = performance.now();
    await phase(ms);
    return { perSecond: (done * 1000) / (performance.now() - start), latencies };
  } finally {
    await invoker.stop();
  }
}

export const invokeRoundtrip: Benchmark = {
  name: "invoke-roundtrip",
  description: "invokeEvent round trips through the emulator to a @webpubsub/handler upstream, ours vs official client",
  async run(ctx) {
    const emulator = await startWorker<{ endpoint: string; hub: string }>("emulator-invoke");
    try {
      const url = () => clientUrl(emulator.ready.endpoint, emulator.ready.hub);
      const ms = ctx.quick ? 1500 : 4000;
      const runs: Record<"ours" | "official", Run[]> = { ours: [], official: [] };
      await interleave(
        ctx.rounds,
        {
          ours: async () => {
            const r = await drive(await ours(await url()), ms);
            runs.ours.push(r);
            return r.perSecond;
          },
          official: async () => {
            const r = await drive(await official(await url()), ms);
            runs.official.push(r);
            return r.perSecond;
          },
        },
        ctx.log,
      );
      const baselineName = "@azure/web-pubsub-client 1.1.0";
      const p = (side: "ours" | "official", q: number) => runs[side].map((r) => percentile(r.latencies, q));
      return [
        {
          metric: `invocations/s, ${IN_FLIGHT} in flight`,
          unit: "inv/s",
          better: "higher",
          ours: runs.ours.map((r) => r.perSecond),
          baseline: runs.official.map((r) => r.perSecond),
          baselineName,
        },
        {
          metric: "p50 invoke latency",
          unit: "ms",
          better: "lower",
          ours: p("ours", 50),
          baseline: p("official", 50),
          baselineName,
        },
        {
          metric: "p99 invoke latency",
          unit: "ms",
          better: "lower",
          ours: p("ours", 99),
          baseline: p("official", 99),
          baselineName,
        },
      ];
    } finally {
      await emulator.stop();
    }
  },
};
