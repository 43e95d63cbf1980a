// Close reasons fit the WebSocket limit of 123 UTF-8 bytes, cut in one pass at a character boundary (the old trim
// removed one character at a time and re-measured the whole string: 82 s for a 1 MiB reason); a whole relayed text or
// log line is capped with a marker (core's capped(), tested in core); a value in a message that copies the live service's quote marks is bounded by
// core's shown() rule without its JSON quotes. Both sides of every boundary, and random strings.

import { shown } from "@webpubsub/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { closeReason, MAX_CLOSE_REASON_BYTES, shownUnquoted, utf8PrefixLength } from "../src/bounded-text.ts";

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

describe("closeReason", () => {
  it("keeps a reason of exactly 123 bytes and cuts one of 124, ending with the marker", () => {
    expect(closeReason("a".repeat(123))).toBe("a".repeat(123));
    const cut = closeReason("a".repeat(124));
    expect(cut).toBe(`${"a".repeat(120)}…`);
    expect(bytes(cut)).toBe(123);
  });

  it("never splits a multi-byte character or a surrogate pair", () => {
    const e = closeReason("é".repeat(100)); // 2 bytes each
    expect(e).toBe(`${"é".repeat(60)}…`);
    const emoji = closeReason(`a${"😀".repeat(40)}`); // 4 bytes each, after one ASCII byte
    expect(emoji).toBe(`a${"😀".repeat(29)}…`);
    expect(bytes(emoji)).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
  });

  it("handles a 1 MiB reason in time proportional to what it keeps", () => {
    const huge = "A".repeat(1024 * 1024);
    const before = process.threadCpuUsage();
    for (let i = 0; i < 1000; i++) closeReason(huge);
    const used = process.threadCpuUsage(before);
    // 1000 cuts of a MiB: the old loop needed about 80 s for one
    expect((used.user + used.system) / 1000).toBeLessThan(1000);
    expect(closeReason(huge)).toBe(`${"A".repeat(120)}…`);
  });

  it("agrees with Buffer.byteLength on random strings (including lone surrogates)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
        const r = closeReason(s);
        expect(bytes(r)).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
        if (bytes(s) <= MAX_CLOSE_REASON_BYTES) expect(r).toBe(s);
        else {
          expect(r.endsWith("…")).toBe(true);
          expect(s.startsWith(r.slice(0, -1))).toBe(true);
        }
        const n = utf8PrefixLength(s, 50);
        expect(bytes(s.slice(0, n))).toBeLessThanOrEqual(50);
        if (n < s.length) expect(bytes(s.slice(0, n + (s.codePointAt(n)! > 0xffff ? 2 : 1)))).toBeGreaterThan(50);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("shownUnquoted: core's shown() bound without its JSON quotes", () => {
  it("writes a value of up to 64 characters as it is, quote marks, backslashes and a trailing ... included", () => {
    for (const v of ["xxxx", 'a"b\\c', "`id`", "ends with...", "line\nbreak", "x".repeat(64), ""]) {
      expect(shownUnquoted(v)).toBe(v);
    }
  });

  it("cuts a longer value to its first 64 characters, then ..., as shown() does", () => {
    expect(shownUnquoted("x".repeat(65))).toBe(`${"x".repeat(64)}...`);
    const huge = `${"a".repeat(64)}${"TAIL".repeat(2500)}`; // 10,064 characters
    expect(shownUnquoted(huge)).toBe(`${"a".repeat(64)}...`);
    expect(shownUnquoted(huge)).not.toContain("TAIL");
    expect(shown(huge)).toBe(`"${shownUnquoted(huge).slice(0, -3)}"...`);
  });

  it("is the value, or its first 64 characters then ..., on random strings (lone surrogates and quotes too)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 100 }), (s) => {
        const r = shownUnquoted(s);
        expect(r).toBe(s.length <= 64 ? s : `${s.slice(0, 64)}...`);
      }),
      { numRuns: 2000 },
    );
  });
});
