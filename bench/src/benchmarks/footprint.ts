// Cold import time (fresh processes) of our service and client packages vs the official ones, and the minified +
// gzipped browser bundle of our client vs the official client: what an app that uses `WebPubSubClient` ships.
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { type Benchmark, interleave } from "../harness.ts";

const benchDir = new URL("../../", import.meta.url).pathname;

function coldImportMs(specifier: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: benchDir,
    encoding: "utf8",
  });
  return Number(out);
}

async function bundleGzipBytes(specifier: string): Promise<number> {
  const result = await build({
    stdin: {
      contents: `import { WebPubSubClient } from ${JSON.stringify(specifier)}; globalThis.WebPubSubClient = WebPubSubClient;`,
      resolveDir: benchDir,
      loader: "js",
    },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return gzipSync(code, { level: 9 }).length;
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
    const ours = await bundleGzipBytes("@webpubsub/client");
    const official = await bundleGzipBytes("@azure/web-pubsub-client");
    ctx.log(`  client bundle: ours ${ours} B, official ${official} B (min+gzip)`);
    metrics.push({
      metric: "client browser bundle",
      unit: "bytes min+gz",
      better: "lower" as const,
      ours: [ours],
      baseline: [official],
      baselineName: "@azure/web-pubsub-client",
      target: 0.5,
    });
    return metrics;
  },
};
