// The repository's vitest setup (vitest.setup.ts at the root, run before every test file): a positive toThrow needs
// a thrown value other than undefined or null. Without it vitest 5 passes `toThrow("text")`, `toThrow(/re/)` and
// `toThrow()` when the call throws undefined, or the promise rejects with it.
import { describe, expect, it } from "vitest";

describe("toThrow needs something thrown", () => {
  it("a rejection with undefined or null fails a message, RegExp or bare toThrow", async () => {
    for (const value of [undefined, null]) {
      await expect(expect(Promise.reject(value)).rejects.toThrow("aborted")).rejects.toThrow(
        `the thrown value was ${String(value)}`,
      );
      await expect(expect(Promise.reject(value)).rejects.toThrowError(/aborted/)).rejects.toThrow(
        "the thrown value was",
      );
      await expect(expect(Promise.reject(value)).rejects.toThrow()).rejects.toThrow("the thrown value was");
    }
  });

  it("a function throwing undefined fails, one throwing an error with the text passes", () => {
    expect(() =>
      expect(() => {
        throw undefined;
      }).toThrow("aborted"),
    ).toThrow("the thrown value was undefined");
    expect(() => {
      throw new RangeError("was aborted");
    }).toThrow("aborted");
  });

  it("the function under test is called once, as without the setup", () => {
    let calls = 0;
    expect(() => {
      calls++;
      throw new Error("once");
    }).toThrow("once");
    expect(calls).toBe(1);
    expect(() => {
      calls++;
    }).not.toThrow();
    expect(calls).toBe(2);
  });

  it("the other checks still run: a wrong message, or no throw at all, fails", async () => {
    expect(() =>
      expect(() => {
        throw new Error("other");
      }).toThrow("aborted"),
    ).toThrow("aborted");
    expect(() => expect(() => 1).toThrow("aborted")).toThrow("to throw");
    await expect(expect(Promise.resolve(1)).rejects.toThrow("aborted")).rejects.toThrow("instead of rejecting");
  });
});
