// The OData filter: examples from the docs, syntax and type errors with positions, and property-based tests that
// compare the compiled filter with a reference evaluation of randomly generated expression trees.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFilter, FilterError, type FilterSubject } from "../src/index.ts";
import { errorOf } from "./helpers/filter-error.ts";

const alice: FilterSubject = { id: "c1", userId: "alice", groups: new Set(["group1", "g'q"]) };
const bob: FilterSubject = { id: "c2", userId: "user'1", groups: new Set(["group2"]) };
const anon: FilterSubject = { id: "123", userId: null, groups: null };

function matches(filter: string, s: FilterSubject): boolean {
  return compileFilter(filter)(s);
}

describe("OData filter examples", () => {
  it.each([
    ["'group1' in groups or 'group2' in groups", [true, true, false]],
    ["userId in ('alice','bob') and 'group1' in groups", [true, false, false]],
    ["userId eq 'alice' and connectionId ne '123'", [true, false, false]],
    ["userId eq 'alice' and (not ('group1' in groups))", [false, false, false]],
    ["userId eq 'user''1'", [false, true, false]],
    ["userId eq null", [false, false, true]],
    ["userId ne null", [true, true, false]],
    ["null eq null", [true, true, true]],
    ["'g''q' in groups", [true, false, false]],
    ["length(groups) ge 1", [true, true, false]],
    ["length(userId) gt 4", [true, true, false]],
    ["length(userId) lt 100", [true, true, false]],
    ["tolower(toupper(userId)) eq userId", [true, true, true]],
    ["startswith(userId, 'al') or endswith(connectionId, '2')", [true, true, false]],
    ["contains(userId, 'lic')", [true, false, false]],
    ["indexof(userId, 'i') eq 2", [true, false, false]],
    ["indexof(userId, 'zz') eq -1", [true, true, true]],
    ["substring(userId, 1) eq 'lice'", [true, false, false]],
    ["substring(userId, 1, 2) eq 'li'", [true, false, false]],
    ["concat(userId, connectionId) eq 'alicec1'", [true, false, false]],
    ["trim('  x ') eq 'x'", [true, true, true]],
    ["USERID EQ 'alice' AND NOT ('group2' IN GROUPS)", [true, false, false]],
    ["userId in ('alice')", [true, false, false]],
    ["true", [true, true, true]],
    ["not false and true", [true, true, true]],
    ["protocol eq 'json.webpubsub.azure.v1'", [false, false, false]],
  ] as const)("%s", (filter, expected) => {
    expect([alice, bob, anon].map((s) => matches(filter, s))).toEqual(expected);
  });

  it("compares ordinally (case-sensitive) and treats null in ordering comparisons as false", () => {
    expect(matches("userId eq 'ALICE'", alice)).toBe(false);
    expect(matches("length(userId) gt -1", anon)).toBe(false);
    expect(matches("length(userId) le 1000", anon)).toBe(false);
    expect(matches("not (length(userId) gt 5)", anon)).toBe(true);
  });
});

describe("OData filter errors", () => {
  it.each([
    ["invalid filter", "syntax", 14],
    ["userId eq", "syntax", 9],
    ["userId eq 'x", "syntax", 10],
    ["(userId eq 'x'", "syntax", 14],
    ["userId eq 'x')", "syntax", 13],
    ["userId # 'x'", "syntax", 7],
    ["userId like 'x' and true", "syntax", 7],
    ["", "syntax", 0],
    ["12abc eq 1", "syntax", 0],
    ["userId eq 1", "type", 7],
    ["nobody eq 'x'", "type", 0],
    ["not length(userId) gt 5", "type", 0],
    ["userId gt 'a'", "type", 7],
    ["'a' in userId", "type", 7],
    ["frobnicate(userId)", "type", 0],
    ["substring(userId)", "type", 0],
    ["userId", "type", 0],
    ["userId eq 'a' and 5", "type", 18],
    ["groups eq 'a'", "type", 7],
    ["('a','b') eq userId", "type", 0],
  ] as const)("%s -> %s error at %i", (filter, kind, position) => {
    const e = errorOf(filter);
    expect(e.kind).toBe(kind);
    expect(e.position).toBe(position);
    expect(e.message).toContain(`position ${position}`);
  });

  it("limits nesting depth instead of overflowing the stack", () => {
    const deep = `${"(".repeat(5000)}true${")".repeat(5000)}`;
    expect(errorOf(deep).message).toMatch(/nested too deeply/);
  });
});

// ---- property-based: random well-typed trees vs. a reference evaluation --------------------------------------------

type StrExpr =
  | { k: "lit"; v: string }
  | { k: "null" }
  | { k: "userId" }
  | { k: "connectionId" }
  | { k: "fn1"; fn: "tolower" | "toupper" | "trim"; a: StrExpr }
  | { k: "concat"; a: StrExpr; b: StrExpr }
  | { k: "substring"; a: StrExpr; i: number; n?: number };
type IntExpr =
  | { k: "int"; v: number }
  | { k: "length"; a: StrExpr | "groups" }
  | { k: "indexof"; a: StrExpr; b: StrExpr };
type BoolExpr =
  | { k: "bool"; v: boolean }
  | { k: "and" | "or"; a: BoolExpr; b: BoolExpr }
  | { k: "not"; a: BoolExpr }
  | { k: "seq" | "sne"; a: StrExpr; b: StrExpr }
  | { k: "icmp"; op: "eq" | "ne" | "gt" | "ge" | "lt" | "le"; a: IntExpr; b: IntExpr }
  | { k: "inList"; a: StrExpr; list: string[] }
  | { k: "inGroups"; a: StrExpr }
  | { k: "pred"; fn: "contains" | "startswith" | "endswith"; a: StrExpr; b: StrExpr };

const word = fc.constantFrom("a", "b", "ab", "A", "g1", "g2", "it's", " x ", "");
const strArb: fc.Memo<StrExpr> = fc.memo((d) =>
  d <= 1
    ? fc.oneof(
        word.map((v) => ({ k: "lit", v }) as StrExpr),
        fc.constant({ k: "null" } as StrExpr),
        fc.constant({ k: "userId" } as StrExpr),
        fc.constant({ k: "connectionId" } as StrExpr),
      )
    : fc.oneof(
        strArb(1),
        fc.record({
          k: fc.constant("fn1" as const),
          fn: fc.constantFrom("tolower", "toupper", "trim"),
          a: strArb(d - 1),
        }),
        fc.record({ k: fc.constant("concat" as const), a: strArb(d - 1), b: strArb(d - 1) }),
        fc.record(
          {
            k: fc.constant("substring" as const),
            a: strArb(d - 1),
            i: fc.integer({ min: -1, max: 4 }),
            n: fc.integer({ min: -1, max: 4 }),
          },
          { requiredKeys: ["k", "a", "i"] },
        ),
      ),
);
const intArb: fc.Arbitrary<IntExpr> = fc.oneof(
  fc.integer({ min: -3, max: 5 }).map((v) => ({ k: "int", v }) as IntExpr),
  fc.oneof(strArb(2), fc.constant("groups" as const)).map((a) => ({ k: "length", a }) as IntExpr),
  fc.record({ k: fc.constant("indexof" as const), a: strArb(2), b: strArb(1) }),
);
const boolArb: fc.Memo<BoolExpr> = fc.memo((d) => {
  const leaves = fc.oneof(
    fc.boolean().map((v) => ({ k: "bool", v }) as BoolExpr),
    fc.record({ k: fc.constantFrom("seq" as const, "sne" as const), a: strArb(2), b: strArb(2) }),
    fc.record({
      k: fc.constant("icmp" as const),
      op: fc.constantFrom("eq", "ne", "gt", "ge", "lt", "le"),
      a: intArb,
      b: intArb,
    }),
    fc.record({
      k: fc.constant("inList" as const),
      a: strArb(2),
      list: fc.array(word, { minLength: 1, maxLength: 3 }),
    }),
    fc.record({ k: fc.constant("inGroups" as const), a: strArb(2) }),
    fc.record({
      k: fc.constant("pred" as const),
      fn: fc.constantFrom("contains", "startswith", "endswith"),
      a: strArb(2),
      b: strArb(1),
    }),
  );
  if (d <= 1) return leaves;
  return fc.oneof(
    { weight: 2, arbitrary: leaves },
    {
      weight: 1,
      arbitrary: fc.record({ k: fc.constantFrom("and" as const, "or" as const), a: boolArb(d - 1), b: boolArb(d - 1) }),
    },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("not" as const), a: boolArb(d - 1) }) },
  );
});

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
function rs(e: StrExpr): string {
  switch (e.k) {
    case "lit":
      return q(e.v);
    case "null":
      return "null";
    case "userId":
      return "userId";
    case "connectionId":
      return "connectionId";
    case "fn1":
      return `${e.fn}(${rs(e.a)})`;
    case "concat":
      return `concat(${rs(e.a)}, ${rs(e.b)})`;
    case "substring":
      return e.n === undefined ? `substring(${rs(e.a)},${e.i})` : `substring(${rs(e.a)},${e.i},${e.n})`;
  }
}
function ri(e: IntExpr): string {
  if (e.k === "int") return String(e.v);
  if (e.k === "length") return `length(${e.a === "groups" ? "groups" : rs(e.a)})`;
  return `indexof(${rs(e.a)},${rs(e.b)})`;
}
function rb(e: BoolExpr): string {
  switch (e.k) {
    case "bool":
      return String(e.v);
    case "and":
    case "or":
      return `(${rb(e.a)}) ${e.k} (${rb(e.b)})`;
    case "not":
      return `not (${rb(e.a)})`;
    case "seq":
      return `${rs(e.a)} eq ${rs(e.b)}`;
    case "sne":
      return `${rs(e.a)} ne ${rs(e.b)}`;
    case "icmp":
      return `${ri(e.a)} ${e.op} ${ri(e.b)}`;
    case "inList":
      return `${rs(e.a)} in (${e.list.map(q).join(",")})`;
    case "inGroups":
      return `${rs(e.a)} in groups`;
    case "pred":
      return `${e.fn}(${rs(e.a)},${rs(e.b)})`;
  }
}

// reference semantics, written independently of the compiler
function es(e: StrExpr, s: FilterSubject): string | null {
  switch (e.k) {
    case "lit":
      return e.v;
    case "null":
      return null;
    case "userId":
      return s.userId;
    case "connectionId":
      return s.id;
    case "fn1": {
      const a = es(e.a, s);
      if (a === null) return null;
      return e.fn === "tolower" ? a.toLowerCase() : e.fn === "toupper" ? a.toUpperCase() : a.trim();
    }
    case "concat": {
      const a = es(e.a, s);
      const b = es(e.b, s);
      return a === null || b === null ? null : a + b;
    }
    case "substring": {
      const a = es(e.a, s);
      if (a === null) return null;
      const start = Math.min(Math.max(e.i, 0), a.length);
      if (e.n === undefined) return a.substring(start);
      return a.substring(start, Math.min(a.length, start + Math.max(e.n, 0)));
    }
  }
}
function ei(e: IntExpr, s: FilterSubject): number | null {
  if (e.k === "int") return e.v;
  if (e.k === "length") {
    if (e.a === "groups") return s.groups?.size ?? 0;
    const v = es(e.a, s);
    return v === null ? null : v.length;
  }
  const a = es(e.a, s);
  const b = es(e.b, s);
  return a === null || b === null ? -1 : a.indexOf(b);
}
function eb(e: BoolExpr, s: FilterSubject): boolean {
  switch (e.k) {
    case "bool":
      return e.v;
    case "and":
      return eb(e.a, s) && eb(e.b, s);
    case "or":
      return eb(e.a, s) || eb(e.b, s);
    case "not":
      return !eb(e.a, s);
    case "seq":
      return es(e.a, s) === es(e.b, s);
    case "sne":
      return es(e.a, s) !== es(e.b, s);
    case "icmp": {
      const a = ei(e.a, s);
      const b = ei(e.b, s);
      if (e.op === "eq") return a === b;
      if (e.op === "ne") return a !== b;
      if (a === null || b === null) return false;
      return e.op === "gt" ? a > b : e.op === "ge" ? a >= b : e.op === "lt" ? a < b : a <= b;
    }
    case "inList": {
      const a = es(e.a, s);
      return e.list.some((x) => x === a);
    }
    case "inGroups": {
      const a = es(e.a, s);
      return a !== null && (s.groups?.has(a) ?? false);
    }
    case "pred": {
      const a = es(e.a, s);
      const b = es(e.b, s);
      if (a === null || b === null) return false;
      return e.fn === "contains" ? a.includes(b) : e.fn === "startswith" ? a.startsWith(b) : a.endsWith(b);
    }
  }
}

const subjectArb: fc.Arbitrary<FilterSubject> = fc.record({
  id: fc.constantFrom("c1", "a", "ab"),
  userId: fc.option(word, { nil: null }),
  groups: fc.option(
    fc.uniqueArray(word, { maxLength: 3 }).map((g) => new Set(g)),
    { nil: null },
  ),
});

describe("OData filter properties", () => {
  it("the compiled filter agrees with a reference evaluation on random expressions and subjects", () => {
    fc.assert(
      fc.property(boolArb(4), fc.array(subjectArb, { minLength: 1, maxLength: 4 }), (expr, subjects) => {
        const text = rb(expr);
        const f = compileFilter(text);
        for (const s of subjects)
          expect(f(s), `${text} on ${JSON.stringify({ ...s, groups: [...(s.groups ?? [])] })}`).toBe(eb(expr, s));
      }),
      { numRuns: 400 },
    );
  });

  it("keyword case and extra whitespace do not change the meaning", () => {
    fc.assert(
      fc.property(boolArb(3), subjectArb, (expr, s) => {
        const text = rb(expr);
        // rewrite only outside string literals
        const outside = (f: (part: string) => string) =>
          text
            .split(/('(?:[^']|'')*')/)
            .map((part, i) => (i % 2 === 1 ? part : f(part)))
            .join("");
        const shouted = outside((p) =>
          p.replace(/\b(and|or|not|eq|ne|gt|ge|lt|le|in|groups|userId|true|false|null)\b/g, (w) => w.toUpperCase()),
        );
        const spaced = outside((p) => p.replace(/ /g, "   "));
        expect(compileFilter(shouted)(s)).toBe(eb(expr, s));
        expect(compileFilter(spaced)(s)).toBe(eb(expr, s));
      }),
      { numRuns: 150 },
    );
  });

  it("arbitrary input either compiles or fails with a FilterError whose position lies within the text", () => {
    const alphabet = fc.constantFrom(
      ..."abeglnoqrstuxyIdN()', 0123-".split(""),
      " eq ",
      " and ",
      " in ",
      "groups",
      "userId",
      "'x'",
    );
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 20 }).map((a) => a.join("")),
        (text) => {
          try {
            const f = compileFilter(text);
            expect(typeof f(alice)).toBe("boolean");
          } catch (e) {
            expect(e).toBeInstanceOf(FilterError);
            const pos = (e as FilterError).position;
            expect(pos).toBeGreaterThanOrEqual(0);
            expect(pos).toBeLessThanOrEqual(text.length);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
