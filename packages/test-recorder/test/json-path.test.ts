// The JSONPath subset of jsonPath sanitizers: what each selector reaches (and what it leaves alone), how many values
// are replaced, and the syntax errors, each naming its position.
import { describe, expect, it } from "vitest";
import type { JsonValue } from "../src/index.ts";
import { compileJsonPath, replaceAtJsonPath } from "../src/json-path.ts";

/** Replaces what `path` selects in a copy of `doc` with "X": the count and the copy. */
function run(path: string, doc: JsonValue): { n: number; doc: JsonValue } {
  const copy = structuredClone(doc);
  const n = replaceAtJsonPath(copy, compileJsonPath(path), "X");
  return { n, doc: copy };
}

describe("selectors", () => {
  it("a name selects that own key of an object, and nothing in arrays or scalars", () => {
    expect(run("$.a", { a: 1, b: 2 })).toEqual({ n: 1, doc: { a: "X", b: 2 } });
    expect(run("$.a", [{ a: 1 }])).toEqual({ n: 0, doc: [{ a: 1 }] });
    expect(run("$.a.b", { a: "text" })).toEqual({ n: 0, doc: { a: "text" } });
    expect(run("$.a.b", { a: null })).toEqual({ n: 0, doc: { a: null } });
    // nothing inside a string, not even its length or its characters
    expect(run("$.a.length", { a: "text" })).toEqual({ n: 0, doc: { a: "text" } });
    expect(run("$.a.0", { a: "text" })).toEqual({ n: 0, doc: { a: "text" } });
    // own keys only: a prototype member is not a key of the document
    expect(run("$.toString", { a: 1 })).toEqual({ n: 0, doc: { a: 1 } });
    // an array's index is no key
    expect(run("$.0", ["v"])).toEqual({ n: 0, doc: ["v"] });
    expect(run("$.length", ["v"])).toEqual({ n: 0, doc: ["v"] });
  });

  it("a quoted name in brackets reaches keys with any characters", () => {
    expect(run("$['a b']", { "a b": 1 })).toEqual({ n: 1, doc: { "a b": "X" } });
    expect(run('$["a.b"]', { "a.b": 1, a: { b: 2 } })).toEqual({ n: 1, doc: { "a.b": "X", a: { b: 2 } } });
    expect(run("$[ 'k' ]", { k: 1 })).toEqual({ n: 1, doc: { k: "X" } });
    expect(run("$['']", { "": 1 })).toEqual({ n: 1, doc: { "": "X" } });
  });

  it("an index selects that element of an array only, below its length", () => {
    expect(run("$[1]", ["a", "b", "c"])).toEqual({ n: 1, doc: ["a", "X", "c"] });
    expect(run("$[2]", ["a", "b", "c"])).toEqual({ n: 1, doc: ["a", "b", "X"] });
    expect(run("$[3]", ["a", "b", "c"])).toEqual({ n: 0, doc: ["a", "b", "c"] });
    expect(run("$[0]", { 0: "v" })).toEqual({ n: 0, doc: { 0: "v" } });
    expect(run("$.a[0]", { a: [[1]] })).toEqual({ n: 1, doc: { a: ["X"] } });
    const eleven = Array.from({ length: 11 }, (_, i) => i);
    expect(run("$[10]", eleven)).toEqual({ n: 1, doc: [...eleven.slice(0, 10), "X"] });
  });

  it("a wildcard selects every element or member, and nothing in a scalar", () => {
    expect(run("$[*]", [1, 2])).toEqual({ n: 2, doc: ["X", "X"] });
    expect(run("$.*", { a: 1, b: { c: 2 } })).toEqual({ n: 2, doc: { a: "X", b: "X" } });
    expect(run("$.a.*", { a: 5 })).toEqual({ n: 0, doc: { a: 5 } });
    expect(run("$.a[*]", { a: null })).toEqual({ n: 0, doc: { a: null } });
  });

  it("a descendant name selects the key at every depth, the starting node included", () => {
    const doc: JsonValue = { token: 1, a: { token: 2, b: [{ token: 3 }, { other: 4 }] } };
    expect(run("$..token", doc)).toEqual({
      n: 3,
      doc: { token: "X", a: { token: "X", b: [{ token: "X" }, { other: 4 }] } },
    });
    expect(run("$.a..token", doc)).toEqual({
      n: 2,
      doc: { token: 1, a: { token: "X", b: [{ token: "X" }, { other: 4 }] } },
    });
    expect(run("$..[0]", { a: [1, [2]] })).toEqual({ n: 2, doc: { a: ["X", ["X"]] } });
    expect(run("$..*", { a: { b: 1 } }).n).toBe(2);
  });

  it("a path of just $ selects nothing: the root cannot be replaced in place", () => {
    expect(run("$", { a: 1 })).toEqual({ n: 0, doc: { a: 1 } });
  });

  it("the replacement is the given value", () => {
    const doc: JsonValue = { a: 1 };
    expect(replaceAtJsonPath(doc, compileJsonPath("$.a"), { kept: true })).toBe(1);
    expect(doc).toEqual({ a: { kept: true } });
  });
});

describe("syntax", () => {
  it("keeps the source and one segment per selector", () => {
    const path = compileJsonPath("$.a..b[0]['c'][*].*");
    expect(path.source).toBe("$.a..b[0]['c'][*].*");
    expect(path.segments).toEqual([
      { descendant: false, selector: { kind: "key", key: "a" } },
      { descendant: true, selector: { kind: "key", key: "b" } },
      { descendant: false, selector: { kind: "index", index: 0 } },
      { descendant: false, selector: { kind: "key", key: "c" } },
      { descendant: false, selector: { kind: "wildcard" } },
      { descendant: false, selector: { kind: "wildcard" } },
    ]);
    expect(compileJsonPath("$").segments).toEqual([]);
  });

  it("refuses a path that is no string or does not start with $", () => {
    expect(() => compileJsonPath("a.b")).toThrow(
      new TypeError('jsonPath must be a string starting with "$" (got "a.b")'),
    );
    expect(() => compileJsonPath(".$")).toThrow(TypeError);
    expect(() => compileJsonPath(5 as unknown as string)).toThrow(
      new TypeError('jsonPath must be a string starting with "$" (got 5)'),
    );
  });

  it("names the position of each syntax error", () => {
    expect(() => compileJsonPath("$a")).toThrow(
      new TypeError('jsonPath "$a": expected ".", ".." or "[" at position 1'),
    );
    expect(() => compileJsonPath("$.a]")).toThrow(
      new TypeError('jsonPath "$.a]": expected ".", ".." or "[" at position 3'),
    );
    expect(() => compileJsonPath("$[0")).toThrow(new TypeError('jsonPath "$[0": missing "]" at position 1'));
    expect(() => compileJsonPath("$.")).toThrow(new TypeError('jsonPath "$.": expected a property name at position 2'));
    expect(() => compileJsonPath("$..")).toThrow(
      new TypeError('jsonPath "$..": expected a property name at position 3'),
    );
    expect(() => compileJsonPath("$.]")).toThrow(
      new TypeError('jsonPath "$.]": expected a property name at position 2'),
    );
    expect(() => compileJsonPath("$[-1]")).toThrow(
      new TypeError('jsonPath "$[-1]": unsupported selector "[-1]" at position 5'),
    );
    expect(() => compileJsonPath("$['a]")).toThrow(/unsupported selector "\['a\]"/);
    expect(() => compileJsonPath("$[a]")).toThrow(/unsupported selector "\[a\]"/);
    expect(() => compileJsonPath("$[1a]")).toThrow(/unsupported selector "\[1a\]"/);
    expect(() => compileJsonPath("$[a1]")).toThrow(/unsupported selector "\[a1\]"/);
    expect(() => compileJsonPath("$['a'x]")).toThrow(/unsupported selector/);
    expect(() => compileJsonPath("$[x'a']")).toThrow(/unsupported selector/);
    expect(() => compileJsonPath('$[x"a"]')).toThrow(/unsupported selector/);
    expect(() => compileJsonPath('$["a"x]')).toThrow(/unsupported selector/);
    expect(() => compileJsonPath("$.]a")).toThrow(
      new TypeError('jsonPath "$.]a": expected a property name at position 2'),
    );
  });
});
