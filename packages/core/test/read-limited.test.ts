// readLimited: one size-limited body reader for REST requests, event handler requests and event handler answers.
import { execFileSync } from "node:child_process";
import { BodyTooLargeError, readLimited } from "@webpubsub/core";
import { describe, expect, it } from "vitest";

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

/** An async iterable of `chunks`, recording how many were pulled and whether it was released. */
function chunksOf(chunks: Uint8Array[]) {
  const state = { pulled: 0, released: false };
  const iterable: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: async () =>
        state.pulled < chunks.length
          ? { done: false, value: chunks[state.pulled++]! }
          : { done: true, value: undefined },
      return: async () => {
        state.released = true;
        return { done: true, value: undefined };
      },
    }),
  };
  return { iterable, state };
}

/** A ReadableStream that produces `n` chunks of `size` bytes on demand, and records its cancellation. */
function streamOf(n: number, size: number) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.pulled === n) return controller.close();
        state.pulled++;
        controller.enqueue(bytes(size));
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

describe("readLimited", () => {
  it("returns the single chunk itself, and joins several in order", async () => {
    const one = bytes(5);
    expect(await readLimited(chunksOf([one]).iterable, 5)).toBe(one);
    const joined = await readLimited(
      chunksOf([Uint8Array.of(1, 2), Uint8Array.of(3), Uint8Array.of(4, 5)]).iterable,
      5,
    );
    expect([...joined]).toEqual([1, 2, 3, 4, 5]);
    expect(await readLimited(null, 0)).toEqual(new Uint8Array(0));
    expect(await readLimited(chunksOf([]).iterable, 0)).toEqual(new Uint8Array(0));
  });

  it("accepts exactly maxBytes and refuses one byte more, releasing the source at once", async () => {
    expect((await readLimited(chunksOf([bytes(3), bytes(2)]).iterable, 5)).byteLength).toBe(5);
    const { iterable, state } = chunksOf([bytes(3), bytes(3), bytes(100)]);
    const error = await readLimited(iterable, 5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(error).toMatchObject({ name: "BodyTooLargeError", limit: 5, declared: false });
    expect((error as Error).message).toBe("body exceeds the 5-byte limit");
    expect(state.pulled).toBe(2);
    expect(state.released).toBe(true);
  });

  it("stops pulling a ReadableStream at the limit and cancels it", async () => {
    const { stream, state } = streamOf(1000, 100);
    await expect(readLimited(stream, 1000)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(state.pulled).toBeLessThanOrEqual(12);
    expect(state.cancelled).toBe(true);
    const small = streamOf(3, 10);
    expect((await readLimited(small.stream, 30)).byteLength).toBe(30);
    expect(small.state.cancelled).toBe(false);
  });

  it("refuses a declared length above the limit before reading, leaving the source untouched", async () => {
    const { iterable, state } = chunksOf([bytes(1)]);
    const error = await readLimited(iterable, 10, { declaredLength: "11" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ declared: true, limit: 10, message: "body of 11 bytes exceeds the 10-byte limit" });
    expect(state).toEqual({ pulled: 0, released: false });
    // a declared length at the limit, or one that is not a number, is no reason to refuse
    for (const declaredLength of ["10", " 10 ", "1e9", "-5", "abc", "", null, undefined]) {
      expect((await readLimited(chunksOf([bytes(1)]).iterable, 10, { declaredLength })).byteLength).toBe(1);
    }
    await expect(readLimited(chunksOf([]).iterable, 10, { declaredLength: 11 })).rejects.toMatchObject({
      declared: true,
    });
  });

  it("stops at once when the signal aborts, throwing its reason and releasing a stalled source", async () => {
    let cancelled = false;
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes(1));
      },
      cancel() {
        cancelled = true;
      },
    });
    const controller = new AbortController();
    const reading = readLimited(stalled, 100, { signal: controller.signal });
    const reason = new Error("deadline");
    setTimeout(() => controller.abort(reason), 0);
    await expect(reading).rejects.toBe(reason);
    expect(cancelled).toBe(true);
    await expect(readLimited(null, 1, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it("joins small chunks (copied into 64 KiB blocks) and large ones (kept) in order, whatever their mix", async () => {
    let next = 0;
    const numbered = (n: number) => Uint8Array.from({ length: n }, () => next++ & 255);
    // after the first chunk (kept), 16 x 4,095 leave 16 bytes of a block: 17 more start the next block
    const sizes = [3, ...Array(16).fill(4095), 17, ...Array(700).fill(100), 4095, 4096, 1, 70_000, 2, 2];
    const chunks = sizes.map(numbered);
    const out = await readLimited(chunksOf(chunks).iterable, next);
    expect(out.length).toBe(next);
    expect(out.every((b, i) => b === (i & 255))).toBe(true);
  });

  it("an abort that comes between two reads ends the read before the next one, with the signal's reason", async () => {
    const controller = new AbortController();
    const reason = new Error("deadline");
    let pulls = 0;
    const source: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          pulls++;
          controller.abort(reason); // aborted while this read is answered, before the next one starts
          return { done: false, value: bytes(1) };
        },
      }),
    };
    await expect(readLimited(source, 100, { signal: controller.signal })).rejects.toBe(reason);
    expect(pulls).toBe(1);
  });

  // Rule: what a read holds grows with the bytes read, not with the number of chunks they came in. A MiB in 1-byte
  // chunks (a chunked HTTP body can be sent so) held 246 MB of one-byte arrays, and with a signal (every event handler
  // read has one) 615 MB more of reactions on one long-lived abort promise. Measured in a child process with
  // --expose-gc: the heap retained after a full collection, just before the last chunk, is independent of timing.
  it.each([
    ["without", "none"],
    ["with", "signal"],
  ])("a MiB in 1-byte chunks %s a signal holds under 16 MB while it is read", (_n, mode) => {
    const script = `
      const { readLimited } = await import(${JSON.stringify(new URL("../src/read-limited.ts", import.meta.url).href)});
      const n = 1024 * 1024;
      let i = 0;
      let retained = -1;
      globalThis.gc();
      const base = process.memoryUsage().heapUsed;
      const stream = new ReadableStream({
        pull(c) {
          if (i++ < n) return c.enqueue(new Uint8Array([i & 255]));
          globalThis.gc();
          retained = process.memoryUsage().heapUsed - base;
          c.close();
        },
      }, { highWaterMark: 0 });
      const options = ${JSON.stringify(mode)} === "signal" ? { signal: new AbortController().signal } : {};
      const out = await readLimited(stream, n, options);
      const inOrder = out.every((b, k) => b === ((k + 1) & 255));
      console.log(JSON.stringify({ length: out.length, inOrder, retained }));
    `;
    const output = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    const { length, inOrder, retained } = JSON.parse(output) as { length: number; inOrder: boolean; retained: number };
    expect({ length, inOrder }).toEqual({ length: 1024 * 1024, inOrder: true });
    expect(retained).toBeGreaterThanOrEqual(0);
    expect(retained).toBeLessThan(16 * 1024 * 1024);
  });

  it("rejects an invalid limit", async () => {
    await expect(readLimited(null, -1)).rejects.toThrow(RangeError);
    await expect(readLimited(null, 1.5)).rejects.toThrow(/maxBytes/);
  });
});
