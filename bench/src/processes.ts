// Child processes for benchmarks: servers and load generators run apart from the side being measured.
import type { ChildProcess } from "node:child_process";
import { forkReady, ipcRequest, stopChild } from "@webpubsub/test-kit";

export interface Worker<T> {
  child: ChildProcess;
  ready: T;
  request<R>(message: object, answerType: string): Promise<R>;
  stop(): Promise<void>;
}

/** Forks `bench/src/workers/<name>.ts`, waits for its first IPC message (its address) and returns it. */
export async function startWorker<T>(name: string, execArgv: string[] = [], args: string[] = []): Promise<Worker<T>> {
  const { child, ready } = await forkReady<T>(new URL(`./workers/${name}.ts`, import.meta.url).pathname, args, {
    execArgv: [...process.execArgv, ...execArgv],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return {
    child,
    ready,
    request: <R>(message: object, answerType: string) => ipcRequest<R>(child, message, answerType),
    stop: () => stopChild(child),
  };
}

/** Runs `use` with the worker `name` started, and stops the worker after it, whether `use` succeeds or throws. */
export async function withWorker<T, R>(
  name: string,
  use: (worker: Worker<T>) => Promise<R>,
  execArgv: string[] = [],
  args: string[] = [],
): Promise<R> {
  const worker = await startWorker<T>(name, execArgv, args);
  try {
    return await use(worker);
  } finally {
    await worker.stop();
  }
}
