// A client sends acked sendToGroup messages (reliable json) to a group it is in and receives them back through the
// emulator: messages/s and ack latency, ours vs the official client, same emulator.
import { WebPubSubClient as OfficialClient } from "@azure/web-pubsub-client";
import { WebPubSubClient } from "@webpubsub/client";
import { type Benchmark, interleave, percentile } from "../harness.ts";
import { startWorker } from "../processes.ts";
import { clientUrl } from "../tokens.ts";

const IN_FLIGHT = 16;
const roles = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];

interface Run {
  perSecond: number;
  latencies: number[];
}

interface Peer {
  start(): Promise<void>;
  join(group: string): Promise<unknown>;
  send(group: string, text: string): Promise<unknown>;
  onGroupMessage(cb: () => void): void;
  stop(): Promise<void> | void;
}

async function ours(url: string): Promise<Peer> {
  const client = new WebPubSubClient(url, { protocol: "json.reliable" });
  return {
    start: () => client.start(),
    join: (g) => client.joinGroup(g),
    send: (g, text) => client.sendToGroup(g, text, "text"),
    onGroupMessage: (cb) => client.on("group-message", cb),
    stop: () => client.stop(),
  };
}

async function official(url: string): Promise<Peer> {
  const client = new OfficialClient(url);
  return {
    start: () => client.start(),
    join: (g) => client.joinGroup(g),
    send: (g, text) => client.sendToGroup(g, text, "text"),
    onGroupMessage: (cb) => client.on("group-message", cb),
    stop: () => client.stop(),
  };
}

async function drive(peer: Peer, ms: number): Promise<Run> {
  const group = `rt${Math.random().toString(36).slice(2, 8)}`;
  await peer.start();
  await peer.join(group);
  let received = 0;
  peer.onGroupMessage(() => received++);
  let sent = 0;
  let latencies: number[] = [];
  async function phase(duration: number): Promise<void> {
    const deadline = performance.now() + duration;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (performance.now() < deadline) {
          const t = performance.now();
          await peer.send(group, `m${sent++}`);
          latencies.push(performance.now() - t);
        }
      }),
    );
  }
  async function drain(): Promise<void> {
    const waitStart = performance.now();
    while (received < sent && performance.now() - waitStart < 10_000) await new Promise((r) => setTimeout(r, 2));
    if (received < sent) throw new Error(`received ${received} of ${sent} messages`);
  }
  // Warm the connection up at full concurrency first: first-use costs of either client are not what we measure.
  await phase(Math.min(500, ms / 3));
  await drain();
  latencies = [];
  const receivedBefore = received;
  const start = performance.now();
  await phase(ms);
  await drain();
  const elapsed = performance.now() - start;
  await peer.stop();
  return { perSecond: ((received - receivedBefore) * 1000) / elapsed, latencies };
}

export const clientRoundtrip: Benchmark = {
  name: "client-roundtrip",
  description: "acked sendToGroup round trips (reliable json) through the emulator, ours vs official client",
  async run(ctx) {
    const emulator = await startWorker<{ endpoint: string }>("emulator");
    try {
      const url = () => clientUrl(emulator.ready.endpoint, "roundtrip", { role: roles });
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
          metric: "round trips/s",
          unit: "msg/s",
          better: "higher",
          ours: runs.ours.map((r) => r.perSecond),
          baseline: runs.official.map((r) => r.perSecond),
          baselineName,
          target: 1.5,
        },
        {
          metric: "p50 ack latency",
          unit: "ms",
          better: "lower",
          ours: p("ours", 50),
          baseline: p("official", 50),
          baselineName,
        },
        {
          metric: "p99 ack latency",
          unit: "ms",
          better: "lower",
          ours: p("ours", 99),
          baseline: p("official", 99),
          baselineName,
          target: 1,
        },
      ];
    } finally {
      await emulator.stop();
    }
  },
};
