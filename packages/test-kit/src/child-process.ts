// Node child processes that talk over IPC: forked, ready on their first message, asked and answered by message type,
// and stopped by disconnecting (SIGKILL if they have not exited 5 s later).
import { type ChildProcess, type ForkOptions, fork } from "node:child_process";

/** Forks `modulePath` and resolves with the child and its first IPC message; rejects if it exits before sending one. */
export async function forkReady<T>(
  modulePath: string,
  args: string[],
  options: ForkOptions,
): Promise<{ child: ChildProcess; ready: T }> {
  const child = fork(modulePath, args, options);
  const ready = await new Promise<T>((resolve, reject) => {
    child.once("message", (m) => resolve(m as T));
    child.once("exit", (code) => reject(new Error(`${modulePath} exited with ${code} before it was ready`)));
  });
  return { child, ready };
}

/** Sends `message` and resolves with the child's next message whose `type` is `answerType`. */
export function ipcRequest<R>(child: ChildProcess, message: object, answerType: string): Promise<R> {
  return new Promise<R>((resolve) => {
    const onMessage = (m: { type?: string }) => {
      if (m?.type !== answerType) return;
      child.off("message", onMessage);
      resolve(m as R);
    };
    child.on("message", onMessage);
    child.send(message);
  });
}

/** Disconnects the child (its cue to close and exit) and resolves once it has exited; SIGKILL after `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.disconnect();
  });
}
