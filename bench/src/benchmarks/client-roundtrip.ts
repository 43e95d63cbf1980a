// A client sends acked sendToGroup messages (reliable json) to a group it is in and receives them back through the
// emulator: messages/s and ack latency, ours vs the official client, same emulator.
import { WebPubSubClient as OfficialClient } from "@azure/web-pubsub-client";
import { WebPubSubClient } from "@webpubsub/client";
import { type Run, runMetrics, saturate } from "../client-runs.ts";
import { type Benchmark, interleaveRuns } from "../harness.ts";
import { type Worker, withWorker } from "../processes.ts";
import { clientUrl } from "../tokens.ts";

const IN_FLIGHT = 16;
const roles = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];

/** What this benchmark uses of either client. */
interface Peer {
  start(): Promise<void>;
  joinGroup(group: string): Promise<unknown>;
  sendToGroup(group: string, text: string, dataType: "text"): Promise<unknown>;
  on(event: "group-message", cb: () => void): void;
  stop(): Promise<void> | void;
}

async function drive(peer: Peer, ms: number): Promise<Run> {
  const group = `rt${Math.random().toString(36).slice(2, 8)}`;
  await peer.start();
  await peer.joinGroup(group);
  let received = 0;
  peer.on("group-message", () => received++);
  let sent = 0;
  const send = () => peer.sendToGroup(group, `m${sent++}`, "text");
  async function drain(): Promise<void> {
    const waitStart = performance.now();
    while (received < sent && performance.now() - waitStart < 10_000) await new Promise((r) => setTimeout(r, 2));
    if (received < sent) throw new Error(`received ${received} of ${sent} messages`);
  }
  // Warm the connection up at full concurrency first: first-use costs of either client are not what we measure.
  await saturate(IN_FLIGHT, Math.min(500, ms / 3), send, []);
  await drain();
  const latencies: number[] = [];
  const receivedBefore = received;
  const start = performance.now();
  await saturate(IN_FLIGHT, ms, send, latencies);
  await drain();
  const elapsed = performance.now() - start;
  await peer.stop();
  return { perSecond: ((received - receivedBefore) * 1000) / elapsed, latencies };
}

export const clientRoundtrip: Benchmark = {
  name: "client-roundtrip",
  description: "acked sendToGroup round trips (reliable json) through the emulator, ours vs official client",
  async run(ctx) {
    return withWorker("emulator", async (emulator: Worker<{ endpoint: string }>) => {
      const url = () => clientUrl(emulator.ready.endpoint, "roundtrip", { role: roles });
      const ms = ctx.quick ? 1500 : 4000;
      const runs = await interleaveRuns(
        ctx,
        {
          ours: async () => drive(new WebPubSubClient(await url(), { protocol: "json.reliable" }), ms),
          official: async () => drive(new OfficialClient(await url()), ms),
        },
        (r) => r.perSecond,
      );
      return runMetrics(
        runs,
        { throughput: "round trips/s", unit: "msg/s", latency: "ack" },
        { throughput: 1.5, p99: 1 },
      );
    });
  },
};
