// The real spec: regeneration is stable, a description edit touches only its own lines, and `--check` names stale files.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { biomeFormatFiles, generate, loadConfig, parseConfig } from "../src/index.ts";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const config = loadConfig(join(repoRoot, "swagger/README.md"));
// One biome run per generation (not one per file): each run starts a biome process, the slow part under load.
const formatFiles = biomeFormatFiles(repoRoot, config.outputPath);
const options = {
  clientName: config.clientName,
  loggerNamespace: config.loggerNamespace,
  userAgent: config.userAgent,
  source: "swagger/webpubsub.json",
  importExtension: ".ts",
  formatFiles,
};
const swagger = JSON.parse(readFileSync(config.inputPath, "utf8"));
const temp = mkdtempSync(join(tmpdir(), "codegen-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function changedLines(before: Map<string, string>, after: Map<string, string>) {
  const changes: { file: string; before: string; after: string }[] = [];
  expect([...after.keys()]).toEqual([...before.keys()]);
  for (const [file, code] of before) {
    const a = code.split("\n");
    const b = after.get(file)!.split("\n");
    expect(b.length, `${file} line count`).toBe(a.length);
    a.forEach((line, i) => {
      if (line !== b[i]) changes.push({ file, before: line, after: b[i]! });
    });
  }
  return changes;
}

describe("regeneration of swagger/webpubsub.json", () => {
  const base = generate(swagger, options);

  it("matches the committed packages/rest/src/generated", () => {
    for (const [file, code] of base) expect(readFileSync(join(config.outputPath, file), "utf8"), file).toBe(code);
  });

  it("changes only the lines that carry an edited description", () => {
    const edited = structuredClone(swagger);
    edited.definitions.ClientTokenResponse.properties.token.description = "The token, edited in a test.";
    edited.paths["/api/hubs/{hub}/:send"].post.summary = "Broadcast, edited in a test.";
    const changes = changedLines(base, generate(edited, options));
    expect(changes).toEqual([
      {
        file: "client-definitions.ts",
        before: "  /** Broadcast a message to every connection in the hub. */",
        after: "  /** Broadcast, edited in a test. */",
      },
      {
        file: "output-models.ts",
        before: "  /** JWT the WebSocket client passes as access_token. */",
        after: "  /** The token, edited in a test. */",
      },
    ]);
  });

  // Three CLI processes (each a Node start and one biome run): real work, so a timeout that holds on a busy machine.
  it("fails `--check` naming the stale file, and passes once regenerated", { timeout: 120_000 }, () => {
    const outDir = join(temp, "out");
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(temp, "spec.json"), JSON.stringify(swagger));
    const readme = readFileSync(join(repoRoot, "swagger/README.md"), "utf8")
      .replace('"input": "webpubsub.json"', '"input": "spec.json"')
      .replace('"output": "../packages/rest/src/generated"', '"output": "out"');
    writeFileSync(join(temp, "README.md"), readme);
    const cli = (...args: string[]) =>
      spawnSync(
        process.execPath,
        [
          "--conditions=source",
          join(repoRoot, "tools/codegen/src/cli.ts"),
          "--config",
          join(temp, "README.md"),
          ...args,
        ],
        {
          cwd: repoRoot,
          encoding: "utf8",
        },
      );
    const missing = cli("--check");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("stale");
    expect(missing.stderr).toContain("parameters.ts");

    expect(cli().status).toBe(0);
    expect(cli("--check").status).toBe(0);
    // Same code as the committed output; only the header names the other spec path.
    const strip = (code: string) => code.split("\n").slice(1).join("\n");
    expect(strip(readFileSync(join(outDir, "routes.ts"), "utf8"))).toBe(strip(base.get("routes.ts")!));
  });
});

describe("formatting", () => {
  it("formats all files of a generation in one run, and names the files when biome refuses one", () => {
    const files = new Map([
      ["b.ts", 'import {z} from "./z.ts"\nimport {a} from "./a.ts"\nexport const x = {a,z}\n'],
      ["a.ts", "export const a = 1\n"],
    ]);
    const out = formatFiles(files);
    expect([...out.keys()]).toEqual(["b.ts", "a.ts"]);
    expect(out.get("b.ts")).toBe(
      'import { a } from "./a.ts";\nimport { z } from "./z.ts";\nexport const x = { a, z };\n',
    );
    expect(out.get("a.ts")).toBe("export const a = 1;\n");
    expect(() => formatFiles(new Map([["broken.ts", "export const = ;\n"]]))).toThrow(
      /biome could not format broken\.ts/,
    );
  });
});

describe("configuration block", () => {
  it("reads the json codegen block and rejects a broken one", () => {
    const md =
      '# x\n\n```json codegen\n{"input":"a.json","output":"o","clientName":"C","loggerNamespace":"l","userAgent":"u"}\n```\n';
    expect(parseConfig(md, "README.md")).toMatchObject({ input: "a.json", clientName: "C" });
    expect(() => parseConfig("# nothing", "README.md")).toThrow(/no ```json codegen block/);
    expect(() => parseConfig("```json codegen\n{oops}\n```\n", "README.md")).toThrow(/not valid JSON/);
    expect(() => parseConfig('```json codegen\n{"input":"a"}\n```\n', "README.md")).toThrow(
      /"output" must be a non-empty string/,
    );
  });
});
