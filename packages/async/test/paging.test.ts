import { describe, expect, it } from "vitest";
import { createPagedIterator, fromPages, type PageSettings } from "../src/index.ts";

function pagedSource(total: number, defaultPageSize = 3) {
  const calls: PageSettings[] = [];
  const iterator = createPagedIterator<number>(async (settings) => {
    calls.push(settings);
    const start = settings.continuationToken ? Number(settings.continuationToken) : 0;
    const size = settings.maxPageSize ?? defaultPageSize;
    const items = Array.from({ length: Math.max(0, Math.min(size, total - start)) }, (_, i) => start + i);
    const next = start + items.length;
    return { items, continuationToken: next < total ? String(next) : undefined };
  });
  return { iterator, calls };
}

describe("createPagedIterator", () => {
  it("iterates items across pages, fetching lazily", async () => {
    const { iterator, calls } = pagedSource(7);
    const first = await iterator.next();
    expect(first).toEqual({ done: false, value: 0 });
    expect(calls).toHaveLength(1);
    const rest: number[] = [];
    for await (const v of iterator) rest.push(v);
    expect(rest).toEqual([1, 2, 3, 4, 5, 6]);
    expect(calls.map((c) => c.continuationToken)).toEqual([undefined, "3", "6"]);
  });

  it("iterates pages with a page size and resumes from a continuation token", async () => {
    const { iterator } = pagedSource(7);
    const pages: number[][] = [];
    for await (const page of iterator.byPage({ maxPageSize: 2 })) pages.push(page);
    expect(pages).toEqual([[0, 1], [2, 3], [4, 5], [6]]);
    const resumed: number[][] = [];
    for await (const page of iterator.byPage({ continuationToken: "5", maxPageSize: 10 })) resumed.push(page);
    expect(resumed).toEqual([[5, 6]]);
  });

  it("yields one empty page for an empty listing", async () => {
    const { iterator } = pagedSource(0);
    const pages: number[][] = [];
    for await (const page of iterator.byPage()) pages.push(page);
    expect(pages).toEqual([[]]);
  });

  it("refuses a repeated continuation token instead of looping forever", async () => {
    const iterator = createPagedIterator<number>(async () => ({ items: [1], continuationToken: "same" }));
    await expect(
      (async () => {
        for await (const _ of iterator.byPage()) {
        }
      })(),
    ).rejects.toThrow(/twice/);
  });

  it("validates maxPageSize", async () => {
    const { iterator, calls } = pagedSource(3);
    await expect(iterator.byPage({ maxPageSize: 0 }).next()).rejects.toThrow(/maxPageSize/);
    expect(calls).toHaveLength(0);
  });

  it("accepts the smallest page size, 1", async () => {
    const { iterator } = pagedSource(2);
    const pages: number[][] = [];
    for await (const page of iterator.byPage({ maxPageSize: 1 })) pages.push(page);
    expect(pages).toEqual([[0], [1]]);
  });
});

describe("fromPages", () => {
  it("iterates the items of byPage() and hands byPage settings through unchanged", async () => {
    const seen: (PageSettings | undefined)[] = [];
    async function* byPage(settings?: PageSettings): AsyncIterableIterator<string[]> {
      seen.push(settings);
      yield ["a", "b"];
      yield [];
      yield ["c"];
    }
    const iterator = fromPages(byPage);
    const items: string[] = [];
    for await (const item of iterator) items.push(item);
    expect(items).toEqual(["a", "b", "c"]);
    const pages: string[][] = [];
    for await (const page of iterator.byPage({ maxPageSize: 2 })) pages.push(page);
    expect(pages).toEqual([["a", "b"], [], ["c"]]);
    expect(seen).toEqual([undefined, { maxPageSize: 2 }]);
  });

  it("stops the page iteration when the item iteration is stopped early", async () => {
    let finished = false;
    async function* byPage(): AsyncIterableIterator<number[]> {
      try {
        yield [1, 2];
        yield [3];
      } finally {
        finished = true;
      }
    }
    const iterator = fromPages(byPage);
    for await (const item of iterator) if (item === 1) break;
    expect(finished).toBe(true);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  // Rule: return() ends the iteration as the iterator protocol says: a result that is done, with no value.
  it("answers return() with a done result, and is done after it", async () => {
    const iterator = fromPages(async function* () {
      yield [1, 2];
    });
    expect(await iterator.next()).toEqual({ done: false, value: 1 });
    expect(await iterator.return?.()).toEqual({ done: true, value: undefined });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });
});
