// REST sendToAll of a 256 B message to N connected JSON clients through the emulator; delivered messages/s at the
// clients. Baseline: a raw `ws` server broadcasting the same bytes to N raw `ws` clients.

import { WebPubSubServiceClient } from "@webpubsub/service";
import WebSocket from "ws";
import { type Benchmark, interleave } from "../harness.ts";
import { startWorker } from "../processes.ts";
import { clientUrl, EMULATOR_KEY } from "../tokens.ts";

const payload = JSON.stringify({ text: "f".repeat(256 - 12) });

interface Fleet {
  sockets: WebSocket[];
  delivered: number;
  waitFor(total: number, timeoutMs: number): Promise<void>;
  close(): void;
}

async function openFleet(url: string, count: number, protocol?: string): Promise<Fleet> {
  const fleet: Fleet = {
    sockets: [],
    delivered: 0,
    waitFor(total, timeoutMs) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const check = () => {
          if (fleet.delivered >= total) return resolve();
          if (Date.now() - started > timeoutMs) {
            return reject(new Error(`only ${fleet.delivered} of ${total} deliveries within ${timeoutMs} ms`));
          }
          setImmediate(check);
        };
        check();
      });
    },
    close() {
      for (const s of fleet.sockets) s.terminate();
    },
  };
  let next = 0;
  async function lane(): Promise<void> {
    while (next < count) {
      next++;
      await new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(url, protocol ? [protocol] : [], { perMessageDeflate: false });
        let first = true;
        ws.on("message", () => {
          // Subprotocol clients first receive their `connected` frame: it is not a delivery.
          if (first && protocol) {
            first = false;
            fleet.sockets.push(ws);
            resolve();
            return;
          }
          fleet.delivered++;
        });
        ws.once("open", () => {
          if (!protocol) {
            fleet.sockets.push(ws);
            resolve();
          }
        });
        ws.once("error", reject);
      });
    }
  }
  await Promise.all(Array.from({ length: 100 }, lane));
  return fleet;
}

export const fanout: Benchmark = {
  name: "fanout",
  description: "REST sendToAll of 256 B to 1,000 JSON clients via the emulator vs raw ws broadcast; deliveries/s",
  async run(ctx) {
    const clients = 1000;
    const messages = ctx.quick ? 40 : 400;
    const emulator = await startWorker<{ endpoint: string }>("emulator");
    const raw = await startWorker<{ endpoint: string }>("raw-ws-server");
    try {
      const endpoint = emulator.ready.endpoint;
      const service = WebPubSubServiceClient.fromConnectionString(
        `Endpoint=${endpoint};AccessKey=${EMULATOR_KEY};Version=1.0;`,
        "fanout",
      );
      const ours = await openFleet(await clientUrl(endpoint, "fanout"), clients, "json.webpubsub.azure.v1");
      const baseline = await openFleet(raw.ready.endpoint.replace("http", "ws"), clients);
      const body = JSON.parse(payload);
      const samples = await interleave(
        ctx.rounds,
        {
          ours: async () => {
            const target = ours.delivered + clients * messages;
            const start = performance.now();
            for (let i = 0; i < messages; i++) await service.sendToAll(body);
            await ours.waitFor(target, 60_000);
            return (clients * messages * 1000) / (performance.now() - start);
          },
          "raw ws": async () => {
            const target = baseline.delivered + clients * messages;
            const start = performance.now();
            for (let i = 0; i < messages; i++) {
              await fetch(`${raw.ready.endpoint}/broadcast`, { method: "POST", body: payload });
            }
            await baseline.waitFor(target, 60_000);
            return (clients * messages * 1000) / (performance.now() - start);
          },
        },
        ctx.log,
      );
      ours.close();
      baseline.close();
      return [
        {
          metric: `deliveries/s to ${clients} clients`,
          unit: "msg/s",
          better: "higher",
          ours: samples.ours,
          baseline: samples["raw ws"],
          baselineName: "raw ws broadcast",
          target: 0.7,
        },
      ];
    } finally {
      await emulator.stop();
      await raw.stop();
    }
  },
};
