import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../src/cli.ts";
import { DEFAULT_ACCESS_KEY } from "../src/index.ts";
import { sign } from "./helpers/clients.ts";

const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));

function run(args: string[]): {
  child: ChildProcess;
  output: () => string;
  line: (re: RegExp) => Promise<RegExpExecArray>;
} {
  const child = spawn(process.execPath, ["--conditions=source", CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const waiters: (() => void)[] = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  child.on("exit", () => {
    for (const w of waiters.splice(0)) w();
  });
  return {
    child,
    output: () => out,
    line: async (re) => {
      const deadline = Date.now() + 90_000; // a hang detector: spawning Node on the sources is slow on a busy machine
      for (;;) {
        const m = re.exec(out);
        if (m) return m;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no match for ${re}; output: ${out}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    },
  };
}

function exited(child: ChildProcess): Promise<{ code: number | null; ms: number }> {
  const start = Date.now();
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve({ code: child.exitCode, ms: 0 });
    else child.once("exit", (code) => resolve({ code, ms: Date.now() - start }));
  });
}

describe("webpubsub-emulator CLI", { timeout: 120_000 }, () => {
  it("--port 0 prints a working connection string and exits 0 on SIGINT within a second", async () => {
    const p = run(["--port", "0", "--verbose"]);
    const m = await p.line(/Connection string: (Endpoint=(http:\/\/[^;]+);AccessKey=([^;]+);Version=1\.0;)/);
    const endpoint = m[2]!;
    expect(m[3]).toBe(DEFAULT_ACCESS_KEY);
    const url = `${endpoint}/api/hubs/cli/:send?api-version=2024-12-01`;
    const token = sign({ aud: url, exp: Math.floor(Date.now() / 1000) + 60 }, m[3]!);
    const res = await fetch(url, {
      method: "POST",
      body: "hi",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
    });
    expect(res.status).toBe(202);
    await p.line(/REST POST \/api\/hubs\/cli\/:send.*-> 202/);
    const done = exited(p.child);
    p.child.kill("SIGINT");
    const { code, ms } = await done;
    expect(code).toBe(0);
    // the CLI's 800 ms backstop (process.exit) bounds the shutdown; the margin is for a machine too busy to run it on
    // time, so the test holds with other processes spinning beside it
    expect(ms).toBeLessThan(5000);
  });

  it("exits 0 on SIGTERM and reads --config and --access-key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wps-cli-"));
    const file = join(dir, "config.json");
    writeFileSync(
      file,
      JSON.stringify({
        port: 0,
        accessKey: "config-file-key-0123456789abcdefghijk",
        hubs: { chat: { eventHandlers: [{ urlTemplate: "http://127.0.0.1:9/{event}", systemEvents: ["connected"] }] } },
      }),
    );
    const p = run(["--config", file, "--access-key", "flag-key-overrides-0123456789abcdefgh"]);
    const m = await p.line(/AccessKey=([^;]+);/);
    expect(m[1]).toBe("flag-key-overrides-0123456789abcdefgh");
    const done = exited(p.child);
    p.child.kill("SIGTERM");
    const r = await done;
    expect(r.code, p.output()).toBe(0);
  });

  it("rejects bad arguments with exit code 2 and a message naming the argument", async () => {
    const p = run(["--port", "http"]);
    const { code } = await exited(p.child);
    // one assertion on both, so that a wrong exit code shows what the process printed
    expect({ code, output: p.output() }).toMatchObject({
      code: 2,
      output: expect.stringMatching(/--port must be an integer/),
    });
  });

  it("parses flags", () => {
    const a = parseArgs(["--port=0", "--host", "0.0.0.0", "--keep-alive", "500", "--allow-entra-tokens", "-v"]);
    expect(a.options).toMatchObject({ port: 0, host: "0.0.0.0", keepAliveIntervalMs: 500, allowEntraTokens: true });
    expect(a.verbose).toBe(true);
    const b = parseArgs(["--event-handler", "chat=http://localhost:3000/api/{event}"]);
    expect(b.options.hubs?.chat?.eventHandlers).toEqual([
      {
        urlTemplate: "http://localhost:3000/api/{event}",
        userEventPattern: "*",
        systemEvents: ["connect", "connected", "disconnected"],
      },
    ]);
    expect(parseArgs([]).options).toMatchObject({ port: 8080, host: "localhost" });
    expect(() => parseArgs(["--nope"])).toThrow(/Unknown option "--nope"/);
    expect(() => parseArgs(["--event-handler", "chat"])).toThrow(/<hub>=<url>/);
    expect(() => parseArgs(["--event-handler", "9chat=http://x/"])).toThrow(/hub name/);
    expect(() => parseArgs(["--config", "/nonexistent/file.json"])).toThrow(/Cannot read --config/);
  });
});
