// Benchmark: this package vs the official @azure/web-pubsub 1.2.0, in the same process and run.
//   sendToAll throughput with 64 requests in flight, against a local HTTP server that answers 202 at once (so the
//   numbers are the clients' own cost), and getClientAccessToken calls per second.
// Run: pnpm --filter @webpubsub/service bench   (node --conditions=source bench/compare.ts)
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebPubSubServiceClient as Official } from "@azure/web-pubsub";
import { WebPubSubServiceClient as Ours } from "../src/index.ts";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const SENDS = Number(process.env.BENCH_SENDS ?? 6000);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 20000);
const IN_FLIGHT = 64;
const ROUNDS = 3;

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(202);
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const { port } = server.address() as AddressInfo;
const cs = `Endpoint=http://127.0.0.1:${port};AccessKey=${KEY};Version=1.0;`;

const ours = Ours.fromConnectionString(cs, "bench");
const official = new Official(cs, "bench", { allowInsecureConnection: true });
const message = { type: "chat", text: "hello world", n: 42 };

/** CPU microseconds per operation of the last measurement (less sensitive than wall time on a shared machine). */
const cpu: Record<string, { ours: number[]; official: number[] }> = {};
let lastCpu = 0;

async function throughput(send: () => Promise<unknown>, total: number): Promise<number> {
  let started = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  async function lane(): Promise<void> {
    while (started < total) {
      started++;
      await send();
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const c = process.cpuUsage(c0);
  lastCpu = (c.user + c.system) / total;
  return (total / (performance.now() - t0)) * 1000;
}

async function tokens(mint: () => Promise<unknown>, total: number): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < total; i++) await mint();
  const c = process.cpuUsage(c0);
  lastCpu = (c.user + c.system) / total;
  return (total / (performance.now() - t0)) * 1000;
}

function best(values: number[]): number {
  return Math.max(...values);
}

const results: Record<string, { ours: number[]; official: number[] }> = {
  "sendToAll JSON (ops/s, 64 in flight)": { ours: [], official: [] },
  "sendToAll text (ops/s, 64 in flight)": { ours: [], official: [] },
  "getClientAccessToken (ops/s)": { ours: [], official: [] },
};

// warm-up
await throughput(() => ours.sendToAll(message), 500);
await throughput(() => official.sendToAll(message), 500);
await tokens(() => ours.getClientAccessToken({ userId: "u" }), 1000);
await tokens(() => official.getClientAccessToken({ userId: "u" }), 1000);

async function measure(name: string, who: "ours" | "official", run: () => Promise<number>): Promise<void> {
  results[name]![who].push(await run());
  cpu[name] ??= { ours: [], official: [] };
  cpu[name][who].push(lastCpu);
}

const JSON_SEND = "sendToAll JSON (ops/s, 64 in flight)";
const TEXT_SEND = "sendToAll text (ops/s, 64 in flight)";
const TOKEN = "getClientAccessToken (ops/s)";
const opts = { userId: "alice", roles: ["webpubsub.joinLeaveGroup.chat"], groups: ["chat"] };
for (let round = 0; round < ROUNDS; round++) {
  // Alternate who goes first, so neither side always runs on a warmer (or busier) machine.
  const order: ("ours" | "official")[] = round % 2 === 0 ? ["official", "ours"] : ["ours", "official"];
  for (const who of order) {
    await measure(JSON_SEND, who, () =>
      throughput(() => (who === "ours" ? ours.sendToAll(message) : official.sendToAll(message)), SENDS),
    );
  }
  for (const who of order) {
    await measure(TEXT_SEND, who, () =>
      throughput(
        () => (who === "ours" ? ours.sendToAll("hello") : official.sendToAll("hello", { contentType: "text/plain" })),
        SENDS,
      ),
    );
  }
  for (const who of order) {
    await measure(TOKEN, who, () =>
      tokens(() => (who === "ours" ? ours.getClientAccessToken(opts) : official.getClientAccessToken(opts)), TOKENS),
    );
  }
}

console.log(`\n@webpubsub/service vs @azure/web-pubsub 1.2.0 (best of ${ROUNDS} rounds, Node ${process.version})\n`);
console.log("| benchmark | @webpubsub/service | @azure/web-pubsub | ratio | CPU µs/op (ours / official) |");
console.log("|---|---:|---:|---:|---:|");
for (const [name, r] of Object.entries(results)) {
  const a = best(r.ours);
  const b = best(r.official);
  const c = cpu[name]!;
  const ca = Math.min(...c.ours);
  const cb = Math.min(...c.official);
  console.log(
    `| ${name} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(a / b).toFixed(2)}x | ${ca.toFixed(1)} / ${cb.toFixed(1)} (${(cb / ca).toFixed(2)}x less) |`,
  );
}
server.closeAllConnections();
server.close();
