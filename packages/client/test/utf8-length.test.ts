// utf8Length: the UTF-8 bytes of a text frame, which the frame size limit and a group stream's byte bound count.
import { describe, expect, it } from "vitest";
import { utf8Length } from "../src/utf8-length.ts";

/** What a WebSocket writes for `text`: TextEncoder encodes as the socket does (a lone surrogate as U+FFFD). */
const written = (text: string) => new TextEncoder().encode(text).length;

describe("utf8Length", () => {
  // Rule: each code point counts its UTF-8 bytes, at both ends of every range.
  it.each([
    ["U+0000", "\u0000", 1],
    ["U+007F, the last 1-byte character", "\u007f", 1],
    ["U+0080, the first 2-byte character", "\u0080", 2],
    ["U+07FF, the last 2-byte character", "\u07ff", 2],
    ["U+0800, the first 3-byte character", "\u0800", 3],
    ["U+D7FF, the last unit before the surrogates", "\ud7ff", 3],
    ["U+E000, the first unit after the surrogates", "\ue000", 3],
    ["U+FFFF", "\uffff", 3],
    ["U+10000 (D800 DC00), the first surrogate pair", "\ud800\udc00", 4],
    ["U+10FFFF (DBFF DFFF), the last surrogate pair", "\udbff\udfff", 4],
  ])("%s takes its UTF-8 bytes", (_, text, bytes) => {
    expect(written(text)).toBe(bytes); // the table agrees with the encoder
    expect(utf8Length(text)).toBe(bytes);
  });

  // Rule: a surrogate that is not half of a pair is written as U+FFFD, three bytes, and does not take the next unit
  // with it.
  it.each([
    ["a high surrogate at the end", "\ud800", 3],
    ["a high surrogate before an ASCII character", "\udbffx", 4],
    ["a high surrogate before the unit below the low surrogates", "\ud800\udbff", 6],
    ["a high surrogate before the unit above the low surrogates", "\ud800\ue000", 6],
    ["a low surrogate alone", "\udc00", 3],
    ["a low surrogate before a high one", "\udfff\ud800", 6],
    ["two low surrogates", "\udc00\udc00", 6],
    ["the unit before the high surrogates, then a low one", "\ud7ff\udc00", 6],
  ])("%s counts 3 bytes a unit", (_, text, bytes) => {
    expect(written(text)).toBe(bytes);
    expect(utf8Length(text)).toBe(bytes);
  });

  it("sums a mixed text, and the empty text is 0 bytes", () => {
    const text = "a é € 😀 \ud800 end";
    expect(utf8Length(text)).toBe(written(text));
    expect(utf8Length("")).toBe(0);
  });
});
