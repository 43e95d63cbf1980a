// Event-driven waits on a growing count (messages received, sequence ids acknowledged), with a timeout.

export interface CounterWaiter {
  /** Call after the count may have grown: re-checks every pending wait. */
  notify(): void;
  /** Resolves once the count is at least `n`; rejects after the timeout, naming where the count got stuck. */
  atLeast(n: number): Promise<void>;
}

/** Waits on `read()`, a count that only grows; each wait rejects after `timeoutMs` with "<what> stuck at X of N". */
export function counterWaiter(read: () => number, timeoutMs: number, what: string): CounterWaiter {
  const waiters = new Set<() => void>();
  return {
    notify() {
      for (const w of [...waiters]) w();
    },
    atLeast(n) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
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
