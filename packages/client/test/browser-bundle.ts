// The client's default entry bundled for the browser with esbuild (a Node built-in would fail the bundle), for the
// tests that run it in headless Chromium (launched through @webpubsub/test-kit).
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** The client as an IIFE exposing `globalThis.WebPubSub`, built from the sources. */
export async function browserBundle(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("../src/index.ts", import.meta.url))],
    bundle: true,
    write: false,
    format: "iife",
    globalName: "WebPubSub",
    platform: "browser",
    conditions: ["source"],
    target: "es2022",
    logLevel: "silent",
  });
  return result.outputFiles[0]?.text ?? "";
}
