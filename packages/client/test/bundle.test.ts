// What a browser app ships: bundling `WebPubSubClient` alone must not pull the protobuf codec in (protobuf protocols
// are objects the app imports when it wants them; outside browsers their codec is a lazy chunk), nor a feature module
// it does not use (features plug in through useFeature), nor any Node built-in, nor @azure/logger (browsers log
// through log-console.ts, the `browser` condition of the `#log` import), nor the parts of core a client does not use
// (it imports core's narrow entry points).
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

/** The inputs of each chunk when `entry` (a file under test/fixtures) is bundled with code splitting. */
async function chunkInputs(
  entry: string,
  platform: "browser" | "node" = "browser",
): Promise<{ main: string[]; lazy: string[] }> {
  const result = await build({
    entryPoints: [new URL(entry, import.meta.url).pathname],
    bundle: true,
    splitting: true,
    format: "esm",
    platform,
    conditions: ["source"],
    outdir: "/tmp/webpubsub-bundle-test",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const outputs = result.metafile.outputs;
  const inputsOf = (name: string) =>
    Object.entries(outputs[name]?.inputs ?? {})
      .filter(([, info]) => info.bytesInOutput > 0)
      .map(([file]) => file);
  // What the app loads up front: its entry chunk and the chunks reached from it by static imports.
  const entryName = Object.keys(outputs).find((name) =>
    outputs[name]?.entryPoint?.endsWith(entry.replace("./", "test/")),
  );
  if (!entryName) throw new Error(`no output chunk for ${entry}`);
  const upFront = new Set<string>([entryName]);
  for (const name of upFront) {
    for (const imported of outputs[name]?.imports ?? []) {
      if (imported.kind === "import-statement") upFront.add(imported.path);
    }
  }
  const main = [...upFront].flatMap(inputsOf);
  const lazy = Object.keys(outputs)
    .filter((name) => !upFront.has(name))
    .flatMap(inputsOf);
  return { main, lazy };
}

describe("browser bundle", () => {
  it("invokeEvent's and the group streams' code are lazy chunks, loaded on first call, never in the entry chunk", async () => {
    const plain = await chunkInputs("./fixtures/app-plain.ts");
    expect(plain.main.filter((f) => /src\/invocations|src\/json-only\.ts|json-only-codec/.test(f))).toEqual([]);
    expect(plain.lazy.some((f) => f.endsWith("core/src/protocol/json-only-codec.ts"))).toBe(true);
    const invoking = await chunkInputs("./fixtures/app-invoke.ts");
    expect(invoking.main.filter((f) => /src\/invocations|src\/json-only\.ts|json-only-codec/.test(f))).toEqual([]);
    expect(invoking.lazy.some((f) => f.endsWith("src/invocations.ts"))).toBe(true);
    expect(invoking.main.some((f) => f.endsWith("src/client.ts"))).toBe(true);
    expect(invoking.main.filter((f) => /outbound-stream/.test(f))).toEqual([]);
    const streaming = await chunkInputs("./fixtures/app-streams.ts");
    expect(streaming.main.filter((f) => /outbound-stream|inbound-streams|src\/invocations/.test(f))).toEqual([]);
    expect(streaming.lazy.some((f) => f.endsWith("src/outbound-streams.ts"))).toBe(true);
    expect(streaming.lazy.some((f) => f.endsWith("src/inbound-streams.ts"))).toBe(true);
  });

  it("a browser app that speaks protobuf has the codec in its entry chunk; one that does not, in no chunk", async () => {
    // the `browser` condition of "#protobuf-codec" imports the codec with the protocols: no chunk of its own, so that
    // a bundler does not split core's modules into shared chunks for it
    const codec = /core\/src\/protocol\/protobuf-codec\.ts$/;
    const plain = await chunkInputs("./fixtures/app-plain.ts");
    expect([...plain.main, ...plain.lazy].filter((f) => codec.test(f))).toEqual([]);
    const protobuf = await chunkInputs("./fixtures/app-protobuf.ts");
    expect(protobuf.main.some((f) => f.endsWith("src/protobuf-protocols.ts"))).toBe(true);
    expect(protobuf.main.filter((f) => codec.test(f))).toHaveLength(1);
    expect(protobuf.lazy.filter((f) => codec.test(f))).toEqual([]);
  });

  it("outside browsers the codec is a lazy chunk, loaded by the first start(), never with the client", async () => {
    const codec = /core\/src\/protocol\/protobuf-codec\.ts$/;
    const protobuf = await chunkInputs("./fixtures/app-protobuf.ts", "node");
    expect(protobuf.main.some((f) => f.endsWith("src/protobuf-codec-lazy.ts"))).toBe(true);
    expect(protobuf.main.filter((f) => codec.test(f))).toEqual([]);
    expect(protobuf.lazy.filter((f) => codec.test(f))).toHaveLength(1);
  });

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

  it("logs through the console logger: no @azure/logger and no Node built-in in the bundle", async () => {
    const inputs = await bundleInputs(
      `import { WebPubSubClient } from "@webpubsub/client"; globalThis.C = WebPubSubClient;`,
    );
    expect(inputs.some((f) => f.endsWith("src/log-console.ts"))).toBe(true);
    expect(inputs.filter((f) => /@azure\/logger|ts-http-runtime|log-azure/.test(f))).toEqual([]);
    expect(inputs.filter((f) => f.startsWith("node:"))).toEqual([]);
  });

  it("takes only the wire codec and name rules of core: no tokens, connection strings, HMAC or protobuf", async () => {
    const inputs = await bundleInputs(
      `import { WebPubSubClient } from "@webpubsub/client"; globalThis.C = WebPubSubClient;`,
    );
    expect(inputs.some((f) => f.endsWith("core/src/protocol/json-codec.ts"))).toBe(true);
    expect(
      inputs.filter((f) => /core\/src\/(jwt|connection-string|hmac|sha256|roles|audience|index)\.ts/.test(f)),
    ).toEqual([]);
  });
});
