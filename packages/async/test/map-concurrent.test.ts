import { describe, expect, it, vi } from "vitest";
import { AbortError, Deferred, delay, fromEvents, mapConcurrent } from "../src/index.ts";
import { abortListeners } from "./helpers.ts";

describe("mapConcurrent", () => {
  it("keeps input order and never exceeds the concurrency limit", async () => {
    let active = 0;
    let peak = 0;
    const out = await mapConcurrent(
      [5, 1, 4, 2, 3, 0, 6, 2],
      async (n, i) => {
        active++;
        peak = Math.max(peak, active);
        await delay(n);
        active--;
        return n * 10 + i;
      },
      { concurrency: 3 },
    );
    expect(out).toEqual([50, 11, 42, 23, 34, 5, 66, 27]);
    expect(peak).toBe(3);
  });

  it("accepts async iterables", async () => {
    async function* gen() {
      yield 1;
      yield 2;
      yield 3;
    }
    expect(await mapConcurrent(gen(), async (n) => n + 1, { concurrency: 2 })).toEqual([2, 3, 4]);
  });

  it("fail-fast rejects with the first error, aborts calls in flight and starts no new ones", async () => {
    const started: number[] = [];
    const abortedInFlight: number[] = [];
    const p = mapConcurrent(
      [0, 1, 2, 3, 4, 5, 6, 7],
      async (n, _i, signal) => {
        started.push(n);
        if (n === 1) throw new Error("bad item 1");
        try {
          await delay(50, { signal });
        } catch (e) {
          abortedInFlight.push(n);
          throw e;
        }
        return n;
      },
      { concurrency: 2 },
    );
    await expect(p).rejects.toThrow("bad item 1");
    // the call in flight was aborted and had finished by the time mapConcurrent rejected: no time needs to pass
    expect(abortedInFlight).toContain(0);
    expect(started.length).toBeLessThanOrEqual(3);
  });

  it("settle-all processes everything and reports each outcome", async () => {
    const out = await mapConcurrent(
      [1, 2, 3],
      async (n) => {
        if (n === 2) throw new Error("two");
        return n;
      },
      { concurrency: 2, mode: "settle-all" },
    );
    expect(out[0]).toEqual({ status: "fulfilled", value: 1 });
    expect(out[1]).toMatchObject({ status: "rejected", reason: new Error("two") });
    expect(out[2]).toEqual({ status: "fulfilled", value: 3 });
  });

  it("stops on outer abort with AbortError and removes its listener", async () => {
    const controller = new AbortController();
    let started = 0;
    const fourStarted = new Deferred<void>();
    const p = mapConcurrent(
      Array.from({ length: 100 }, (_, i) => i),
      async (_n, _i, signal) => {
        if (++started === 4) fourStarted.resolve();
        await delay(20, { signal });
      },
      { concurrency: 4, signal: controller.signal },
    );
    await fourStarted.promise;
    controller.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(started).toBe(4);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it("validates its options before calling fn", async () => {
    let called = false;
    const fn = async () => {
      called = true;
    };
    await expect(mapConcurrent([1], fn, { concurrency: 0 })).rejects.toThrow(/concurrency/);
    await expect(mapConcurrent([1], fn, { concurrency: 1, mode: "all" as never })).rejects.toThrow(/mode/);
    expect(called).toBe(false);
  });

  it("aborts and awaits the calls in flight when the source itself fails", async () => {
    async function* source() {
      yield 1;
      yield 2;
      await delay(5);
      throw new Error("source broke");
    }
    const settled: string[] = [];
    const p = mapConcurrent(
      source(),
      async (n, _i, signal) => {
        try {
          await delay(1000, { signal });
          settled.push(`done ${n}`);
        } catch {
          settled.push(`aborted ${n}`);
        }
      },
      { concurrency: 3 },
    );
    await expect(p).rejects.toThrow("source broke");
    // Both calls were aborted and had finished by the time mapConcurrent rejected.
    expect(settled.sort()).toEqual(["aborted 1", "aborted 2"]);
  });
});

describe("mapConcurrent's items argument", () => {
  // Rule: bad input fails with a TypeError naming it before any side effect; a signal given to a call that failed
  // keeps no listener of it.
  it("refuses items that are not iterable with a TypeError naming items, leaving no listener on the signal", async () => {
    const controller = new AbortController();
    for (const items of [undefined, null, 42, { length: 1 }]) {
      await expect(
        mapConcurrent(items as never, async () => 1, { concurrency: 1, signal: controller.signal }),
      ).rejects.toThrow(/items must be an iterable or an async iterable/);
      expect(abortListeners(controller.signal)).toBe(0);
    }
  });

  it("leaves no listener when making the iterator throws, and passes that error on", async () => {
    const controller = new AbortController();
    const broken = {
      [Symbol.iterator]() {
        throw new Error("no iterator today");
      },
    };
    await expect(mapConcurrent(broken, async () => 1, { concurrency: 1, signal: controller.signal })).rejects.toThrow(
      "no iterator today",
    );
    expect(abortListeners(controller.signal)).toBe(0);
    // the other side: a working iterable of the same shape is mapped, and its listener removed too
    const working = {
      *[Symbol.iterator]() {
        yield 1;
        yield 2;
      },
    };
    expect(await mapConcurrent(working, async (n) => n * 2, { concurrency: 1, signal: controller.signal })).toEqual([
      2, 4,
    ]);
    expect(abortListeners(controller.signal)).toBe(0);
  });
});

/** An iterable over `items` that counts how often it was asked for an iterator and told to return. */
function counted<T>(items: T[]) {
  const counts = { iterators: 0, returns: 0 };
  const iterable: Iterable<T> = {
    [Symbol.iterator]() {
      counts.iterators++;
      let i = 0;
      return {
        next: () => (i < items.length ? { done: false, value: items[i++] as T } : { done: true, value: undefined }),
        return: () => {
          counts.returns++;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { iterable, counts };
}

describe("mapConcurrent's fn and signal arguments", () => {
  // Rule: bad input fails with a TypeError naming it before any side effect.
  it("refuses an fn that is not a function before asking items for an iterator", async () => {
    const { iterable, counts } = counted([1]);
    const controller = new AbortController();
    await expect(
      mapConcurrent(iterable, "map" as never, { concurrency: 1, signal: controller.signal }),
    ).rejects.toThrow(new TypeError("fn must be a function."));
    expect(counts.iterators).toBe(0);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  // Rule: a signal aborted before the call starts nothing: no iterator, no call of fn, an AbortError.
  it("rejects with an AbortError at once for an already aborted signal, without calling fn", async () => {
    const { iterable, counts } = counted([1, 2]);
    const fn = vi.fn(async (n: number) => n);
    const reason = new Error("cancelled before");
    const error = await mapConcurrent(iterable, fn, { concurrency: 1, signal: AbortSignal.abort(reason) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe(reason);
    expect(fn).not.toHaveBeenCalled();
    expect(counts.iterators).toBe(0);
    // the other side: the same call with a signal not aborted maps every item
    await expect(
      mapConcurrent(iterable, fn, { concurrency: 1, signal: new AbortController().signal }),
    ).resolves.toEqual([1, 2]);
  });
});

describe("mapConcurrent's results and stopping", () => {
  it("maps no items to an empty result, in both modes", async () => {
    await expect(mapConcurrent([], async () => 1, { concurrency: 2 })).resolves.toEqual([]);
    await expect(mapConcurrent([], async () => 1, { concurrency: 2, mode: "settle-all" })).resolves.toEqual([]);
  });

  // Rule: once the caller's signal aborts, no new call starts, even while the calls in flight ignore the signal, and
  // the result is an AbortError, in both modes; the source is told to return.
  it("starts no new call after an outer abort, though the call in flight ignores it, and rejects", async () => {
    for (const mode of ["fail-fast", "settle-all"] as const) {
      const { iterable, counts } = counted([1, 2, 3]);
      const controller = new AbortController();
      const inFlight = new Deferred<number>();
      const firstStarted = new Deferred<void>();
      const calls: number[] = [];
      const fn = (n: number) => {
        calls.push(n);
        if (n !== 1) return Promise.resolve(n);
        firstStarted.resolve();
        return inFlight.promise; // finishes after the abort, as if it never looked at its signal
      };
      const options = { concurrency: 1, signal: controller.signal };
      const p: Promise<unknown> =
        mode === "settle-all"
          ? mapConcurrent(iterable, fn, { ...options, mode })
          : mapConcurrent(iterable, fn, { ...options, mode });
      await firstStarted.promise;
      controller.abort();
      inFlight.resolve(1);
      await expect(p).rejects.toBeInstanceOf(AbortError);
      expect(calls).toEqual([1]);
      expect(counts.returns).toBe(1);
      expect(abortListeners(controller.signal)).toBe(0);
    }
  });

  it("in settle-all, a call that honours the abort does not let the next one start either", async () => {
    const { iterable } = counted([1, 2, 3]);
    const controller = new AbortController();
    const firstStarted = new Deferred<void>();
    const calls: number[] = [];
    const p = mapConcurrent(
      iterable,
      (n, _i, signal) => {
        calls.push(n);
        if (n !== 1) return Promise.resolve(n);
        firstStarted.resolve();
        return new Promise<number>((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
      },
      { concurrency: 1, mode: "settle-all", signal: controller.signal },
    );
    await firstStarted.promise;
    controller.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(calls).toEqual([1]);
  });

  // Rule: return() is how an iterator is told it is left early; one read to its end is not told.
  it("does not tell a source read to its end to return; one left early by a failure is told once", async () => {
    const whole = counted([1, 2, 3]);
    await expect(mapConcurrent(whole.iterable, async (n) => n, { concurrency: 2 })).resolves.toEqual([1, 2, 3]);
    expect(whole.counts.returns).toBe(0);
    const left = counted([1, 2, 3]);
    const error = new Error("item 1");
    await expect(
      mapConcurrent(
        left.iterable,
        async (n) => {
          if (n === 1) throw error;
          return n;
        },
        { concurrency: 1 },
      ),
    ).rejects.toBe(error);
    expect(left.counts.returns).toBe(1);
  });

  it("rejects with the source's own error when the source fails", async () => {
    const error = new Error("source broke");
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
    };
    await expect(mapConcurrent(source, async (n) => n, { concurrency: 2 })).rejects.toBe(error);
  });

  // Rule: the first failure is the one reported; a source that fails after a call did is not.
  it("keeps the call's failure when the source fails after it", async () => {
    const pendingNext = new Deferred<IteratorResult<number>>();
    let nexts = 0;
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => (++nexts === 1 ? Promise.resolve({ done: false, value: 1 }) : pendingNext.promise),
      }),
    };
    const callError = new Error("call failed");
    const callsAborted = new Deferred<void>();
    const p = mapConcurrent(
      source,
      async (_n, _i, signal) => {
        signal.addEventListener("abort", () => callsAborted.resolve());
        throw callError;
      },
      { concurrency: 2 },
    );
    const outcome = p.catch((e: unknown) => e);
    // the second worker is waiting on the source when the call's failure aborts the calls; the source then fails too
    await callsAborted.promise;
    pendingNext.reject(new Error("source failed later"));
    expect(await outcome).toBe(callError);
    expect(nexts).toBe(2);
  });
});

describe("mapConcurrent's workers and a source that goes quiet", () => {
  it("starts at most one worker more than there are items, whatever the concurrency (no worker per unit)", async () => {
    let asked = 0;
    const items = [1, 2, 3];
    const source: Iterable<number> = {
      [Symbol.iterator]() {
        let i = 0;
        return {
          next: () => {
            asked++;
            return i < items.length ? { done: false, value: items[i++]! } : { done: true, value: undefined };
          },
        };
      },
    };
    await expect(mapConcurrent(source, async (n) => n * 2, { concurrency: 100_000 })).resolves.toEqual([2, 4, 6]);
    // one next() per item, plus the one that finds the end for each worker: at most items + 1 workers
    expect(asked).toBeLessThanOrEqual(items.length + (items.length + 1));
  });

  it("still runs `concurrency` calls at once when there are enough items", async () => {
    let inFlight = 0;
    let most = 0;
    const gate = new Deferred<void>();
    const p = mapConcurrent(
      Array.from({ length: 10 }, (_, i) => i),
      async (n) => {
        most = Math.max(most, ++inFlight);
        if (most === 4) gate.resolve();
        await gate.promise;
        inFlight--;
        return n;
      },
      { concurrency: 4 },
    );
    await expect(p).resolves.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(4);
  });

  // Rule: a failure settles the result even while another worker waits on a source that yields nothing more (the
  // failure aborts that read, as it aborts the calls in flight).
  it("rejects with a call's failure while another worker waits on an async source that yields nothing more", async () => {
    const failure = new Error("item 1 failed");
    async function* quiet() {
      yield 1;
      await new Promise(() => {}); // the source never yields again nor ends
    }
    const result = mapConcurrent(quiet(), async () => Promise.reject(failure), { concurrency: 2 });
    await expect(result).rejects.toBe(failure);
  });

  it("rejects with an AbortError on abort while waiting on an async source that yields nothing more", async () => {
    const controller = new AbortController();
    const firstDone = new Deferred<void>();
    async function* quiet() {
      yield 1;
      await new Promise(() => {}); // the source never yields again nor ends
    }
    const p = mapConcurrent(quiet(), async () => firstDone.resolve(), { concurrency: 2, signal: controller.signal });
    await firstDone.promise;
    controller.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it("tells a quiet fromEvents source to stop on abort, which unsubscribes it", async () => {
    const controller = new AbortController();
    let unsubscribed = 0;
    const source = fromEvents<number>(() => () => unsubscribed++, { capacity: 4, overflow: "error" });
    const p = mapConcurrent(source, async (n) => n, { concurrency: 2, signal: controller.signal });
    controller.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(unsubscribed).toBe(1);
  });

  it("awaits the source's return() when no read is pending", async () => {
    const controller = new AbortController();
    const returned = new Deferred<void>();
    let returnSettled = false;
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]() {
        let i = 0;
        return {
          next: async () => ({ done: false, value: i++ }),
          return: async () => {
            await returned.promise;
            returnSettled = true;
            return { done: true, value: undefined };
          },
        };
      },
    };
    const p = mapConcurrent(
      source,
      async () => {
        controller.abort();
      },
      { concurrency: 1, signal: controller.signal },
    );
    let settled = false;
    p.catch(() => {}).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(settled).toBe(false);
    returned.resolve();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(returnSettled).toBe(true);
  });

  it("keeps the abort listeners on the calls' signal bounded by the calls in flight, however many items pass", async () => {
    async function* many() {
      for (let i = 0; i < 200; i++) yield i;
    }
    let most = 0;
    await mapConcurrent(
      many(),
      async (_n, _i, signal) => {
        most = Math.max(most, abortListeners(signal));
      },
      { concurrency: 2 },
    );
    expect(most).toBeLessThanOrEqual(2);
  });

  it("awaits the source's return() before rejecting with the source's failure", async () => {
    const events: string[] = [];
    const returned = new Deferred<void>();
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]() {
        let calls = 0;
        return {
          next: async () => {
            if (++calls === 2) throw new Error("source broke");
            return { done: false, value: calls };
          },
          return: async () => {
            await returned.promise;
            events.push("returned");
            return { done: true, value: undefined };
          },
        };
      },
    };
    const p = mapConcurrent(source, async (n) => n, { concurrency: 2 }).catch((error: Error) => {
      events.push(`rejected: ${error.message}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(events).toEqual([]);
    returned.resolve();
    await p;
    expect(events).toEqual(["returned", "rejected: source broke"]);
  });

  it("rejects with the AbortError for a quiet source that has no return()", async () => {
    const controller = new AbortController();
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<number>>(() => {}) }),
    };
    const p = mapConcurrent(source, async (n) => n, { concurrency: 1, signal: controller.signal });
    controller.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
  });
});

/** What `promise` has come to once every pending microtask has run: settled or still pending. */
async function stateOf(promise: Promise<unknown>): Promise<"pending" | { resolved: unknown } | { rejected: unknown }> {
  let state: "pending" | { resolved: unknown } | { rejected: unknown } = "pending";
  promise.then(
    (value) => {
      state = { resolved: value };
    },
    (reason: unknown) => {
      state = { rejected: reason };
    },
  );
  // setImmediate runs after the microtask queue has drained: nothing in mapConcurrent's abort path waits on a timer
  await new Promise((resolve) => setImmediate(resolve));
  return state;
}

describe("mapConcurrent on an outer abort while calls are in flight", () => {
  // Rule (as p-map): an abort rejects at once with the signal's AbortError, whatever the calls in flight do with their
  // own signal; no further item starts, and what those calls later return or throw is ignored.
  for (const mode of ["fail-fast", "settle-all"] as const) {
    /** mapConcurrent over 1..5 at concurrency 2, where `call(n, signal)` answers each item; returns what happened. */
    function start(call: (n: number, signal: AbortSignal) => Promise<number>) {
      const { iterable, counts } = counted([1, 2, 3, 4, 5]);
      const controller = new AbortController();
      const calls: number[] = [];
      const twoStarted = new Deferred<void>();
      const fn = (n: number, _i: number, signal: AbortSignal) => {
        calls.push(n);
        if (calls.length === 2) twoStarted.resolve();
        return call(n, signal);
      };
      const options = { concurrency: 2, signal: controller.signal };
      const result: Promise<unknown> =
        mode === "settle-all"
          ? mapConcurrent(iterable, fn, { ...options, mode })
          : mapConcurrent(iterable, fn, { ...options, mode });
      return { result, controller, calls, counts, twoStarted: twoStarted.promise };
    }

    it(`${mode}: a call that honours its signal: rejects with the signal's AbortError, no further item`, async () => {
      const run = start(
        (_n, signal) =>
          new Promise<number>((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
      );
      await run.twoStarted;
      const reason = new Error("stop now");
      run.controller.abort(reason);
      const state = await stateOf(run.result);
      expect(state).toEqual({ rejected: expect.any(AbortError) });
      expect(((state as { rejected: AbortError }).rejected as AbortError).cause).toBe(reason);
      expect(run.calls).toEqual([1, 2]);
      expect(run.counts.returns).toBe(1);
      expect(abortListeners(run.controller.signal)).toBe(0);
    });

    // Both ways a late answer can come: a value that must not be kept, a failure that must not go unhandled.
    it.each([
      ["resolve", (answer: Deferred<number>, n: number) => answer.resolve(n * 10)],
      ["reject", (answer: Deferred<number>, n: number) => answer.reject(new Error(`late failure ${n}`))],
    ])(
      `${mode}: calls that ignore their signal and %s later: rejected before they answer, nothing more starts, no unhandled rejection`,
      async (_, answerLate) => {
        const unhandled: unknown[] = [];
        const onUnhandled = (reason: unknown) => unhandled.push(reason);
        process.on("unhandledRejection", onUnhandled);
        try {
          const answers = [new Deferred<number>(), new Deferred<number>()];
          const run = start((n) => answers[n - 1]!.promise);
          await run.twoStarted;
          run.controller.abort();
          const state = await stateOf(run.result);
          expect(state).toEqual({ rejected: expect.any(AbortError) });
          expect(run.counts.returns).toBe(1);
          expect(abortListeners(run.controller.signal)).toBe(0);
          // the calls in flight answer after the rejection: ignored, and they free no slot for item 3
          answerLate(answers[0]!, 1);
          answerLate(answers[1]!, 2);
          // unhandledRejection is emitted after the microtasks of the turn in which the promise rejected
          await new Promise((resolve) => setImmediate(resolve));
          await new Promise((resolve) => setImmediate(resolve));
          expect(unhandled).toEqual([]);
          expect(await stateOf(run.result)).toEqual(state);
          expect(run.calls).toEqual([1, 2]);
          expect(run.counts.returns).toBe(1);
        } finally {
          process.off("unhandledRejection", onUnhandled);
        }
      },
    );
  }

  // The other side: without an abort, the result waits for every call, however late it answers.
  it("without an abort, waits for a late call and keeps its result", async () => {
    const late = new Deferred<number>();
    const result = mapConcurrent([1, 2], (n) => (n === 1 ? late.promise : Promise.resolve(n)), {
      concurrency: 2,
      signal: new AbortController().signal,
    });
    expect(await stateOf(result)).toBe("pending");
    late.resolve(1);
    expect(await stateOf(result)).toEqual({ resolved: [1, 2] });
  });

  // Rule: the first failure is the one reported, also when the caller aborts while its calls in flight are awaited.
  it("fail-fast: an abort while a failure waits for the calls in flight rejects at once with that failure", async () => {
    const ignoring = new Deferred<number>();
    const failure = new Error("item 2 failed");
    const controller = new AbortController();
    const result = mapConcurrent([1, 2, 3], (n) => (n === 1 ? ignoring.promise : Promise.reject(failure)), {
      concurrency: 2,
      signal: controller.signal,
    });
    // the failure alone still waits for the call in flight, which ignores the abort it was given
    expect(await stateOf(result)).toBe("pending");
    controller.abort();
    expect(await stateOf(result)).toEqual({ rejected: failure });
    ignoring.resolve(1);
  });
});
