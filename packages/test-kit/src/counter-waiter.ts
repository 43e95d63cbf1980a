// Event-driven waits on a growing count (messages received, requests captured, sequence ids acknowledged).

export interface CounterWaiter {
  /** Call after the count may have grown: re-checks every pending wait. */
  notify(): void;
  /** Resolves once the count is at least `n`; with a timeout, rejects after it, naming where the count got stuck. */
  atLeast(n: number): Promise<void>;
}

/**
 * Waits on `read()`, a count that only grows. Given `timeoutMs`, each wait rejects after it with "<what> stuck at X of
 * N"; without, a wait lasts until the count arrives (the test's own timeout bounds it).
 */
export function counterWaiter(read: () => number, timeoutMs?: number, what = "count"): CounterWaiter {
  const waiters = new Set<() => void>();
  return {
    notify() {
      for (const w of [...waiters]) w();
    },
    atLeast(n) {
      return new Promise<void>((resolve, reject) => {
        const timer =
          timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                waiters.delete(check);
                reject(new Error(`${what} stuck at ${read()} of ${n}`));
              }, timeoutMs);
        const check = () => {
          if (read() < n) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
  };
}
