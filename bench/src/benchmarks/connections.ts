// Memory per idle connection in the emulator (RSS delta after GC) with N clients held by another process, and the
// connect rate. Baseline: the same clients on a raw `ws` server.
import { type Benchmark, median } from "../harness.ts";
import { type Worker, withWorker } from "../processes.ts";

interface Server {
  endpoint: string;
}

async function rss(server: Worker<Server>): Promise<number> {
  await server.request({ type: "gc" }, "gc-done");
  await new Promise((r) => setTimeout(r, 200));
  await server.request({ type: "gc" }, "gc-done");
  return (await server.request<{ rss: number }>({ type: "rss" }, "rss")).rss;
}

async function measure(
  serverWorker: string,
  count: number,
): Promise<{ bytesPerConnection: number; perSecond: number }> {
  return withWorker(
    serverWorker,
    async (server: Worker<Server>) => {
      const before = await rss(server);
      return withWorker(
        "idle-clients",
        async (clients: Worker<{ connected: number; failed: number; perSecond: number }>) => {
          if (clients.ready.connected !== count) {
            throw new Error(`${serverWorker}: only ${clients.ready.connected} of ${count} clients connected`);
          }
          const after = await rss(server);
          return { bytesPerConnection: (after - before) / count, perSecond: clients.ready.perSecond };
        },
        [],
        [server.ready.endpoint, String(count), serverWorker === "emulator" ? "connected" : "open"],
      );
    },
    ["--expose-gc"],
  );
}

export const connections: Benchmark = {
  name: "connections",
  description: "RSS per idle connection in the emulator (clients in another process), and the connect rate",
  async run(ctx) {
    const count = ctx.quick ? 2000 : 10_000;
    const rounds = ctx.quick ? 1 : Math.min(ctx.rounds, 3);
    const ours: { bytesPerConnection: number; perSecond: number }[] = [];
    const raw: { bytesPerConnection: number; perSecond: number }[] = [];
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? ["emulator", "raw-ws-server"] : ["raw-ws-server", "emulator"];
      for (const worker of order) {
        const r = await measure(worker, count);
        (worker === "emulator" ? ours : raw).push(r);
        ctx.log(
          `  round ${i + 1}/${rounds} ${worker}: ${(r.bytesPerConnection / 1024).toFixed(1)} KB/conn, ${r.perSecond.toFixed(0)} conn/s`,
        );
      }
    }
    ctx.log(
      `  ${count} connections; emulator median ${(median(ours.map((r) => r.bytesPerConnection)) / 1024).toFixed(1)} KB each`,
    );
    return [
      {
        metric: `memory per idle connection (${count})`,
        unit: "KB",
        better: "lower",
        ours: ours.map((r) => r.bytesPerConnection / 1024),
        baseline: raw.map((r) => r.bytesPerConnection / 1024),
        baselineName: "raw ws server",
        absoluteTarget: 20,
      },
      {
        metric: "connect rate",
        unit: "conn/s",
        better: "higher",
        ours: ours.map((r) => r.perSecond),
        baseline: raw.map((r) => r.perSecond),
        baselineName: "raw ws server",
      },
    ];
  },
};
