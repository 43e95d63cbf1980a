// AsyncQueue, a bounded single-consumer queue that is `for await`-able with an explicit overflow policy, and
// fromEvents, which adapts a push source (events, callbacks) to one.
import { shownValue } from "@webpubsub/core/shown";
import { checkSignal } from "./errors.ts";

/** What a full queue does with one more item. */
export type OverflowPolicy = "drop-oldest" | "drop-newest" | "error";

export interface AsyncQueueOptions {
  /** Most items buffered while the consumer is behind. */
  capacity: number;
  /** `drop-oldest` evicts the oldest buffered item, `drop-newest` refuses the new one, `error` fails the queue. */
  overflow: OverflowPolicy;
  /** Aborting ends the iteration at once, discarding what is buffered. */
  signal?: AbortSignal;
}

/** Thrown to the consumer of a queue whose overflow policy is `error` once an item did not fit. */
export class QueueOverflowError extends Error {
  override name = "QueueOverflowError";
  constructor(capacity: number) {
    super(`The consumer fell behind: more than ${capacity} items were waiting.`);
  }
}

const validPolicies: readonly OverflowPolicy[] = ["drop-oldest", "drop-newest", "error"];

/**
 * A bounded single-consumer queue that is also an AsyncIterable. Producers `push`; the consumer iterates with
 * `for await`. `end()` lets the consumer drain what is buffered then stop; `fail(e)` drains then throws `e`.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  declare readonly capacity: number;
  declare readonly overflow: OverflowPolicy;
  #items: T[] = [];
  #head = 0;
  #waiter: (() => void) | undefined;
  #state: "open" | "ended" | "failed" | "closed" = "open";
  #error: unknown;
  #dropped = 0;
  #onClose: (() => void)[] = [];
  #signal: AbortSignal | undefined;
  #onAbort = () => this.#close();
  #iterating = false;

  constructor(options: AsyncQueueOptions) {
    const { capacity, overflow, signal } = options;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be an integer >= 1, got ${shownValue(capacity)}.`);
    }
    if (!validPolicies.includes(overflow)) {
      throw new TypeError(`overflow must be one of ${validPolicies.join(", ")}, got ${shownValue(overflow)}.`);
    }
    checkSignal(signal);
    this.capacity = capacity;
    this.overflow = overflow;
    this.#signal = signal;
    if (signal?.aborted) this.#state = "closed";
    else signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Items waiting for the consumer. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Items lost to the overflow policy so far. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Whether the queue still accepts items. */
  get open(): boolean {
    return this.#state === "open";
  }

  /** Adds an item; false when it was not accepted (queue closed, or dropped by the overflow policy). */
  push(item: T): boolean {
    if (this.#state !== "open") return false;
    if (this.size >= this.capacity) {
      this.#dropped++;
      if (this.overflow === "drop-newest") return false;
      if (this.overflow === "error") {
        this.fail(new QueueOverflowError(this.capacity));
        return false;
      }
      this.#shift(); // drop-oldest: the slot is cleared and the array compacted, so a dropped item is not kept alive
    }
    this.#items.push(item);
    this.#wake();
    return true;
  }

  /** No more items: the consumer drains the buffer, then its loop ends. */
  end(): void {
    if (this.#state !== "open") return;
    this.#state = "ended";
    this.#release();
    this.#wake();
  }

  /** The producer failed: the consumer drains the buffer, then receives `error`. */
  fail(error: unknown): void {
    if (this.#state !== "open") return;
    this.#state = "failed";
    this.#error = error;
    this.#release();
    this.#wake();
  }

  /** Registers cleanup to run once when the queue stops accepting items (end, fail, abort or consumer exit). */
  onClose(callback: () => void): void {
    if (this.#state === "open") this.#onClose.push(callback);
    else callback();
  }

  #close(): void {
    const wasOpen = this.#state === "open";
    this.#state = "closed";
    this.#items = [];
    this.#head = 0;
    if (wasOpen) this.#release();
    this.#wake();
  }

  #release(): void {
    this.#signal?.removeEventListener("abort", this.#onAbort);
    const callbacks = this.#onClose;
    this.#onClose = [];
    for (const cb of callbacks) cb();
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }

  #shift(): T {
    const item = this.#items[this.#head] as T;
    this.#items[this.#head] = undefined as T;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /**
   * The consumer's iterator. Its `return()` closes the queue at once, even before the first `next()` or while one
   * waits for an item (an async generator would only queue it behind that wait).
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    const role = { consumer: false };
    const consumer = this.#consume(role);
    return {
      next: () => consumer.next(),
      return: (value?: unknown) => {
        // a second iterator, refused as a consumer, leaves the first one's queue alone
        if (role.consumer || !this.#iterating) this.#close();
        return consumer.return(value as undefined);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    } as AsyncIterator<T>;
  }

  async *#consume(role: { consumer: boolean }): AsyncGenerator<T, undefined> {
    if (this.#iterating) throw new Error("An AsyncQueue has a single consumer; it is already being iterated.");
    this.#iterating = true;
    role.consumer = true;
    try {
      while (true) {
        // an abort after end() or fail() (whose listener is gone by then) still ends the loop at once
        if (this.#signal?.aborted) return;
        if (this.size > 0) {
          yield this.#shift();
          continue;
        }
        if (this.#state === "failed") throw this.#error;
        if (this.#state !== "open") return;
        await new Promise<void>((resolve) => (this.#waiter = resolve));
      }
    } finally {
      // The consumer left (break, return, throw) or the queue finished: stop accepting items and clean up.
      this.#close();
    }
  }
}

/**
 * Adapts an event source to an AsyncIterable. `subscribe` is called at once with push/end/fail callbacks and returns
 * the function that unsubscribes; it is called exactly once, when the iteration can no longer receive items.
 */
export function fromEvents<T>(
  subscribe: (push: (value: T) => void, end: () => void, fail: (error: unknown) => void) => () => void,
  options: AsyncQueueOptions,
): AsyncQueue<T> {
  if (typeof subscribe !== "function") throw new TypeError("subscribe must be a function.");
  const queue = new AsyncQueue<T>(options);
  if (!queue.open) return queue;
  let unsubscribe: unknown;
  try {
    unsubscribe = subscribe(
      (v) => queue.push(v),
      () => queue.end(),
      (e) => queue.fail(e),
    );
  } catch (error) {
    queue.end(); // removes the queue's abort listener: nothing of this call stays on the caller's signal
    throw error;
  }
  if (typeof unsubscribe !== "function") {
    queue.end();
    throw new TypeError("subscribe must return the function that unsubscribes.");
  }
  queue.onClose(unsubscribe as () => void);
  return queue;
}
