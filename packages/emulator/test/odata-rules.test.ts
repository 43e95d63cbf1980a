// The OData filter compiler's rules one by one: the exact error (kind, position, message) of each syntax and type
// rule, how null and missing values behave in each function, which operand types each operator takes, and the limits
// that bound the work per filter (length, tokens, nodes, nesting), each tested on both sides of its boundary.
import { describe, expect, it } from "vitest";
import { compileFilter, type FilterSubject } from "../src/odata/index.ts";
import { MAX_FILTER_LENGTH, MAX_TOKENS } from "../src/odata/lexer.ts";
import { MAX_DEPTH, MAX_NODES } from "../src/odata/parser.ts";
import { errorOf } from "./helpers/filter-error.ts";

const alice: FilterSubject = {
  id: "c1",
  userId: "alice",
  groups: new Set(["group1"]),
  subprotocol: "json.webpubsub.azure.v1",
};
const anon: FilterSubject = { id: "c2", userId: null, groups: null };

const matches = (filter: string, s: FilterSubject = alice) => compileFilter(filter)(s);

const joined = (term: string, op: string, n: number) => Array.from({ length: n }, () => term).join(` ${op} `);

describe("syntax errors: kind, position and message", () => {
  it.each([
    ["", 0, "The filter is empty at position 0"],
    [" \t ", 0, "The filter is empty at position 0"],
    ["userId eq", 9, "Syntax error at position 9"],
    ["userId eq 'x')", 13, "Syntax error at position 13"],
    ["(userId eq 'x'", 14, "Syntax error at position 14: ')' expected"],
    ["tolower(userId", 14, "Syntax error at position 14: ')' expected"],
    ["(true (", 6, "Syntax error at position 6"],
    ["userId eq 'x", 10, "Unterminated string literal at position 10"],
    ["userId eq 'it''s", 10, "Unterminated string literal at position 10"],
    ["12abc eq 1", 0, 'Invalid number literal "12a" at position 0'],
    ["length(userId) eq -3x", 18, 'Invalid number literal "-3x" at position 18'],
    ["9007199254740992 eq 1", 0, "Integer literal out of range at position 0"],
    ["userId # 'x'", 7, "Unexpected character '#' at position 7"],
    ["userId eq 'a' -", 14, "Unexpected character '-' at position 14"],
    ["userId like 'x' and true", 7, 'Unknown operator "like" at position 7'],
    ["(userId like 'x')", 8, 'Unknown operator "like" at position 8'],
    ["true like", 9, "Syntax error at position 9"],
  ] as const)("%j -> %s", (filter, position, message) => {
    const e = errorOf(filter);
    expect(e).toMatchObject({ name: "FilterError", kind: "syntax", position, message });
  });

  it("quotes a word through core's shown(): a 10,000-character one by its first 64 characters, a short one whole", () => {
    const long = `x${"y".repeat(63)}${"Z".repeat(9_936)}`;
    const e = errorOf(`userId ${long} 'a'`);
    expect(e.message).toBe(`Unknown operator "x${"y".repeat(63)}"... at position 7`);
    expect(e.message).not.toContain("Z");
    const exact = `x${"y".repeat(63)}`;
    expect(errorOf(`userId ${exact} 'a'`).message).toBe(`Unknown operator "${exact}" at position 7`);
  });
});

describe("type errors: kind, position and message", () => {
  it.each([
    ["tolower(1) eq 'x'", 8, "Function 'tolower' expects a string argument, got int"],
    ["toupper(true) eq 'x'", 8, "Function 'toupper' expects a string argument, got bool"],
    ["trim(groups) eq 'x'", 5, "Function 'trim' expects a string argument, got collection"],
    ["tolower(userId, 'x') eq 'x'", 0, "Function 'tolower' takes 1 argument(s), got 2"],
    ["tolower() eq 'x'", 0, "Function 'tolower' takes 1 argument(s), got 0"],
    ["substring(userId) eq 'x'", 0, "Function 'substring' takes 2 or 3 argument(s), got 1"],
    ["substring(userId, 1, 2, 3) eq 'x'", 0, "Function 'substring' takes 2 or 3 argument(s), got 4"],
    ["substring(1, 1) eq 'x'", 10, "Function 'substring' expects a string argument, got int"],
    ["substring(userId, 'a') eq 'x'", 18, "Function 'substring' expects an integer argument, got string"],
    ["substring(userId, true) eq 'x'", 18, "Function 'substring' expects an integer argument, got bool"],
    ["substring(userId, 1, 'a') eq 'x'", 21, "Function 'substring' expects an integer argument, got string"],
    ["concat(userId) eq 'x'", 0, "Function 'concat' takes 2 argument(s), got 1"],
    ["concat(1, userId) eq 'x'", 7, "Function 'concat' expects a string argument, got int"],
    ["concat(userId, 1) eq 'x'", 15, "Function 'concat' expects a string argument, got int"],
    ["contains(userId)", 0, "Function 'contains' takes 2 argument(s), got 1"],
    ["contains(1, 'a')", 9, "Function 'contains' expects a string argument, got int"],
    ["endswith(userId, 1)", 17, "Function 'endswith' expects a string argument, got int"],
    ["indexof(userId) eq 1", 0, "Function 'indexof' takes 2 argument(s), got 1"],
    ["indexof(1, 'a') eq 1", 8, "Function 'indexof' expects a string argument, got int"],
    ["indexof(userId, 1) eq 1", 16, "Function 'indexof' expects a string argument, got int"],
    ["length(userId, 'a') eq 1", 0, "Function 'length' takes 1 argument(s), got 2"],
    ["length(1) eq 1", 7, "Function 'length' expects a string or a collection, got int"],
    ["length(true) eq 1", 7, "Function 'length' expects a string or a collection, got bool"],
    ["frobnicate(userId)", 0, 'Unknown function "frobnicate"'],
    ["nobody eq 'x'", 0, 'Unknown property "nobody" (use userId, connectionId, groups or protocol)'],
    ["x1 eq 1", 0, 'Unknown property "x1" (use userId, connectionId, groups or protocol)'],
    ["('a','b') eq userId", 0, "A parenthesized list is only allowed on the right of 'in'"],
    ["not 1", 0, "'not' expects a boolean operand, got int"],
    ["1 and true", 0, "'and' expects boolean operands, got int"],
    ["true or 'a'", 8, "'or' expects boolean operands, got string"],
    ["groups eq 'a'", 7, "Cannot compare collection with string using 'eq'"],
    ["groups ne groups", 7, "Cannot compare collection with collection using 'ne'"],
    ["groups eq null", 7, "Cannot compare collection with null using 'eq'"],
    ["null eq groups", 5, "Cannot compare null with collection using 'eq'"],
    ["userId eq 1", 7, "Cannot compare string with int using 'eq'"],
    ["true eq 'true'", 5, "Cannot compare bool with string using 'eq'"],
    ["userId gt 'a'", 7, "'gt' compares integers only, got string and string"],
    ["'a' ge 1", 4, "'ge' compares integers only, got string and int"],
    ["1 lt 'a'", 2, "'lt' compares integers only, got int and string"],
    ["groups in ('a')", 0, "The left side of 'in' must be a single value, got collection"],
    ["'a' in ('b', groups)", 13, "A list for 'in' holds single values"],
    ["'a' in userId", 7, "The right side of 'in' must be a list or 'groups', got string"],
    ["'a' in 'a'", 7, "The right side of 'in' must be a list or 'groups', got string"],
    ["userId", 0, "The filter must be a boolean expression, got string"],
    ["length(groups)", 0, "The filter must be a boolean expression, got int"],
  ] as const)("%j -> %s", (filter, position, message) => {
    const e = errorOf(filter);
    expect(e).toMatchObject({ kind: "type", position, message: `${message} at position ${position}` });
  });

  it("refuses a filter that is not a string with a TypeError", () => {
    expect(() => compileFilter(42 as unknown as string)).toThrow(new TypeError("filter must be a string."));
  });
});

describe("values and operators", () => {
  it("protocol is the connection's subprotocol, and null for a connection without one", () => {
    expect(matches("protocol eq 'json.webpubsub.azure.v1'")).toBe(true);
    expect(matches("protocol eq null")).toBe(false);
    expect(matches("protocol eq null", anon)).toBe(true);
    expect(matches("protocol ne null", anon)).toBe(false);
  });

  it("white space between tokens may be spaces, tabs, carriage returns or line feeds", () => {
    expect(matches("userId\teq\n'alice'\rand\r\ntrue")).toBe(true);
  });

  it("reads signed integer literals", () => {
    expect(matches("length(userId) eq +5")).toBe(true);
    expect(matches("length(userId) eq -5")).toBe(false);
    expect(matches("-1 lt +1")).toBe(true);
    expect(matches("9007199254740991 eq 9007199254740991")).toBe(true);
    expect(matches("-9007199254740991 lt 0")).toBe(true);
  });

  it("compares integers on both sides of each ordering boundary; null is never ordered", () => {
    expect([matches("1 gt 1"), matches("2 gt 1"), matches("1 ge 1"), matches("0 ge 1")]).toEqual([
      false,
      true,
      true,
      false,
    ]);
    expect([matches("1 lt 1"), matches("0 lt 1"), matches("1 le 1"), matches("2 le 1")]).toEqual([
      false,
      true,
      true,
      false,
    ]);
    expect([matches("1 lt null"), matches("null ge 1"), matches("null le null")]).toEqual([false, false, false]);
    // null is not 0: a positive number is not greater than null, and 0 is not "at least" null
    expect([matches("1 gt null"), matches("0 ge null"), matches("null lt 1"), matches("null le 0")]).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it("compares values of one type, or with null", () => {
    expect(matches("true eq true")).toBe(true);
    expect(matches("true ne false")).toBe(true);
    expect(matches("1 eq null")).toBe(false);
    expect(matches("null ne 'a'")).toBe(true);
  });

  it("substring with a null start or length is null", () => {
    expect(matches("substring('abc', null) eq null")).toBe(true);
    expect(matches("substring('abc', 1, null) eq null")).toBe(true);
    expect(matches("substring('abc', 1, 1) eq 'b'")).toBe(true);
  });

  it("a null argument makes contains, startswith and endswith false and indexof -1, whatever the text holds", () => {
    expect(matches("contains('xnullx', null)")).toBe(false);
    expect(matches("startswith('null', null)")).toBe(false);
    expect(matches("endswith(null, 'null')")).toBe(false);
    expect(matches("indexof('anull', null) eq -1")).toBe(true);
    expect(matches("indexof(null, 'null') eq -1")).toBe(true);
    expect(matches("indexof('anull', 'null') eq 1")).toBe(true);
  });

  it("length of null is null; of a string its length; of groups their count", () => {
    expect(matches("length(null) eq null")).toBe(true);
    expect(matches("length(userId) eq null", anon)).toBe(true);
    expect(matches("length(groups) eq 0", anon)).toBe(true);
    expect(matches("length(groups) eq 1")).toBe(true);
  });

  it("'in' takes integers, booleans and null on the left, and single values in the list", () => {
    expect(matches("1 in (2, 1)")).toBe(true);
    expect(matches("3 in (2, 1)")).toBe(false);
    expect(matches("true in (false, true)")).toBe(true);
    expect(matches("null in ('a', null)")).toBe(true);
    expect(matches("userId in ('x', null)", anon)).toBe(true);
  });

  it("a parenthesized single value on the right of 'in' is a one-item list; parenthesized groups stay groups", () => {
    expect(matches("1 in (1)")).toBe(true);
    expect(matches("true in (false)")).toBe(false);
    expect(matches("null in (null)")).toBe(true);
    expect(matches("'group1' in (groups)")).toBe(true);
    expect(matches("'group2' in (groups)")).toBe(false);
  });
});

describe("limits", () => {
  it(`accepts a filter of ${MAX_FILTER_LENGTH} characters and refuses a longer one before reading it`, () => {
    const padded = (n: number) => `true${" ".repeat(n - 4)}`;
    expect(matches(padded(MAX_FILTER_LENGTH))).toBe(true);
    const e = errorOf(padded(MAX_FILTER_LENGTH + 1));
    expect(e).toMatchObject({
      kind: "syntax",
      position: MAX_FILTER_LENGTH,
      message: `Filter is too long (${MAX_FILTER_LENGTH + 1} characters; at most ${MAX_FILTER_LENGTH}) at position ${MAX_FILTER_LENGTH}`,
    });
  });

  it(`reads ${MAX_TOKENS} tokens and refuses one more`, () => {
    // the parser refuses such deep nesting later, with its own message
    expect(errorOf("(".repeat(MAX_TOKENS)).message).toMatch(/nested too deeply/);
    const e = errorOf("(".repeat(MAX_TOKENS + 1));
    expect(e).toMatchObject({
      kind: "syntax",
      position: MAX_TOKENS,
      message: `Filter is too complex (more than ${MAX_TOKENS} tokens) at position ${MAX_TOKENS}`,
    });
  });

  it(`accepts ${MAX_NODES} nodes and refuses more, counting every kind of node`, () => {
    const tooComplex = new RegExp(`^Filter is too complex \\(more than ${MAX_NODES} nodes\\) at position \\d+$`);
    // 'not true' joined by 'or': 3 nodes per term, less one
    expect(matches(joined("not true", "or", 667))).toBe(false);
    for (const filter of [
      joined("not true", "or", 668),
      joined("true", "or", 1001), // 2001 nodes: literals and 'or'
      joined("true", "and", 1001), // literals and 'and'
      joined("1 eq 1", "and", 501), // comparisons
      joined("'a' in groups", "and", 501), // 'in'
    ]) {
      const e = errorOf(filter);
      expect(e.kind).toBe("syntax");
      expect(e.message).toMatch(tooComplex);
    }
    expect(matches(joined("true", "or", 1000))).toBe(true);
    expect(matches(joined("1 eq 1", "and", 500))).toBe(true);
    expect(matches(joined("'a' in groups", "and", 500))).toBe(false);
  });

  it(`accepts ${MAX_DEPTH} levels of nesting and refuses more, for parentheses, 'not' and calls`, () => {
    const deep = /^Filter is nested too deeply \(more than 100 levels\) at position \d+$/;
    const parens = (n: number) => `${"(".repeat(n)}true${")".repeat(n)}`;
    const nots = (n: number) => `${"not ".repeat(n)}true`;
    const calls = (n: number) => `${"tolower(".repeat(n)}userId${")".repeat(n)} eq 'alice'`;
    expect(matches(parens(MAX_DEPTH))).toBe(true);
    expect(matches(nots(MAX_DEPTH))).toBe(true);
    expect(matches(calls(MAX_DEPTH))).toBe(true);
    expect(errorOf(parens(MAX_DEPTH + 1)).message).toMatch(deep);
    expect(errorOf(nots(MAX_DEPTH + 1)).message).toMatch(deep);
    expect(errorOf(calls(MAX_DEPTH + 1)).message).toMatch(deep);
  });

  it("nesting depth is counted per level, not per expression: many closed groups side by side are fine", () => {
    const n = MAX_DEPTH + 20;
    expect(matches(joined("(true)", "and", n))).toBe(true);
    expect(matches(joined("not false", "and", n))).toBe(true);
    expect(matches(joined("userId in ('alice', 'bob')", "and", n))).toBe(true);
    expect(matches(joined("contains(userId, 'li')", "and", n))).toBe(true);
  });
});
