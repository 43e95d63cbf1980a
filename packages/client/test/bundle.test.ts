// What a browser app ships: bundling `WebPubSubClient` alone must not pull the protobuf codec in (protobuf protocols
// are objects the app imports when it wants them), nor a feature module it does not use (features plug in through
// useFeature), nor any Node built-in; @azure/logger comes in its browser build.
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const clientDir = new URL("..", import.meta.url).pathname;

async function bundleInputs(entry: string): Promise<string[]> {
  const result = await build({
    stdin: { contents: entry, resolveDir: clientDir, loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["source"],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  // The inputs that contributed code to the output (files parsed but tree-shaken away contribute 0 bytes).
  const output = Object.values(result.metafile.outputs)[0];
  return Object.entries(output?.inputs ?? {})
    .filter(([, info]) => info.bytesInOutput > 0)
    .map(([file]) => file);
}

describe("browser bundle", () => {
  it("leaves the protobuf codec out unless a protobuf protocol is imported", async () => {
    const plain = await bundleInputs(
      `import { WebPubSubClient } from "@webpubsub/client"; globalThis.C = WebPubSubClient;`,
    );
    expect(plain.some((f) => f.includes("json-codec"))).toBe(true);
    expect(plain.filter((f) => f.includes("protobuf"))).toEqual([]);
    expect(plain.filter((f) => f.startsWith("node:"))).toEqual([]);

    const withProtobuf = await bundleInputs(
      `import { WebPubSubClient, WebPubSubProtobufReliableProtocol } from "@webpubsub/client"; globalThis.C = [WebPubSubClient, WebPubSubProtobufReliableProtocol];`,
    );
    expect(withProtobuf.some((f) => f.includes("protobuf-codec"))).toBe(true);
  });

  it("leaves a feature module out unless the app calls it (the useFeature seam is tree-shakable)", async () => {
    const feature = "./test/fixtures/sample-feature.ts";
    const unused = await bundleInputs(
      `import { WebPubSubClient } from "@webpubsub/client"; import { samplePings } from "${feature}"; globalThis.C = WebPubSubClient;`,
    );
    expect(unused.some((f) => f.endsWith("src/client.ts"))).toBe(true);
    expect(unused.filter((f) => f.includes("sample-feature"))).toEqual([]);

    const used = await bundleInputs(
      `import { WebPubSubClient } from "@webpubsub/client"; import { samplePings } from "${feature}"; globalThis.C = [WebPubSubClient, samplePings];`,
    );
    expect(used.some((f) => f.includes("sample-feature"))).toBe(true);
  });

  it("bundles @azure/logger's browser build and no Node built-in", async () => {
    const inputs = await bundleInputs(
      `import { WebPubSubClient } from "@webpubsub/client"; globalThis.C = WebPubSubClient;`,
    );
    const logger = inputs.filter((f) => f.includes("@azure/logger") || f.includes("ts-http-runtime"));
    expect(logger.length).toBeGreaterThan(0);
    expect(logger.filter((f) => !f.includes("/browser/"))).toEqual([]);
    expect(inputs.filter((f) => f.startsWith("node:"))).toEqual([]);
  });
});
