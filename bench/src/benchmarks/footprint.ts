// Cold import time (fresh processes) of our service and client packages vs the official ones, and the minified +
// gzipped browser bundle of an app using our client vs the official client: what the app loads, split into chunks.
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { type Benchmark, interleave } from "../harness.ts";
import { startWorker } from "../processes.ts";

const benchDir = new URL("../../", import.meta.url).pathname;

function coldImportMs(specifier: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: benchDir,
    encoding: "utf8",
  });
  return Number(out);
}

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

/**
 * A serverless cold start that sends: in a fresh process, import the package, construct a client from a connection
 * string and await one sendToAll against a server that answers 202 at once. Milliseconds from before the import to
 * the answer (the lazy HTTP stack is paid inside this figure), and the process's CPU time until then (steadier than
 * wall time on a busy machine).
 */
function firstRequest(port: number, official: boolean): { ms: number; cpuMs: number } {
  const connectionString = `Endpoint=http://127.0.0.1;Port=${port};AccessKey=${KEY};Version=1.0;`;
  const script = official
    ? `const t = performance.now(); const { WebPubSubServiceClient } = await import("@azure/web-pubsub");
       const c = new WebPubSubServiceClient(${JSON.stringify(connectionString)}, "bench", { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });`
    : `const t = performance.now(); const { WebPubSubServiceClient } = await import("@webpubsub/service");
       const c = WebPubSubServiceClient.fromConnectionString(${JSON.stringify(connectionString)}, "bench", { retryOptions: { maxRetries: 0 } });`;
  const out = execFileSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `${script} await c.sendToAll("hello", { contentType: "text/plain" }); const ms = performance.now() - t; const cpu = process.cpuUsage(); process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000 }));`,
    ],
    { cwd: benchDir, encoding: "utf8" },
  );
  return JSON.parse(out) as { ms: number; cpuMs: number };
}

/** What the bundled app does with the client: the calls decide which of the client's lazy chunks it loads. */
const APPS = {
  basic: {
    label: "app using start/joinGroup/sendToGroup",
    code: `const c = new WebPubSubClient("wss://example.invalid/client"); await c.start(); await c.joinGroup("g"); await c.sendToGroup("g", "hi", "text");`,
    loads: [] as string[],
  },
  streams: {
    label: "app using group streams",
    code: `const c = new WebPubSubClient("wss://example.invalid/client"); await c.start(); c.onGroupStream(async (s) => { for await (const f of s) globalThis.f = f; }); const w = await c.openGroupStream("g"); await w.write("hi", "text"); await w.end();`,
    loads: ["outbound-streams", "inbound-streams"],
  },
};

/**
 * The minified+gzipped bytes an app loads, bundled the way apps ship (esbuild, ESM, code splitting): the entry
 * chunk, the chunks it imports statically, and the dynamic-import chunks of the features the app calls (`loads`,
 * matched against the chunk's source entry point) with their static imports. Other dynamic chunks are not counted:
 * the browser fetches them only when their feature is first used. Chunks are gzipped one by one, as served.
 */
async function appBytes(specifier: string, app: keyof typeof APPS): Promise<{ bytes: number; chunks: string[] }> {
  const result = await build({
    stdin: {
      contents: `import { WebPubSubClient } from ${JSON.stringify(specifier)}; ${APPS[app].code} globalThis.c = c;`,
      resolveDir: benchDir,
      loader: "js",
    },
    bundle: true,
    minify: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outdir: "/bundle",
    metafile: true,
    write: false,
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  const outputs = result.metafile.outputs;
  // metafile names are relative to the working directory, output files absolute: match them by file name
  const base = (path: string) => path.slice(path.lastIndexOf("/") + 1);
  const files = new Map(result.outputFiles.map((f) => [base(f.path), f.contents]));
  const entry = Object.keys(outputs).find((name) => outputs[name]?.entryPoint === "<stdin>");
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const i of outputs[name]?.imports ?? []) {
      if (i.kind === "import-statement") visit(i.path);
      else if (i.kind === "dynamic-import" && APPS[app].loads.some((f) => outputs[i.path]?.entryPoint?.includes(f))) {
        visit(i.path);
      }
    }
  };
  if (entry === undefined) throw new Error("esbuild produced no entry chunk");
  visit(entry);
  let bytes = 0;
  for (const name of seen) bytes += gzipSync(files.get(base(name)) ?? new Uint8Array(), { level: 9 }).length;
  return { bytes, chunks: [...seen] };
}

export const footprint: Benchmark = {
  name: "footprint",
  description: "cold import() time in a fresh process, and the client's minified+gzipped browser bundle",
  async run(ctx) {
    const pairs = [
      { metric: "service cold import", ours: "@webpubsub/service", official: "@azure/web-pubsub" },
      { metric: "client cold import", ours: "@webpubsub/client", official: "@azure/web-pubsub-client" },
    ];
    const metrics = [];
    for (const p of pairs) {
      ctx.log(`  ${p.metric}`);
      const samples = await interleave(
        ctx.rounds,
        { ours: async () => coldImportMs(p.ours), official: async () => coldImportMs(p.official) },
        ctx.log,
      );
      metrics.push({
        metric: p.metric,
        unit: "ms",
        better: "lower" as const,
        ours: samples.ours,
        baseline: samples.official,
        baselineName: p.official,
        target: 0.5,
      });
    }
    ctx.log("  service first request (import + construct + one sendToAll, fresh process)");
    const server = await startWorker<{ port: number }>("http-202");
    try {
      const port = server.ready.port;
      const cpu: Record<"ours" | "official", number[]> = { ours: [], official: [] };
      const measure = (side: "ours" | "official") => async () => {
        const r = firstRequest(port, side === "official");
        cpu[side].push(r.cpuMs);
        return r.ms;
      };
      const samples = await interleave(ctx.rounds, { ours: measure("ours"), official: measure("official") }, ctx.log);
      metrics.push(
        {
          metric: "service first request from cold",
          unit: "ms",
          better: "lower" as const,
          ours: samples.ours,
          baseline: samples.official,
          baselineName: "@azure/web-pubsub",
          // not worse than the official package's import plus first request
          target: 1,
        },
        {
          metric: "service first request from cold, process CPU",
          unit: "ms",
          better: "lower" as const,
          ours: cpu.ours,
          baseline: cpu.official,
          baselineName: "@azure/web-pubsub",
          target: 1,
        },
      );
    } finally {
      await server.stop();
    }
    for (const app of ["basic", "streams"] as const) {
      const ours = await appBytes("@webpubsub/client", app);
      const official = await appBytes("@azure/web-pubsub-client", app);
      ctx.log(
        `  client bundle, ${APPS[app].label}: ours ${ours.bytes} B in ${ours.chunks.length} chunks, official ${official.bytes} B in ${official.chunks.length} (min+gzip)`,
      );
      metrics.push({
        metric: `client bundle, ${APPS[app].label}`,
        unit: "bytes min+gz",
        better: "lower" as const,
        ours: [ours.bytes],
        baseline: [official.bytes],
        baselineName: "@azure/web-pubsub-client",
        // The target for an app that does not use streams or invocations; the streams row is reported.
        ...(app === "basic" ? { target: 0.6 } : {}),
      });
    }
    return metrics;
  },
};
