// Runs an example file the way `pnpm demo` / `pnpm start` do: node --conditions=source <file>.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const examplesDir = fileURLToPath(new URL("..", import.meta.url));

export interface NodeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment for children: no connection string (unless `extra` sets one), so they use an in-process emulator. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.AZURE_WEBPUBSUB_CONNECTION_STRING;
  delete env.AZURE_WEBPUBSUB_HUB;
  return { ...env, ...extra };
}

export function spawnNode(file: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ["--conditions=source", file], { cwd: examplesDir, env: childEnv(env) });
}

/**
 * Runs a file to completion and collects its output. `timeoutMs` only guards against a hung child: it is minutes, so a
 * slow run on a busy machine is never cut short.
 */
export function runNode(file: string, timeoutMs = 300_000, env: Record<string, string> = {}): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawnNode(file, env);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
