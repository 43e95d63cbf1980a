// Wildcard patterns at the edges of their bounds (protocol.md 4.7): the pattern-length and group-length limits on both
// sides, literals beyond U+FFFF counted as two UTF-16 units but U+FFFF as one, repeated literals, and patterns of more
// than 32 tokens, whose states span several 32-bit words of the matcher.
import { compileGroupPattern } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return "";
}

describe("pattern length bounds", () => {
  test("a pattern of the longest text allowed (2,053 characters) compiles when it needs no more than 1,024", () => {
    // 5 stars and 1,024 escaped '*' (two characters of text each): 2,053 characters, 1,024 needed
    const longest = `**${"\\*".repeat(512)}*${"\\*".repeat(512)}**`;
    expect(longest).toHaveLength(2053);
    const m = compileGroupPattern(longest);
    expect(m("*".repeat(1024))).toBe(true);
    expect(m("*".repeat(1023))).toBe(false);
  });

  test("a pattern text longer than that is refused as too long before its stars are counted", () => {
    expect(message(() => compileGroupPattern("*a".repeat(3000)))).toMatch(/needs more than 1024 characters/);
  });

  test("U+FFFF is one UTF-16 unit of the 1,024, a literal beyond it is two", () => {
    const bmp = `?${"\uFFFF".repeat(1023)}`;
    expect(compileGroupPattern(bmp)(`x${"\uFFFF".repeat(1023)}`)).toBe(true);
    const astral = `?${"\u{10000}".repeat(512)}`;
    expect(message(() => compileGroupPattern(astral))).toMatch(/needs more than 1024 characters/);
    expect(compileGroupPattern(`?${"\u{10000}".repeat(511)}`)(`x${"\u{10000}".repeat(511)}`)).toBe(true);
  });
});

describe("matching", () => {
  test("a literal that appears more than once matches at each place", () => {
    const m = compileGroupPattern("a*a");
    expect(m("aa")).toBe(true);
    expect(m("abca")).toBe(true);
    expect(m("ab")).toBe(false);
  });

  test("past 32 tokens, a character no token accepts moves no state (states in the second word)", () => {
    const m = compileGroupPattern(`${"a".repeat(32)}?b`);
    expect(m(`${"a".repeat(32)}xb`)).toBe(true);
    expect(m(`${"a".repeat(32)}.b`)).toBe(false);
    expect(m(`${"a".repeat(32)}b`)).toBe(false);
  });
});
