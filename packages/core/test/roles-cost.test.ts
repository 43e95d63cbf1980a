// Wildcard role checks are bounded: a pattern that needs more characters than a group name can have is invalid (and
// grants nothing), and the bit-parallel matcher agrees with a plain reference matcher on many random patterns and
// groups, including patterns of more than 32 tokens (several state words, where carries between words matter).
//
// The cost test measures the CPU time of this thread (process.threadCpuUsage), not wall-clock time, so a busy machine
// does not make it flaky: a check with eight 12,000-character roles cost ~500 ms of CPU before the length bound
// (~64 ms per role), and costs well under a millisecond now; the bound asserted is the emulator's 100 ms rule.
//
// A compiled matcher lives as long as the connection whose RoleSet holds it, so its memory is bounded too: in
// proportion to its pattern, not to distinct characters times pattern length (a pattern of 1,022 distinct characters
// held ~134 KB with a dense table, ~18 KB with the sparse one; 200 of them held 27 MB, now about 4 MB).
import { execFileSync } from "node:child_process";
import { can, compileGroupPattern, MAX_GROUP_NAME_LENGTH } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

/** The rules of protocol.md 4.7 as a memoized recursive matcher over code points: slow, obviously right. */
function reference(pattern: string, group: string): boolean {
  type Tok = { k: "lit"; c: string } | { k: "one" } | { k: "star" } | { k: "any" };
  const toks: Tok[] = [];
  const p = Array.from(pattern);
  for (let i = 0; i < p.length; i++) {
    if (p[i] === "\\") toks.push({ k: "lit", c: p[++i]! });
    else if (p[i] === "*" && p[i + 1] === "*") {
      toks.push({ k: "any" });
      i++;
    } else if (p[i] === "*") toks.push({ k: "star" });
    else if (p[i] === "?") toks.push({ k: "one" });
    else toks.push({ k: "lit", c: p[i]! });
  }
  const g = Array.from(group);
  const memo = new Map<number, boolean>();
  const go = (t: number, i: number): boolean => {
    const key = t * (g.length + 1) + i;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let r: boolean;
    if (t === toks.length) r = i === g.length;
    else {
      const tok = toks[t]!;
      if (tok.k === "lit") r = i < g.length && g[i] === tok.c && go(t + 1, i + 1);
      else if (tok.k === "one") r = i < g.length && g[i] !== "." && go(t + 1, i + 1);
      else if (tok.k === "star") r = go(t + 1, i) || (i < g.length && g[i] !== "." && go(t, i + 1));
      else r = go(t + 1, i) || (i < g.length && go(t, i + 1));
    }
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

/** A seeded generator, so that a failure is reproducible. */
function random(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

function randomPattern(next: (n: number) => number, length: number): string {
  const parts = ["a", "b", ".", "?", "日", "😀", "\\*", "\\?", "\\\\"];
  let out = "";
  let stars = 0;
  let lastStar = false;
  for (let i = 0; i < length; i++) {
    if (!lastStar && stars < 4 && next(8) === 0) {
      const two = next(2) === 0;
      out += two ? "**" : "*";
      stars += two ? 2 : 1;
      lastStar = true;
      continue;
    }
    out += parts[next(parts.length)];
    lastStar = false;
  }
  return out === "" ? "a" : out;
}

function randomGroupFor(next: (n: number) => number, pattern: string): string {
  // mostly strings close to the pattern (so that matches happen), sometimes random ones
  if (next(3) === 0) {
    const chars = ["a", "b", ".", "日", "😀", "*", "?", "\\"];
    let g = "";
    const n = next(80);
    for (let i = 0; i < n; i++) g += chars[next(chars.length)];
    return g;
  }
  let g = "";
  const p = Array.from(pattern);
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "\\") g += p[++i];
    else if (c === "*") {
      const run = next(4);
      for (let k = 0; k < run; k++) g += p[i + 1] === "*" && next(2) === 0 ? "." : "x";
      if (p[i + 1] === "*") i++;
    } else if (c === "?") g += next(6) === 0 ? "." : "q";
    else g += c;
  }
  if (next(4) === 0 && g.length > 0) g = g.slice(0, -1);
  return g;
}

describe("wildcard role patterns are bounded", () => {
  test("the bit-parallel matcher agrees with the reference matcher, also beyond 32 and 64 tokens", () => {
    const next = random(20240601);
    let matched = 0;
    for (let run = 0; run < 3000; run++) {
      const pattern = randomPattern(next, [3, 12, 40, 70, 140][run % 5]!);
      const m = compileGroupPattern(pattern);
      for (let k = 0; k < 4; k++) {
        const group = randomGroupFor(next, pattern);
        const want = reference(pattern, group);
        if (want) matched++;
        expect(m(group), `${JSON.stringify(pattern)} vs ${JSON.stringify(group)}`).toBe(want);
      }
    }
    // the generator produces both outcomes in quantity
    expect(matched).toBeGreaterThan(1000);
  });

  test(`a pattern needing more than ${MAX_GROUP_NAME_LENGTH} characters is invalid; one needing exactly that is not`, () => {
    const longest = `*${"?".repeat(MAX_GROUP_NAME_LENGTH)}*`;
    const m = compileGroupPattern(longest);
    expect(m("a".repeat(MAX_GROUP_NAME_LENGTH))).toBe(true);
    expect(m("a".repeat(MAX_GROUP_NAME_LENGTH - 1))).toBe(false);
    expect(() => compileGroupPattern(`*${"?".repeat(MAX_GROUP_NAME_LENGTH + 1)}*`)).toThrow(/more than 1024/);
    // escapes count once, astral characters twice (group names are limited in UTF-16 units)
    expect(() => compileGroupPattern("\\*".repeat(MAX_GROUP_NAME_LENGTH))).not.toThrow();
    expect(() => compileGroupPattern("😀".repeat(MAX_GROUP_NAME_LENGTH / 2 + 1))).toThrow(TypeError);
    expect(() => compileGroupPattern("😀".repeat(MAX_GROUP_NAME_LENGTH / 2))).not.toThrow();
    // the error message quotes only the start of a long pattern
    const huge = `**${"a".repeat(12_000)}**`;
    let message = "";
    try {
      compileGroupPattern(huge);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/more than 1024/);
    expect(message.length).toBeLessThan(300);
  });

  test("a role with a 12,000-character pattern grants nothing, and checking it costs far less than 100 ms", () => {
    const roles = Array.from(
      { length: 8 },
      (_, i) => `webpubsub.joinLeaveGroups.**${"a".repeat(12_000)}**${String.fromCharCode(98 + i)}`,
    );
    const group = "a".repeat(MAX_GROUP_NAME_LENGTH);
    const before = process.threadCpuUsage();
    for (let i = 0; i < 5; i++) expect(can(roles, "joinLeaveGroup", group)).toBe(false);
    const used = process.threadCpuUsage(before);
    expect((used.user + used.system) / 1000 / 5).toBeLessThan(100);
  });

  test("the costliest valid patterns still answer correctly (group and pattern at the length limit)", () => {
    const group = "a".repeat(MAX_GROUP_NAME_LENGTH);
    expect(can([`webpubsub.sendToGroups.**${"a".repeat(1000)}**`], "sendToGroup", group)).toBe(true);
    expect(can([`webpubsub.sendToGroups.**${"a".repeat(1000)}**b`], "sendToGroup", group)).toBe(false);
    expect(can([`webpubsub.sendToGroups.*${"?".repeat(1022)}*`], "sendToGroup", group)).toBe(true);
    expect(can([`webpubsub.sendToGroups.*${"?".repeat(1022)}*`], "sendToGroup", `${group.slice(2)}.x`)).toBe(false);
  });

  test("a compiled matcher holds memory in proportion to its pattern: 200 of 1,022 distinct characters under 8 MB", () => {
    // measured in a child process with --expose-gc: the heap kept by the matchers after full collections (one matcher
    // is compiled and run first, so that the code and caches compilation itself allocates are in the baseline)
    const script = `
      const { compileGroupPattern } = await import(${JSON.stringify(new URL("../src/group-pattern.ts", import.meta.url).href)});
      const distinct = Array.from({ length: 1021 }, (_, k) => String.fromCodePoint(0x4e00 + k)).join("");
      const patterns = Array.from({ length: 201 }, (_, i) => "*" + String.fromCodePoint(0x3000 + i) + distinct + "*");
      const group = String.fromCodePoint(0x3000) + distinct;
      compileGroupPattern(patterns.pop())(group);
      const used = () => {
        globalThis.gc();
        globalThis.gc();
        const m = process.memoryUsage();
        return m.heapUsed + m.arrayBuffers;
      };
      const base = used();
      const kept = patterns.map((p) => compileGroupPattern(p));
      const retained = used() - base;
      console.log(JSON.stringify({ retained, first: kept[0](group), second: kept[1](group) }));
    `;
    const output = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    const { retained, first, second } = JSON.parse(output) as { retained: number; first: boolean; second: boolean };
    expect({ first, second }).toEqual({ first: true, second: false });
    expect(retained).toBeGreaterThan(0);
    expect(retained).toBeLessThan(8 * 1024 * 1024);
  });
});
