import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { AsyncQueue, fromEvents, QueueOverflowError } from "../src/index.ts";
import { abortListeners } from "./helpers.ts";

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of iterable) out.push(v);
  return out;
}

describe("AsyncQueue", () => {
  it("delivers pushed items in order and drains them after end()", async () => {
    const q = new AsyncQueue<number>({ capacity: 10, overflow: "error" });
    q.push(1);
    q.push(2);
    const collected = collect(q); // the consumer has started: 3 and the end come after it did
    q.push(3);
    q.end();
    expect(await collected).toEqual([1, 2, 3]);
    expect(q.push(4)).toBe(false);
  });

  it("drop-oldest keeps the newest `capacity` items when the consumer is behind", async () => {
    const q = new AsyncQueue<number>({ capacity: 3, overflow: "drop-oldest" });
    for (let i = 1; i <= 10; i++) q.push(i);
    q.end();
    expect(q.dropped).toBe(7);
    expect(await collect(q)).toEqual([8, 9, 10]);
  });

  it("drop-newest refuses items beyond capacity", async () => {
    const q = new AsyncQueue<number>({ capacity: 3, overflow: "drop-newest" });
    const accepted = [1, 2, 3, 4, 5].map((i) => q.push(i));
    q.end();
    expect(accepted).toEqual([true, true, true, false, false]);
    expect(await collect(q)).toEqual([1, 2, 3]);
  });

  it("error policy fails the consumer after it drains what fit", async () => {
    const q = new AsyncQueue<number>({ capacity: 2, overflow: "error" });
    q.push(1);
    q.push(2);
    expect(q.push(3)).toBe(false);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const v of q) seen.push(v);
      })(),
    ).rejects.toBeInstanceOf(QueueOverflowError);
    expect(seen).toEqual([1, 2]);
  });

  it("never buffers more than capacity under a fast producer (backpressure by policy)", async () => {
    const q = new AsyncQueue<number>({ capacity: 16, overflow: "drop-oldest" });
    let maxSize = 0;
    const consumer = (async () => {
      let n = 0;
      for await (const _ of q) {
        n++;
        await new Promise((r) => setTimeout(r, 0));
      }
      return n;
    })();
    for (let i = 0; i < 2000; i++) {
      q.push(i);
      maxSize = Math.max(maxSize, q.size);
      if (i % 100 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    q.end();
    const received = await consumer;
    expect(maxSize).toBeLessThanOrEqual(16);
    expect(received + q.dropped).toBe(2000);
  });

  it("ends at once on abort, discarding the buffer and removing its listener", async () => {
    const controller = new AbortController();
    const q = new AsyncQueue<number>({ capacity: 10, overflow: "error", signal: controller.signal });
    q.push(1);
    const seen: number[] = [];
    const loop = (async () => {
      for await (const v of q) {
        seen.push(v);
        controller.abort();
      }
    })();
    await loop;
    expect(seen).toEqual([1]);
    expect(q.open).toBe(false);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it("ends a waiting consumer when aborted", async () => {
    const controller = new AbortController();
    const q = new AsyncQueue<number>({ capacity: 10, overflow: "error", signal: controller.signal });
    const done = collect(q); // the consumer is waiting on the empty queue when this returns
    controller.abort();
    expect(await done).toEqual([]);
  });

  it("has a single consumer", async () => {
    const q = new AsyncQueue<number>({ capacity: 1, overflow: "error" });
    const first = q[Symbol.asyncIterator]();
    const firstNext = first.next();
    const second = q[Symbol.asyncIterator]();
    await expect(second.next()).rejects.toThrow(/single consumer/);
    q.end();
    await firstNext;
  });

  it("validates its options", () => {
    expect(() => new AsyncQueue({ capacity: 0, overflow: "error" })).toThrow(/capacity/);
    expect(() => new AsyncQueue({ capacity: 1, overflow: "block" as never })).toThrow(/overflow/);
  });
});

describe("fromEvents", () => {
  it("subscribes at once and unsubscribes exactly once when the consumer breaks out", async () => {
    const target = new EventTarget();
    let unsubscribed = 0;
    const iterable = fromEvents<number>(
      (push) => {
        const listener = (e: Event) => push((e as CustomEvent<number>).detail);
        target.addEventListener("n", listener);
        return () => {
          unsubscribed++;
          target.removeEventListener("n", listener);
        };
      },
      { capacity: 8, overflow: "drop-oldest" },
    );
    target.dispatchEvent(new CustomEvent("n", { detail: 1 }));
    target.dispatchEvent(new CustomEvent("n", { detail: 2 }));
    const seen: number[] = [];
    for await (const v of iterable) {
      seen.push(v);
      if (v === 2) break;
    }
    expect(seen).toEqual([1, 2]);
    expect(unsubscribed).toBe(1);
  });

  it("ends on the source's end and surfaces its failure", async () => {
    let fail!: (e: unknown) => void;
    let unsubscribed = 0;
    const it1 = fromEvents<string>(
      (push, _end, f) => {
        push("a");
        fail = f;
        return () => {
          unsubscribed++;
        };
      },
      { capacity: 4, overflow: "error" },
    );
    fail(new Error("socket closed"));
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const v of it1) seen.push(v);
      })(),
    ).rejects.toThrow("socket closed");
    expect(seen).toEqual(["a"]);
    expect(unsubscribed).toBe(1);
  });

  it("does not subscribe when the signal is already aborted", () => {
    const controller = new AbortController();
    controller.abort();
    let subscribed = false;
    fromEvents(
      () => {
        subscribed = true;
        return () => {};
      },
      { capacity: 1, overflow: "error", signal: controller.signal },
    );
    expect(subscribed).toBe(false);
  });
});

describe("fromEvents' subscribe argument", () => {
  // Rule: bad input fails with a TypeError naming it before any side effect, and a call that failed leaves no
  // listener on the caller's signal.
  it("refuses a subscribe that is not a function before adding a listener to the signal", () => {
    const controller = new AbortController();
    expect(() => fromEvents(undefined as never, { capacity: 1, overflow: "error", signal: controller.signal })).toThrow(
      new TypeError("subscribe must be a function."),
    );
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it("passes on what subscribe threw and leaves no listener; a subscribe that returns keeps its one", () => {
    const controller = new AbortController();
    const options = { capacity: 1, overflow: "error" as const, signal: controller.signal };
    expect(() =>
      fromEvents(() => {
        throw new Error("cannot subscribe");
      }, options),
    ).toThrow("cannot subscribe");
    expect(abortListeners(controller.signal)).toBe(0);
    expect(() => fromEvents(() => "not a function" as never, options)).toThrow(
      new TypeError("subscribe must return the function that unsubscribes."),
    );
    expect(abortListeners(controller.signal)).toBe(0);
    // the other side: a working subscription holds its listener until aborted, then unsubscribes
    let unsubscribed = 0;
    const queue = fromEvents(() => () => unsubscribed++, options);
    expect(abortListeners(controller.signal)).toBe(1);
    controller.abort();
    expect(queue.open).toBe(false);
    expect(unsubscribed).toBe(1);
    expect(abortListeners(controller.signal)).toBe(0);
  });
});

describe("AsyncQueue's consumer and its ending", () => {
  // Rule: a consumer waiting on an empty queue is woken by whatever comes next: an item, the end or a failure.
  it("wakes a waiting consumer with an item pushed while the queue stays open", async () => {
    const q = new AsyncQueue<number>({ capacity: 2, overflow: "error" });
    const iterator = q[Symbol.asyncIterator]();
    const next = iterator.next();
    q.push(7);
    await expect(next).resolves.toEqual({ done: false, value: 7 });
    expect(q.open).toBe(true);
    // the other side: with nothing pushed the consumer is still waiting when the queue ends
    const last = iterator.next();
    q.end();
    await expect(last).resolves.toEqual({ done: true, value: undefined });
  });

  it("wakes a waiting consumer with the failure, which it receives as is", async () => {
    const q = new AsyncQueue<number>({ capacity: 2, overflow: "error" });
    const next = q[Symbol.asyncIterator]().next();
    const error = new Error("source gone");
    q.fail(error);
    await expect(next).rejects.toBe(error);
  });

  // Rule: a queue ends once: the first of end() and fail() decides how the consumer's loop finishes.
  it("keeps the failure when end() comes after fail(), and the first error of two", async () => {
    const q = new AsyncQueue<number>({ capacity: 2, overflow: "error" });
    q.push(1);
    const first = new Error("first");
    q.fail(first);
    q.fail(new Error("second"));
    q.end();
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const v of q) seen.push(v);
      })(),
    ).rejects.toBe(first);
    expect(seen).toEqual([1]);
  });

  it("ends cleanly when fail() comes after end()", async () => {
    const q = new AsyncQueue<number>({ capacity: 2, overflow: "error" });
    q.push(1);
    q.end();
    q.fail(new Error("too late"));
    expect(await collect(q)).toEqual([1]);
  });

  // Rule: onClose runs its callback once the queue stops accepting items, and at once when it already has.
  it("runs an onClose callback when the queue ends, and at once on a queue that no longer accepts items", () => {
    const q = new AsyncQueue<number>({ capacity: 2, overflow: "error" });
    let early = 0;
    q.onClose(() => early++);
    expect(early).toBe(0);
    q.end();
    expect(early).toBe(1);
    let late = 0;
    q.onClose(() => late++);
    expect(late).toBe(1);
    q.fail(new Error("after the end"));
    expect(early).toBe(1);
  });

  it("names the overflow: a QueueOverflowError with the capacity in its message", async () => {
    const q = new AsyncQueue<number>({ capacity: 2, overflow: "error" });
    q.push(1);
    q.push(2);
    q.push(3);
    const error = await collect(q).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QueueOverflowError);
    expect((error as Error).name).toBe("QueueOverflowError");
    expect((error as Error).message).toBe("The consumer fell behind: more than 2 items were waiting.");
    expect(q.dropped).toBe(1);
  });

  it("lists the overflow policies in the error for an unknown one", () => {
    expect(() => new AsyncQueue({ capacity: 1, overflow: "block" as never })).toThrow(
      new TypeError('overflow must be one of drop-oldest, drop-newest, error, got "block".'),
    );
  });
});

describe("fromEvents' end and unsubscribe", () => {
  // Rule: the source's end() ends the consumer's loop after it drained what was pushed, and unsubscribes once.
  it("ends the iteration when the source calls end, after the items pushed before it", async () => {
    let end!: () => void;
    let unsubscribed = 0;
    const queue = fromEvents<string>(
      (push, e) => {
        push("a");
        push("b");
        end = e;
        return () => unsubscribed++;
      },
      { capacity: 4, overflow: "error" },
    );
    expect(queue.open).toBe(true);
    end();
    expect(queue.open).toBe(false);
    expect(unsubscribed).toBe(1);
    expect(await collect(queue)).toEqual(["a", "b"]);
    expect(unsubscribed).toBe(1);
  });

  it("unsubscribes at once when the source ended during subscribe", async () => {
    let unsubscribed = 0;
    const queue = fromEvents<number>(
      (push, end) => {
        push(1);
        end();
        return () => unsubscribed++;
      },
      { capacity: 4, overflow: "error" },
    );
    expect(unsubscribed).toBe(1);
    expect(await collect(queue)).toEqual([1]);
    expect(unsubscribed).toBe(1);
  });
});

describe("AsyncQueue's abort, early return and dropped items", () => {
  // Rule: an abort ends the consumer's loop at once and quietly however the producer closed the queue: the items
  // still buffered are discarded, and so is a failure (the loop does not throw it).
  it.each([
    ["end()", (q: AsyncQueue<number>) => q.end()],
    ["fail()", (q: AsyncQueue<number>) => q.fail(new Error("source broke"))],
  ])("ends the consumer's loop quietly on an abort that comes after %s, discarding what is left", async (_, close) => {
    const controller = new AbortController();
    const q = new AsyncQueue<number>({ capacity: 10, overflow: "error", signal: controller.signal });
    for (const n of [1, 2, 3]) q.push(n);
    close(q);
    const got: number[] = [];
    for await (const n of q) {
      got.push(n);
      controller.abort();
    }
    expect(got).toEqual([1]);
    expect(q.size).toBe(0);
  });

  it("drains what was buffered after end() when the signal is not aborted", async () => {
    const controller = new AbortController();
    const q = new AsyncQueue<number>({ capacity: 10, overflow: "error", signal: controller.signal });
    for (const n of [1, 2, 3]) q.push(n);
    q.end();
    expect(await collect(q)).toEqual([1, 2, 3]);
  });

  it("unsubscribes and leaves no listener when the consumer returns before its first next()", async () => {
    const controller = new AbortController();
    let unsubscribed = 0;
    const q = fromEvents<number>(() => () => unsubscribed++, {
      capacity: 4,
      overflow: "error",
      signal: controller.signal,
    });
    const iterator = q[Symbol.asyncIterator]();
    await expect(iterator.return?.()).resolves.toEqual({ done: true, value: undefined });
    expect(q.open).toBe(false);
    expect(unsubscribed).toBe(1);
    expect(abortListeners(controller.signal)).toBe(0);
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it("settles a next() waiting for an item, and return() itself, when the consumer returns meanwhile", async () => {
    let unsubscribed = 0;
    const q = fromEvents<number>(() => () => unsubscribed++, { capacity: 4, overflow: "error" });
    const iterator = q[Symbol.asyncIterator]();
    const waiting = iterator.next();
    await expect(iterator.return?.()).resolves.toEqual({ done: true, value: undefined });
    await expect(waiting).resolves.toEqual({ done: true, value: undefined });
    expect(unsubscribed).toBe(1);
  });

  it("leaves the consumer's queue open when a second, refused iterator is returned", async () => {
    const q = new AsyncQueue<number>({ capacity: 4, overflow: "error" });
    const first = q[Symbol.asyncIterator]();
    const firstNext = first.next();
    const second = q[Symbol.asyncIterator]();
    await expect(second.next()).rejects.toThrow(/single consumer/);
    await second.return?.();
    expect(q.open).toBe(true);
    q.push(7);
    await expect(firstNext).resolves.toEqual({ done: false, value: 7 });
  });

  it("drop-oldest keeps no item it dropped alive while the consumer is behind (memory bounded by capacity)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const q = new AsyncQueue<object>({ capacity: 2, overflow: "drop-oldest" });
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < 20; i++) {
      const item = { i };
      refs.push(new WeakRef(item));
      q.push(item);
    }
    // a WeakRef keeps its target for the rest of the job that made it: collect in a later one
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(refs.map((r) => r.deref() !== undefined).filter(Boolean)).toHaveLength(2);
    expect(refs[19]!.deref()).toEqual({ i: 19 });
    q.end();
    expect(await collect(q)).toEqual([{ i: 18 }, { i: 19 }]);
  });
});
