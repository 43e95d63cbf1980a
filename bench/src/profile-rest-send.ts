// Profiling aid: `node --cpu-prof --cpu-prof-dir=<dir> bench/src/profile-rest-send.ts [ours|official] [seconds]`
// drives sendToAll of 1 KB text, 64 in flight, against a 202 server in a child process, and prints req/s and CPU
// per request (after a 0.5 s warm-up). One client per process, so the profile holds only its stack; `pnpm bench
// rest-send` is the comparison.
import { fork } from "node:child_process";
import { WebPubSubServiceClient as Official } from "@azure/web-pubsub";
import { WebPubSubServiceClient as Ours } from "@webpubsub/service";

const which = process.argv[2] ?? "ours";
const seconds = Number(process.argv[3] ?? 10);
const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const message = "x".repeat(1024);

const child = fork(new URL("./workers/http-202.ts", import.meta.url), { execArgv: [] });
const port = await new Promise<number>((resolve) => child.once("message", (m: { port: number }) => resolve(m.port)));
const cs = `Endpoint=http://127.0.0.1;Port=${port};AccessKey=${KEY};Version=1.0;`;
const client =
  which === "official"
    ? new Official(cs, "bench", { retryOptions: { maxRetries: 0 }, allowInsecureConnection: true })
    : Ours.fromConnectionString(cs, "bench", { retryOptions: { maxRetries: 0 } });
const send = () => client.sendToAll(message, { contentType: "text/plain" });

async function drive(ms: number) {
  let done = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + ms;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (performance.now() < deadline) {
        await send();
        done++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const el = performance.now() - t0;
  return { rps: Math.round((done * 1000) / el), cpuUs: Math.round((cpu.user + cpu.system) / done) };
}
await drive(500);
console.log(which, JSON.stringify(await drive(seconds * 1000)));
child.disconnect();
