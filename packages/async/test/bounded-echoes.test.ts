// No caller's or service's value is echoed whole into an error: each argument check quotes a string argument up to its
// first 64 characters (core's shownValue), names the problem, and still shows a short value whole.
import { thrownMessage } from "@webpubsub/test-kit";
import { describe, expect, it } from "vitest";
import { AsyncQueue, backoffDelay, createPagedIterator, mapConcurrent } from "../src/index.ts";

/** 100,000 characters; an error shows only the quoted first 64, then "...". */
const HUGE = `${"a".repeat(64)}${"b".repeat(99_936)}`;
const HUGE_SHOWN = `"${"a".repeat(64)}"...`;

async function drain(iterable: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of iterable) {
  }
}

const cases: [string, (value: string) => unknown, string][] = [
  ["retry maxRetries", (v) => backoffDelay(1, { maxRetries: v as never }), "maxRetries must be an integer >= 0, got"],
  ["retry mode", (v) => backoffDelay(1, { mode: v as never }), 'mode must be "exponential" or "fixed", got'],
  ["backoffDelay attempt", (v) => backoffDelay(v as never), "attempt must be an integer >= 1, got"],
  [
    "mapConcurrent concurrency",
    (v) => mapConcurrent([], async () => 0, { concurrency: v as never }),
    "concurrency must be",
  ],
  ["mapConcurrent mode", (v) => mapConcurrent([], async () => 0, { concurrency: 1, mode: v as never }), "mode must be"],
  [
    "paging maxPageSize",
    (v) => drain(createPagedIterator(async () => ({ items: [] })).byPage({ maxPageSize: v as never })),
    "maxPageSize must be",
  ],
  [
    "paging repeated token",
    (v) => drain(createPagedIterator(async () => ({ items: [1], continuationToken: v })).byPage()),
    "returned the continuation token",
  ],
  ["AsyncQueue capacity", (v) => new AsyncQueue({ capacity: v as never, overflow: "error" }), "capacity must be"],
  ["AsyncQueue overflow", (v) => new AsyncQueue({ capacity: 1, overflow: v as never }), "overflow must be one of"],
];

describe("argument errors show a caller's value bounded", () => {
  it.each(cases)("%s: a 100,000-character value is shown by its first 64 characters", async (_name, call, problem) => {
    const message = await thrownMessage(() => call(HUGE));
    expect(message).toContain(problem);
    expect(message).toContain(HUGE_SHOWN);
    expect(message.length).toBeLessThan(300);
  });

  it.each(cases)("%s: a short value is shown whole", async (_name, call, problem) => {
    const message = await thrownMessage(() => call("zq"));
    expect(message).toContain(problem);
    expect(message).toContain('"zq"');
  });

  it("a number is shown as written, an object by its type", async () => {
    expect(await thrownMessage(() => backoffDelay(1, { maxRetries: -1 }))).toBe(
      "maxRetries must be an integer >= 0, got -1.",
    );
    expect(await thrownMessage(() => new AsyncQueue({ capacity: { n: HUGE } as never, overflow: "error" }))).toBe(
      "capacity must be an integer >= 1, got object.",
    );
  });
});
