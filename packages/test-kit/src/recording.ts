// Things a test saw (requests, events, log lines), in order, with event-driven waits for the first one that matches.

/** A list of what was seen, and waits for a matching item, whether it came before the wait or comes after. */
export class Recording<T> {
  readonly items: T[] = [];
  readonly #waiters = new Set<{ match: (item: T) => boolean; resolve: (item: T) => void }>();

  /** Records `item` and resolves every wait it matches. */
  push(item: T): void {
    this.items.push(item);
    for (const w of [...this.#waiters]) {
      if (!w.match(item)) continue;
      this.#waiters.delete(w);
      w.resolve(item);
    }
  }

  /**
   * Resolves with the first item, recorded already or later, that `match` accepts. `timeoutMs` only stops a hung
   * wait: it rejects then, naming `what` and listing the items seen so far.
   */
  waitFor(match: (item: T) => boolean, what = "a matching item", timeoutMs = 5000): Promise<T> {
    const found = this.items.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        match,
        resolve: (item: T) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`no ${what} within ${timeoutMs} ms; seen: ${describe(this.items)}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }
}

/** The items for an error message, at most 2,000 characters. */
function describe(items: readonly unknown[]): string {
  const text = items.map((i) => (typeof i === "string" ? i : (JSON.stringify(i) ?? String(i)))).join("\n");
  return text.length > 2000 ? `${text.slice(0, 2000)}...` : text;
}
