// invokeEvent round trips through the emulator to an event handler (@webpubsub/handler, echoing the payload) and
// back: invocations/s with 16 in flight, and the latency of each, ours vs the official 1.1.0 client, same emulator.
import { WebPubSubClient as OfficialClient } from "@azure/web-pubsub-client";
import { WebPubSubClient } from "@webpubsub/client";
import { type Run, runMetrics, saturate } from "../client-runs.ts";
import { type Benchmark, interleaveRuns } from "../harness.ts";
import { type Worker, withWorker } from "../processes.ts";
import { clientUrl } from "../tokens.ts";

const IN_FLIGHT = 16;
const PAYLOAD = { order: 42, items: ["apples", "pears"], note: "n".repeat(100) };

/** What this benchmark uses of either client. */
interface Invoker {
  start(): Promise<void>;
  invokeEvent(event: string, data: typeof PAYLOAD, dataType: "json"): Promise<unknown>;
  stop(): Promise<void> | void;
}

async function drive(invoker: Invoker, ms: number): Promise<Run> {
  await invoker.start();
  try {
    const invoke = () => invoker.invokeEvent("echo", PAYLOAD, "json");
    await saturate(IN_FLIGHT, Math.min(500, ms / 3), invoke, []); // warm-up
    const latencies: number[] = [];
    const start = performance.now();
    const done = await saturate(IN_FLIGHT, ms, invoke, latencies);
    return { perSecond: (done * 1000) / (performance.now() - start), latencies };
  } finally {
    await invoker.stop();
  }
}

export const invokeRoundtrip: Benchmark = {
  name: "invoke-roundtrip",
  description: "invokeEvent round trips through the emulator to a @webpubsub/handler upstream, ours vs official client",
  async run(ctx) {
    return withWorker("emulator-invoke", async (emulator: Worker<{ endpoint: string; hub: string }>) => {
      const url = () => clientUrl(emulator.ready.endpoint, emulator.ready.hub);
      const ms = ctx.quick ? 1500 : 4000;
      const runs = await interleaveRuns(
        ctx,
        {
          ours: async () => drive(new WebPubSubClient(await url()), ms),
          official: async () => drive(new OfficialClient(await url()), ms),
        },
        (r) => r.perSecond,
      );
      return runMetrics(runs, {
        throughput: `invocations/s, ${IN_FLIGHT} in flight`,
        unit: "inv/s",
        latency: "invoke",
      });
    });
  },
};
