// What `import("@webpubsub/client")` loads from the packed packages, in a fresh Node process with a module load hook
// (no timing): the client's cold import is bounded by the number of files Node loads (docs/decisions/0004), so the
// protobuf codec is loaded only once an app chooses a protobuf protocol, @azure/logger only once the client logs, and
// the joined dist (scripts/bundle-dist.mjs) keeps the files of ours that the import loads to a handful.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createProject, run } from "./helpers/scratch.ts";

const tarballs = inject("tarballs");
const project = join(inject("releaseScratch"), "cold-import-app");

/**
 * Files of ours that a plain import may load: client 4 (entry, its chunk, log-azure, protobuf-codec-lazy: the 0.3 KB
 * loader of the codec, not the codec), core 5, async 5.
 */
const MAX_FILES_AT_IMPORT = 14;

const SCRIPT = `import { registerHooks } from "node:module";
const loaded = [];
registerHooks({
  load(url, context, next) {
    if (url.startsWith("file:")) loaded.push(url.slice(url.indexOf("/node_modules/") + "/node_modules/".length));
    return next(url, context);
  },
});
const client = await import("@webpubsub/client");
const atImport = [...loaded];
new client.WebPubSubClient("wss://example.org/client/hubs/chat"); // a JSON client: nothing more to load
const atJsonClient = [...loaded];
const protocol = client.WebPubSubProtobufReliableProtocol();
await protocol.load();
const frame = protocol.encode({ type: "joinGroup", group: "g", ackId: 1 });
console.log(JSON.stringify({ atImport, atJsonClient, afterProtobuf: [...loaded], frame: frame instanceof Uint8Array }));
`;

interface Loaded {
  atImport: string[];
  atJsonClient: string[];
  afterProtobuf: string[];
  frame: boolean;
}

let result: Loaded;
/** The file of the installed core that holds the protobuf codec (esbuild notes each joined source file). */
let codecFile: string;

beforeAll(async () => {
  const names = ["@webpubsub/client", "@webpubsub/core", "@webpubsub/async"];
  await createProject(
    project,
    "module",
    names.map((name) => tarballs[name] as string),
  );
  writeFileSync(join(project, "cold-import.mjs"), SCRIPT);
  const r = await run(process.execPath, ["cold-import.mjs"], project);
  if (r.code !== 0 || r.stderr !== "") throw new Error(`cold-import.mjs failed:\n${r.stdout}${r.stderr}`);
  result = JSON.parse(r.stdout) as Loaded;
  const coreDist = join(project, "node_modules/@webpubsub/core/dist");
  const holders = readdirSync(coreDist, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".js"))
    .filter((file) => readFileSync(join(coreDist, file), "utf8").includes("// dist/protocol/protobuf-codec.js"));
  expect(holders).toHaveLength(1);
  codecFile = `@webpubsub/core/dist/${holders[0]}`;
});

describe('import("@webpubsub/client") from the packed packages, in a fresh process', () => {
  it("loads the protobuf codec only once a protobuf protocol is chosen, then encodes with it", () => {
    const protobuf = [codecFile, "@webpubsub/core/dist/protobuf.js"];
    expect(result.atImport).toContain("@webpubsub/client/dist/index.js");
    expect(result.atJsonClient.filter((file) => protobuf.includes(file))).toEqual([]);
    expect(result.afterProtobuf).toEqual(expect.arrayContaining(protobuf));
    expect(result.frame).toBe(true);
  });

  it("does not load @azure/logger until the client logs", () => {
    expect(result.atImport).toContain("@webpubsub/client/dist/log-azure.js");
    expect(result.afterProtobuf.filter((file) => file.startsWith("@azure/logger/"))).toEqual([]);
  });

  it(`loads at most ${MAX_FILES_AT_IMPORT} files of ours (the joined dist), and nothing else`, () => {
    const ours = result.atImport.filter((file) => file.startsWith("@webpubsub/"));
    expect(result.atImport).toEqual(ours);
    expect(ours.length, ours.join("\n")).toBeLessThanOrEqual(MAX_FILES_AT_IMPORT);
  });
});
