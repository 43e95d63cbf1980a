// The exported HMAC helpers refuse arguments of the wrong type with a TypeError naming the problem, whichever
// argument is wrong, instead of hashing their text form.
import { hmacSha256Hex, timingSafeEqual } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

describe("hmacSha256Hex", () => {
  test("a key that is not a non-empty string is refused, even one whose text form would do", async () => {
    for (const key of ["", 5, null, ["k"]]) {
      await expect(hmacSha256Hex(key as never, "m")).rejects.toThrow("key must be a non-empty string");
    }
  });

  test("a message that is not a string is refused", async () => {
    await expect(hmacSha256Hex("k", 5 as never)).rejects.toThrow("message must be a string");
  });
});

describe("timingSafeEqual", () => {
  test("refuses anything but two strings, whichever argument is wrong", () => {
    for (const [a, b] of [
      [1, "a"],
      ["a", 1],
      ["a", undefined],
    ]) {
      expect(() => timingSafeEqual(a as never, b as never)).toThrow("timingSafeEqual expects two strings");
    }
  });

  test("compares the whole strings", () => {
    expect(timingSafeEqual("abc", "abc")).toBe(true);
    expect(timingSafeEqual("abc", "abd")).toBe(false);
    expect(timingSafeEqual("abc", "ab")).toBe(false);
    expect(timingSafeEqual("", "")).toBe(true);
  });
});
