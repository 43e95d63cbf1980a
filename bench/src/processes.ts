// Child processes for benchmarks: servers and load generators run apart from the side being measured.
import { type ChildProcess, fork } from "node:child_process";

export interface Worker<T> {
  child: ChildProcess;
  ready: T;
  request<R>(message: object, answerType: string): Promise<R>;
  stop(): Promise<void>;
}

/** Forks `bench/src/workers/<name>.ts`, waits for its first IPC message (its address) and returns it. */
export async function startWorker<T>(name: string, execArgv: string[] = [], args: string[] = []): Promise<Worker<T>> {
  const child = fork(new URL(`./workers/${name}.ts`, import.meta.url).pathname, args, {
    execArgv: [...process.execArgv, ...execArgv],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = await new Promise<T>((resolve, reject) => {
    child.once("message", (m) => resolve(m as T));
    child.once("exit", (code) => reject(new Error(`worker ${name} exited with ${code} before it was ready`)));
  });
  return {
    child,
    ready,
    request<R>(message: object, answerType: string) {
      return new Promise<R>((resolve) => {
        const onMessage = (m: { type?: string }) => {
          if (m?.type === answerType) {
            child.off("message", onMessage);
            resolve(m as R);
          }
        };
        child.on("message", onMessage);
        child.send(message);
      });
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.disconnect();
      });
    },
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
