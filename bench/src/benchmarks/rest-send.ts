// sendToAll of a 1 KB text with 64 requests in flight for a fixed time: ours vs the official package, against a
// server that answers 202 at once (client cost only) and against the emulator.

import { readFileSync } from "node:fs";
import { WebPubSubServiceClient as Official } from "@azure/web-pubsub";
import { WebPubSubServiceClient as Ours } from "@webpubsub/service";
import { type Benchmark, type Direction, figureOf, interleaveRuns, type Metric } from "../harness.ts";
import { startWorker } from "../processes.ts";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const message = "x".repeat(1024);
const IN_FLIGHT = 64;

interface Run {
  rps: number;
  cpuMicrosPerRequest: number;
  /** The server process's CPU per request, in µs (NaN where /proc is not available). */
  serverMicrosPerRequest: number;
}

/** A process's user + system CPU time in µs, from /proc (Linux); NaN elsewhere. */
function processCpuMicros(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // fields after the parenthesised command name: state is field 3, utime 14 and stime 15 (in clock ticks)
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1_000_000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

async function drive(send: () => Promise<void>, ms: number, serverPid?: number): Promise<Run> {
  let done = 0;
  let failures = 0;
  const serverBefore = processCpuMicros(serverPid);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const deadline = start + ms;
  async function lane(): Promise<void> {
    while (performance.now() < deadline) {
      try {
        await send();
        done++;
      } catch (error) {
        if (++failures > 10) throw error;
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  if (done === 0) throw new Error("no request succeeded");
  return {
    rps: (done * 1000) / elapsed,
    cpuMicrosPerRequest: (cpu.user + cpu.system) / done,
    serverMicrosPerRequest: (processCpuMicros(serverPid) - serverBefore) / done,
  };
}

async function compare(
  ctx: Parameters<Benchmark["run"]>[0],
  label: string,
  connectionString: string,
  serverPid: number | undefined,
): Promise<{ metrics: Metric[]; serverMicros: number[] }> {
  const ours = Ours.fromConnectionString(connectionString, "bench", { retryOptions: { maxRetries: 0 } });
  // The official client refuses plain http unless told otherwise; the emulator and the 202 server are http.
  const official = new Official(connectionString, "bench", {
    retryOptions: { maxRetries: 0 },
    allowInsecureConnection: true,
  });
  const sendOurs = () => ours.sendToAll(message, { contentType: "text/plain" });
  const sendOfficial = () => official.sendToAll(message, { contentType: "text/plain" });
  const ms = ctx.quick ? 1000 : 3000;
  await drive(sendOurs, 300);
  await drive(sendOfficial, 300);
  const runs = await interleaveRuns(
    ctx,
    { ours: () => drive(sendOurs, ms, serverPid), official: () => drive(sendOfficial, ms) },
    (r) => r.rps,
  );
  const baselineName = "@azure/web-pubsub 1.2.0";
  const serverMicros = runs.ours.map((r) => r.serverMicrosPerRequest);
  const target = (t: number) => (label === "202 server" ? { target: t } : {});
  const figure = (metric: string, unit: string, better: Direction, of: (r: Run) => number): Metric =>
    figureOf(runs, of, { metric: `${metric} vs ${label}`, unit, better, baselineName });
  const metrics: Metric[] = [
    { ...figure("requests/s", "req/s", "higher", (r) => r.rps), ...target(2.5) },
    { ...figure("client CPU per request", "µs", "lower", (r) => r.cpuMicrosPerRequest), ...target(0.4) },
  ];
  return { metrics, serverMicros };
}

export const restSend: Benchmark = {
  name: "rest-send",
  description: "sendToAll of 1 KB text, 64 in flight, fixed duration; vs a 202 server and vs the emulator",
  async run(ctx) {
    const server = await startWorker<{ port: number }>("http-202");
    const emulator = await startWorker<{ connectionString: string }>("emulator");
    try {
      const plain = `Endpoint=http://127.0.0.1;Port=${server.ready.port};AccessKey=${KEY};Version=1.0;`;
      ctx.log("  against a server that answers 202 at once");
      const a = await compare(ctx, "202 server", plain, server.child.pid);
      ctx.log("  against the emulator");
      const b = await compare(ctx, "emulator", emulator.ready.connectionString, emulator.child.pid);
      // The emulator's own cost of a REST sendToAll (no clients connected), beside that of a server that only answers
      const emulatorCpu: Metric = {
        metric: "emulator CPU per REST sendToAll",
        unit: "µs",
        better: "lower",
        ours: b.serverMicros,
        baseline: a.serverMicros,
        baselineName: "node:http server answering 202",
        paired: false, // the two sides come from the two halves of the run
      };
      return [...a.metrics, ...b.metrics, ...(b.serverMicros.every(Number.isNaN) ? [] : [emulatorCpu])];
    } finally {
      await server.stop();
      await emulator.stop();
    }
  },
};
