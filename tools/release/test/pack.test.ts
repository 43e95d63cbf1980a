// Packs every public package the way `pnpm publish` would, checks what the tarball holds and declares, then installs
// all tarballs together in a scratch project outside the workspace and imports each package there (runtime and types).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = new URL("../../../", import.meta.url).pathname;
const packagesDir = join(repo, "packages");
const publicPackages = readdirSync(packagesDir)
  .map((dir) => ({
    dir: join(packagesDir, dir),
    manifest: JSON.parse(readFileSync(join(packagesDir, dir, "package.json"), "utf8")),
  }))
  .filter((p) => !p.manifest.private);

const work = mkdtempSync(join(tmpdir(), "webpubsub-pack-"));
const tarballs = new Map<string, string>();

function sh(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
}

beforeAll(() => {
  for (const p of publicPackages) {
    const out = sh("pnpm", ["pack", "--pack-destination", work, "--json"], p.dir);
    const info = JSON.parse(out.slice(out.indexOf("{")));
    tarballs.set(p.manifest.name, info.filename);
  }
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(publicPackages.map((p) => [p.manifest.name as string, p] as const))("%s tarball", (name) => {
  it("holds only dist, README, LICENSE and package.json", () => {
    const entries = sh("tar", ["-tzf", tarballs.get(name) as string], work)
      .trim()
      .split("\n");
    const unexpected = entries.filter(
      (e) => !/^package\/(dist\/.+\.(js|d\.ts)|README\.md|LICENSE|package\.json)$/.test(e),
    );
    expect(unexpected).toEqual([]);
    expect(entries).toContain("package/README.md");
    expect(entries).toContain("package/LICENSE");
    expect(entries).toContain("package/dist/index.js");
    expect(entries).toContain("package/dist/index.d.ts");
  });

  it("declares exports, types, engines and real dependency versions", () => {
    const manifest = JSON.parse(sh("tar", ["-xzOf", tarballs.get(name) as string, "package/package.json"], work));
    const root = manifest.exports["."];
    expect(root).toMatchObject({ types: "./dist/index.d.ts", import: "./dist/index.js" });
    expect(JSON.stringify(manifest.exports)).not.toContain("/src/");
    expect(manifest.types).toBe("./dist/index.d.ts");
    expect(manifest.engines.node).toBe(">=22");
    expect(manifest.type).toBe("module");
    for (const [dep, range] of Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies })) {
      expect(range, `${dep} of ${name}`).not.toMatch(/^workspace:/);
    }
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      if (dep.startsWith("@webpubsub/")) expect(tarballs.has(dep), `${dep} is public`).toBe(true);
    }
  });
});

describe("scratch project outside the workspace", () => {
  it("installs every tarball and imports every package, with types; the emulator bin serves", async () => {
    const app = join(work, "app");
    rmSync(app, { recursive: true, force: true });
    execFileSync("mkdir", ["-p", app]);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "scratch", private: true, type: "module" }));
    sh("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs.values()], app);
    const names = [...tarballs.keys()];
    const script = names
      .map(
        (n) =>
          `{ const m = await import(${JSON.stringify(n)}); if (Object.keys(m).length === 0) throw new Error("${n} exports nothing"); }`,
      )
      .join("\n");
    writeFileSync(join(app, "check.mjs"), `${script}\nconsole.log("imported", ${names.length});\n`);
    expect(sh("node", ["check.mjs"], app)).toContain(`imported ${names.length}`);
    writeFileSync(
      join(app, "check.ts"),
      `${names.map((n, i) => `import * as m${i} from ${JSON.stringify(n)};`).join("\n")}\nexport const all = [${names.map((_, i) => `m${i}`).join(", ")}];\n`,
    );
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2023",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          lib: ["ES2023", "DOM"],
          types: ["node"],
        },
        files: ["check.ts"],
      }),
    );
    sh(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        "--no-save",
        `@types/node@${process.versions.node.split(".")[0]}`,
      ],
      app,
    );
    const tsc = join(repo, "node_modules/.bin/tsc");
    sh(tsc, ["-p", "tsconfig.json"], app);

    // The emulator's CLI is installed as a bin and serves: banner with a working connection string, clean SIGINT exit.
    const bin = join(app, "node_modules/.bin/webpubsub-emulator");
    const child = spawn(bin, ["--port", "0"], { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const connectionString = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 15 s: ${out}`)), 15_000);
      child.stdout.on("data", () => {
        const m = /Endpoint=http:\/\/[^\s;]+;AccessKey=[^\s;]+;Version=1\.0;/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[0]);
        }
      });
    });
    const endpoint = /Endpoint=([^;]+);/.exec(connectionString)?.[1] as string;
    const health = await fetch(`${endpoint}/api/health?api-version=2024-12-01`, { method: "HEAD" });
    expect(health.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  });
});
