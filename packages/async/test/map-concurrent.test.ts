import { describe, expect, it } from "vitest";
import { AbortError, delay, mapConcurrent } from "../src/index.ts";
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
    await delay(60);
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
    const p = mapConcurrent(
      Array.from({ length: 100 }, (_, i) => i),
      async (_n, _i, signal) => {
        started++;
        await delay(20, { signal });
      },
      { concurrency: 4, signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 5);
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
