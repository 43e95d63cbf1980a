// Every packed tarball installed by npm into scratch projects outside the workspace, one of "type": "module" and one
// of "type": "commonjs", as users set them up. In each: require() and import() load every entry point (to the same
// module instance); a small app (token, send, a client connected to the emulator's CLI, an event handler under
// node:http) compiled by TypeScript and run; and the declarations type-check strictly (skipLibCheck off) with
// TypeScript 5.0, 5.4 and the current release, in every module resolution mode that compiler supports.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { publicPackages, repoRoot } from "../src/pack.ts";
import { type Compiler, compiler, createProject, must, run } from "./helpers/scratch.ts";

const tarballs = inject("tarballs");
const scratch = inject("releaseScratch");

/** Every entry point of every public package, as published ("@webpubsub/handler/node" included). */
const entryPoints = publicPackages().flatMap((p) => {
  const exports = (p.manifest.publishConfig as { exports: Record<string, unknown> }).exports;
  return Object.keys(exports)
    .filter((s) => s !== "./package.json")
    .map((s) => (s === "." ? p.name : `${p.name}/${s.slice(2)}`));
});

type ProjectType = "module" | "commonjs";
const projects: Record<ProjectType, string> = {
  module: join(scratch, "esm-app"),
  commonjs: join(scratch, "cjs-app"),
};

const consumerSources = ["app.ts", "entry-points.ts"];

beforeAll(async () => {
  await Promise.all(
    (Object.entries(projects) as [ProjectType, string][]).map(async ([type, dir]) => {
      await createProject(dir, type, Object.values(tarballs));
      for (const file of consumerSources) {
        writeFileSync(join(dir, file), readFileSync(new URL(`./consumer/${file}`, import.meta.url)));
      }
      writeFileSync(join(dir, "load.cjs"), loadScript("require"));
      writeFileSync(join(dir, "load.mjs"), loadScript("import"));
    }),
  );
});

/** A script that loads every entry point with require() and import() and checks they give one module instance. */
function loadScript(style: "require" | "import"): string {
  const prelude =
    style === "require"
      ? ""
      : 'import { createRequire } from "node:module";\nconst require = createRequire(import.meta.url);\n';
  return `${prelude}const names = ${JSON.stringify(entryPoints)};
(async () => {
  for (const name of names) {
    const required = require(name);
    const imported = await import(name);
    if (Object.keys(required).length === 0) throw new Error(name + ": require() gave no exports");
    if (required !== imported) throw new Error(name + ": require() and import() gave two module instances");
  }
  // instanceof RestError (ours) holds for the RestError of either build of @azure/core-rest-pipeline, and only for it.
  const { RestError, isRestError } = require("@webpubsub/service");
  const fromEsm = new (await import("@azure/core-rest-pipeline")).RestError("esm", { statusCode: 500 });
  const fromCjs = new (require("@azure/core-rest-pipeline").RestError)("cjs", { statusCode: 500 });
  for (const e of [fromEsm, fromCjs]) {
    if (!(e instanceof RestError) || !isRestError(e)) throw new Error("a pipeline RestError is not a RestError");
  }
  if (new Error("plain") instanceof RestError) throw new Error("a plain Error counts as a RestError");
  console.log("loaded " + names.length + " entry points");
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;
}

describe.each(Object.keys(projects) as ProjectType[])('a "type": "%s" project', (type) => {
  for (const script of ["load.cjs", "load.mjs"]) {
    it(`${script}: require() and import() load every entry point, to the same module instance`, async () => {
      const r = await run(process.execPath, [script], projects[type]);
      expect(r.stderr).toBe(""); // no ERR_REQUIRE_ESM, ERR_PACKAGE_PATH_NOT_EXPORTED, nor an ExperimentalWarning
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`loaded ${entryPoints.length} entry points`);
    });
  }

  it("runs the app compiled by the current TypeScript (module nodenext): token, handler, emulator CLI, client, send", async () => {
    const dir = projects[type];
    const tsc = await compiler("current", "");
    writeTsconfig(dir, "tsconfig.emit.json", {
      ...modeOptions(modes.find((m) => m.name === `nodenext, ${type === "module" ? "ESM" : "CommonJS"}`)!, tsc),
      noEmit: false,
      outDir: "out",
    });
    await must(process.execPath, [tsc.tscScript, "-p", "tsconfig.emit.json"], dir);
    const emitted = readFileSync(join(dir, "out/app.js"), "utf8");
    // The CommonJS project really compiled to require() calls, the ES module project to import statements.
    if (type === "commonjs") expect(emitted).toContain('require("@webpubsub/service")');
    else expect(emitted).toContain('from "@webpubsub/service"');
    const manifest = JSON.parse(readFileSync(join(dir, "node_modules/@webpubsub/emulator/package.json"), "utf8"));
    const bin = join(dir, "node_modules/@webpubsub/emulator", manifest.bin["webpubsub-emulator"]);
    const r = await run(process.execPath, ["out/app.js"], dir, { WEBPUBSUB_EMULATOR_BIN: bin });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('consumer app ok: {"userId":"alice","data":"hello room"}');
  });
});

// ---- type checks ----------------------------------------------------------------------------------------------------

interface Mode {
  name: string;
  project: ProjectType;
  module: string;
  moduleResolution: string;
  /** First compiler major version without this mode (TypeScript 7 removed node10). */
  removedIn?: number;
}

const modes: Mode[] = [
  { name: "node10", project: "commonjs", module: "commonjs", moduleResolution: "node10", removedIn: 7 },
  { name: "node16, CommonJS", project: "commonjs", module: "node16", moduleResolution: "node16" },
  { name: "node16, ESM", project: "module", module: "node16", moduleResolution: "node16" },
  { name: "nodenext, CommonJS", project: "commonjs", module: "nodenext", moduleResolution: "nodenext" },
  { name: "nodenext, ESM", project: "module", module: "nodenext", moduleResolution: "nodenext" },
  { name: "bundler", project: "module", module: "esnext", moduleResolution: "bundler" },
];

function modeOptions(mode: Mode, tsc: Compiler): Record<string, unknown> {
  return {
    module: mode.module,
    moduleResolution: mode.moduleResolution,
    target: "ES2022",
    // The declarations name web platform types (fetch's HeadersInit in the handler, DOM WebSocket events in the
    // test recorder), so the DOM library is part of a consumer's setup (README, "Module formats and TypeScript").
    lib: ["ES2022", "DOM", "DOM.Iterable"],
    strict: true,
    skipLibCheck: false,
    // TypeScript's own lib.*.d.ts are not ours to check (and the slowest part); every other declaration is checked.
    skipDefaultLibCheck: true,
    esModuleInterop: true,
    forceConsistentCasingInFileNames: true,
    noEmit: true,
    types: ["node"],
    typeRoots: [tsc.typeRoots],
  };
}

function writeTsconfig(dir: string, file: string, compilerOptions: Record<string, unknown>): void {
  writeFileSync(join(dir, file), `${JSON.stringify({ compilerOptions, files: consumerSources }, null, 2)}\n`);
}

/**
 * TypeScript versions: 5.0 (the oldest supported), 5.4 and the current release (the repository's own). Each old
 * compiler gets the newest @types/node that DefinitelyTyped still publishes for it.
 */
const currentTypeScript = JSON.parse(readFileSync(join(repoRoot, "node_modules/typescript/package.json"), "utf8"))
  .version as string;
const compilers: { version: string; typesNode: string }[] = [
  { version: "5.0.4", typesNode: "22.13.14" },
  { version: "5.4.5", typesNode: "22.19.21" },
  { version: "current", typesNode: "" },
];

describe.each(compilers)("TypeScript $version", ({ version, typesNode }) => {
  let tsc: Compiler;
  beforeAll(async () => {
    tsc = await compiler(version, typesNode);
  });

  const major = Number((version === "current" ? currentTypeScript : version).split(".")[0]);
  const supported = modes.filter((m) => m.removedIn === undefined || major < m.removedIn);
  describe.concurrent.each(supported)("moduleResolution $name", (mode) => {
    it("type-checks every entry point and the app, strict, skipLibCheck off", async () => {
      const dir = projects[mode.project];
      const file = `tsconfig.${version}.${mode.name.replace(/\W+/g, "-")}.json`;
      writeTsconfig(dir, file, modeOptions(mode, tsc));
      const r = await run(process.execPath, [tsc.tscScript, "-p", file], dir);
      expect(`${r.stdout}${r.stderr}`).toBe("");
      expect(r.code).toBe(0);
    });
  });
});
