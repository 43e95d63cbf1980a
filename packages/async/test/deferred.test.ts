// Deferred: a promise settled from outside, at most once, its `settled` telling whether that happened.
import { describe, expect, it } from "vitest";
import { Deferred } from "../src/index.ts";

describe("Deferred", () => {
  it("settles once", async () => {
    const d = new Deferred<number>();
    expect(d.settled).toBe(false);
    d.resolve(1);
    d.resolve(2);
    d.reject(new Error("late"));
    expect(d.settled).toBe(true);
    await expect(d.promise).resolves.toBe(1);
  });

  it("is settled as soon as it is resolved", () => {
    const d = new Deferred<number>();
    d.resolve(1);
    expect(d.settled).toBe(true);
  });

  it("rejects with the error given, is then settled, and ignores a later resolve or reject", async () => {
    const d = new Deferred<number>();
    const error = new Error("failed");
    d.reject(error);
    expect(d.settled).toBe(true);
    d.resolve(1);
    d.reject(new Error("second"));
    await expect(d.promise).rejects.toBe(error);
  });
});
