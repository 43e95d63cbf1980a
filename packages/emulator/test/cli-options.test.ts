// The CLI's help lists every setting the config file accepts (it once omitted `dashboard`), the --allowed-origins and
// --allowed-hosts flags and config keys reach the emulator and reject bad entries with exit code 2, and refused
// requests are printed even without --verbose (they explain why a page cannot connect).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { parseArgs } from "../src/cli.ts";
import { DEFAULT_ACCESS_KEY } from "../src/index.ts";
import { sign } from "./helpers/clients.ts";

const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));

/** Runs the CLI; `text()` is stdout and stderr so far, `until(re)` waits for a match in it. */
function cli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, ["--conditions=source", CLI, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout.on("data", (d: Buffer) => {
    out += d;
    notify();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d;
    notify();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  void exited.then(notify);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    until(re: RegExp, timeoutMs = 90_000): Promise<RegExpExecArray> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`no match for ${re}; output: ${out}${err}`)), timeoutMs);
        const check = () => {
          const m = re.exec(out + err);
          if (m) done(undefined, m);
          else if (child.exitCode !== null) done(new Error(`exited before ${re}; output: ${out}${err}`));
        };
        const done = (e?: Error, m?: RegExpExecArray) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (e) reject(e);
          else resolve(m!);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

// Each test spawns Node on the TypeScript sources (twice: the CLI re-executes itself): real work that a busy machine
// slows down a lot, so the waits are hang detectors, not margins.
describe("CLI options", { timeout: 120_000 }, () => {
  it("--help names every config file setting, including dashboard, allowedOrigins and allowedHosts", async () => {
    const p = cli(["--help"]);
    expect(await p.exited).toBe(0);
    const help = p.stdout();
    for (const key of [
      "port",
      "host",
      "accessKey",
      "keepAliveIntervalMs",
      "allowEntraTokens",
      "dashboard",
      "allowedOrigins",
      "allowedHosts",
      "hubs",
    ]) {
      expect(help, key).toMatch(new RegExp(`--config[\\s\\S]*\\b${key}\\b`));
    }
    expect(help).toContain("--allowed-origins <list>");
    expect(help).toContain("--allowed-hosts <list>");
  });

  it("parses --allowed-origins and --allowed-hosts as comma-separated lists or *", () => {
    const a = parseArgs(["--allowed-origins", "https://app.example.com, http://dev.example:8080", "--allowed-hosts=*"]);
    expect(a.options.allowedOrigins).toEqual(["https://app.example.com", "http://dev.example:8080"]);
    expect(a.options.allowedHosts).toBe("*");
    expect(parseArgs(["--allowed-hosts", "emulator.test,.example.com"]).options.allowedHosts).toEqual([
      "emulator.test",
      ".example.com",
    ]);
    expect(() => parseArgs(["--allowed-origins", "app.example.com"])).toThrow(/--allowed-origins/);
    expect(() => parseArgs(["--allowed-hosts", "http://a.example"])).toThrow(/--allowed-hosts/);
    expect(() => parseArgs(["--allowed-origins", ","])).toThrow(/comma-separated list/);
  });

  it("reads dashboard, allowedOrigins and allowedHosts from --config; a bad entry exits with code 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wps-cli-opts-"));
    const good = join(dir, "good.json");
    writeFileSync(
      good,
      JSON.stringify({ dashboard: true, allowedOrigins: ["https://app.example.com"], allowedHosts: ["emulator.test"] }),
    );
    expect(parseArgs(["--config", good]).options).toMatchObject({
      dashboard: true,
      allowedOrigins: ["https://app.example.com"],
      allowedHosts: ["emulator.test"],
    });
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ allowedOrigins: ["not-an-origin"] }));
    expect(() => parseArgs(["--config", bad])).toThrow(/allowedOrigins/);
    const p = cli(["--config", bad, "--port", "0"]);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(/allowedOrigins: "not-an-origin" is not an origin/);
  });

  it("prints a refused cross-site connection without --verbose, and nothing per request", async () => {
    const p = cli(["--port", "0"]);
    try {
      const m = await p.until(/listening on (http:\/\/\S+)/);
      const endpoint = m[1]!;
      const now = Math.floor(Date.now() / 1000);
      const token = sign({ aud: `${endpoint}/client/hubs/h`, exp: now + 60 }, DEFAULT_ACCESS_KEY);
      const status = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${endpoint.replace("http", "ws")}/client/hubs/h?access_token=${token}`, {
          headers: { origin: "https://evil.example" },
        });
        ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.once("open", () => resolve(101));
        ws.once("error", reject);
      });
      expect(status).toBe(403);
      await p.until(/refused a WebSocket connection: Requests from pages of origin "https:\/\/evil\.example"/);
      expect(p.stderr()).toContain("--allowed-origins");
      expect(p.stdout()).not.toMatch(/REST (GET|POST|HEAD)|connection \S+ opened/);
    } finally {
      p.child.kill("SIGINT");
      await p.exited;
    }
  });

  // the CLI restarts itself (execve: same pid) with a capped V8 young generation; see README "Memory"
  it.skipIf(!existsSync("/proc/self/cmdline"))(
    "runs with --max-semi-space-size=8 unless the flag is given or WEBPUBSUB_EMULATOR_NO_REEXEC=1",
    async () => {
      const flagsOf = async (env: NodeJS.ProcessEnv) => {
        const p = cli(["--port", "0"], env);
        try {
          await p.until(/listening on/);
          return readFileSync(`/proc/${p.child.pid}/cmdline`, "utf8")
            .split("\0")
            .filter((a) => a !== "");
        } finally {
          p.child.kill("SIGINT");
          await p.exited;
        }
      };
      const capped = await flagsOf(process.env);
      expect(capped).toContain("--max-semi-space-size=8");
      expect(capped).toContain("--conditions=source");
      expect(capped.slice(-2)).toEqual(["--port", "0"]);
      const own = await flagsOf({ ...process.env, NODE_OPTIONS: "--max-semi-space-size=4" });
      expect(own.some((a) => a.startsWith("--max-semi-space-size"))).toBe(false);
      const off = await flagsOf({ ...process.env, WEBPUBSUB_EMULATOR_NO_REEXEC: "1" });
      expect(off.some((a) => a.startsWith("--max-semi-space-size"))).toBe(false);
    },
    60_000,
  );
});
