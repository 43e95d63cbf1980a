// An emulator in a child process whose busiest event-loop turn can be read, for the tests of the rule "no single
// request or frame blocks the event loop for more than 100 ms". The figure is CPU time of the child's main thread
// between two timer ticks (1 ms apart when idle): the longest stretch of work the emulator did without serving
// anything else. CPU time, unlike wall-clock delay (perf_hooks.monitorEventLoopDelay), does not grow when a busy
// machine deschedules the process, so the tests hold with other processes spinning beside them.
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { forkReady, ipcRequest, stopChild } from "@webpubsub/test-kit";
import type { EmulatorOptions, RunningEmulator } from "../../src/index.ts";

const CHILD = fileURLToPath(new URL("./emulator-child.ts", import.meta.url));

export interface EmulatorProcess extends RunningEmulator {
  readonly child: ChildProcess;
  /** CPU milliseconds of the busiest event-loop turn since the previous call (or the start), then resets. */
  busiestTurnMs(): Promise<number>;
}

/** Starts the emulator in a child process with JSON-serializable `options` (no `log` function). */
export async function startEmulatorProcess(options: Omit<EmulatorOptions, "log"> = {}): Promise<EmulatorProcess> {
  const { child, ready } = await forkReady<{
    endpoint: string;
    port: number;
    accessKey: string;
    connectionString: string;
  }>(CHILD, [JSON.stringify(options)], {
    execArgv: ["--conditions=source"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const request = <T>(type: string): Promise<T> => ipcRequest<T>(child, { type }, type);
  let closed: Promise<void> | undefined;
  return {
    child,
    endpoint: ready.endpoint,
    port: ready.port,
    accessKey: ready.accessKey,
    connectionString: ready.connectionString,
    certificate: undefined,
    busiestTurnMs: async () => (await request<{ ms: number }>("busiest")).ms,
    close() {
      closed ??= stopChild(child);
      return closed;
    },
  };
}
