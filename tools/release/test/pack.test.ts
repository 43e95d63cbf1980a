// What each tarball holds and declares, read from the tarballs that `pnpm release:pack` makes (packed once for the
// run by global-setup.ts): only dist, README, LICENSE and package.json; exports for `import` and `require` with types
// for each; engines, real dependency versions. Installing and using them is consumers.test.ts.
import { execFileSync } from "node:child_process";
import { describe, expect, inject, it } from "vitest";
import { publicPackages } from "../src/pack.ts";

const tarballs = inject("tarballs");

function tar(args: string[]): string {
  return execFileSync("tar", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

interface Condition {
  types: string;
  default: string;
}

describe.each(publicPackages().map((p) => [p.name] as const))("%s tarball", (name) => {
  const file = () => tarballs[name] as string;
  const entries = () => tar(["-tzf", file()]).trim().split("\n");
  const manifest = () => JSON.parse(tar(["-xzOf", file(), "package/package.json"]));

  it("holds only dist (JavaScript, declarations, the CommonJS declarations' package.json), README, LICENSE and package.json", () => {
    const list = entries();
    const unexpected = list.filter(
      (e) =>
        !/^package\/(dist\/.+\.(js|d\.ts)|dist\/types-cjs\/package\.json|README\.md|LICENSE|package\.json)$/.test(e),
    );
    expect(unexpected).toEqual([]);
    for (const required of ["README.md", "LICENSE", "dist/index.js", "dist/index.d.ts", "dist/types-cjs/index.d.ts"])
      expect(list).toContain(`package/${required}`);
  });

  it("has a CommonJS twin of every declaration file, in a folder marked type commonjs", () => {
    const list = entries();
    const esm = list.filter((e) => /^package\/dist\/.+\.d\.ts$/.test(e) && !e.startsWith("package/dist/types-cjs/"));
    const cjs = list.filter((e) => e.startsWith("package/dist/types-cjs/") && e.endsWith(".d.ts"));
    expect(cjs.map((e) => e.replace("dist/types-cjs/", "dist/")).sort()).toEqual(esm.sort());
    expect(JSON.parse(tar(["-xzOf", file(), "package/dist/types-cjs/package.json"]))).toEqual({ type: "commonjs" });
  });

  it("exports every entry point to import and require, each with types, all pointing at files it holds", () => {
    const m = manifest();
    const list = new Set(entries());
    expect(m.type).toBe("module");
    expect(JSON.stringify(m.exports)).not.toContain("/src/");
    expect(JSON.stringify(m.exports)).not.toContain('"source"');
    for (const [subpath, target] of Object.entries(m.exports as Record<string, unknown>)) {
      if (subpath === "./package.json") continue;
      const t = target as { import: Condition; require: Condition; default: string };
      const base = subpath === "." ? "index" : subpath.slice(2);
      // One JavaScript build for both: require() of it is Node's require(esm) (docs/decisions/0001).
      expect(t.import).toEqual({ types: `./dist/${base}.d.ts`, default: `./dist/${base}.js` });
      expect(t.require).toEqual({ types: `./dist/types-cjs/${base}.d.ts`, default: `./dist/${base}.js` });
      expect(t.default).toBe(`./dist/${base}.js`);
      for (const path of [t.import.types, t.import.default, t.require.types])
        expect(list.has(`package/${path.slice(2)}`), `${name} ${subpath}: ${path}`).toBe(true);
    }
    expect(m.main).toBe("./dist/index.js");
    expect(m.types).toBe("./dist/index.d.ts");
    // moduleResolution node10 ignores exports: subpaths are found through typesVersions.
    const subpaths = Object.keys(m.exports).filter((s) => s !== "." && s !== "./package.json");
    for (const s of subpaths) expect(m.typesVersions?.["*"]?.[s.slice(2)]).toEqual([`./dist/${s.slice(2)}.d.ts`]);
  });

  it("declares engines (Node >= 22.12, where require() of ES modules needs no flag) and real dependency versions", () => {
    const m = manifest();
    expect(m.engines.node).toBe(">=22.12");
    for (const [dep, range] of Object.entries({ ...m.dependencies, ...m.peerDependencies })) {
      expect(range, `${dep} of ${name}`).not.toMatch(/^workspace:/);
    }
    for (const dep of Object.keys(m.dependencies ?? {})) {
      if (dep.startsWith("@webpubsub/")) expect(tarballs[dep], `${dep} is public`).toBeDefined();
    }
  });

  it("declarations use no TypeScript 5.7+ generic typed arrays (older compilers fail with TS2315)", () => {
    const declarations = entries().filter((e) => e.endsWith(".d.ts"));
    const text = tar(["-xzOf", file(), ...declarations]).replace(/\/\*[\s\S]*?\*\//g, "");
    expect(text).not.toMatch(/\b(Uint8|Int8|Uint16|Int16|Uint32|Int32|Float32|Float64|BigInt64|BigUint64)Array</);
  });
});
