// The emulator CLI in a child process, for the tests of what it prints and serves.
import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));

export interface CliProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** All it printed (stdout and stderr) up to "Press Ctrl+C"; rejects if it exits before. */
  banner: Promise<string>;
}

/** Runs the CLI from its TypeScript source with `args`. */
export function spawnCli(args: string[]): CliProcess {
  const child = spawn(process.execPath, ["--conditions=source", CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const banner = new Promise<string>((resolve, reject) => {
    const on = (d: Buffer) => {
      out += d.toString();
      if (out.includes("Press Ctrl+C")) resolve(out);
    };
    child.stdout.on("data", on);
    child.stderr.on("data", on);
    child.once("exit", () => reject(new Error(`exited early: ${out}`)));
  });
  return { child, banner };
}
