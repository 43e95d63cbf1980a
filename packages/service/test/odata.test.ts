// The odata tagged template: the shared vectors, quoting and escaping, and values that have no OData literal.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { odata } from "../src/index.ts";
import { fixturePath } from "./helpers/fixtures.ts";

/** The vectors write their values as JavaScript literals: null, numbers, "..." or '...' strings. */
function jsLiteral(text: string): unknown {
  const t = text.trim();
  if (t === "null") return null;
  if (t === "undefined") return undefined;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  const quote = t[0];
  if ((quote === '"' || quote === "'") && t.endsWith(quote)) return t.slice(1, -1);
  throw new Error(`unsupported literal in vector: ${t}`);
}

describe("odata", () => {
  const vectorsFile = fixturePath("vectors.json");
  it("renders every vector from vectors.json", () => {
    const vectors = JSON.parse(readFileSync(vectorsFile, "utf8")).odata as { template: string; expected: string }[];
    expect(vectors.length).toBeGreaterThan(0);
    for (const { template, expected } of vectors) {
      // Rebuild the template: split at ${...} and evaluate each expression literal.
      const parts = template.split(/\$\{(.*?)\}/);
      const strings: string[] = [];
      const values: unknown[] = [];
      for (const [i, part] of parts.entries()) {
        if (i % 2 === 0) strings.push(part);
        else values.push(jsLiteral(part));
      }
      const raw = Object.assign([...strings], { raw: [...strings] }) as unknown as TemplateStringsArray;
      expect(odata(raw, ...(values as never[]))).toBe(expected);
    }
  });

  it("quotes strings and doubles single quotes", () => {
    expect(odata`userId eq ${"vic's"}`).toBe("userId eq 'vic''s'");
    expect(odata`${"a'); drop"} in groups`).toBe("'a''); drop' in groups");
  });

  it("writes null, undefined, numbers, booleans and lists", () => {
    expect(odata`userId eq ${null} or userId eq ${undefined}`).toBe("userId eq null or userId eq null");
    expect(odata`length(userId) gt ${3} and x eq ${-1.5} and y eq ${true}`).toBe(
      "length(userId) gt 3 and x eq -1.5 and y eq true",
    );
    expect(odata`userId in ${["a", "b'c"]}`).toBe("userId in ('a','b''c')");
  });

  it("only escapes a value the template already quotes", () => {
    expect(odata`userId eq '${"o'neil"}'`).toBe("userId eq 'o''neil'");
  });

  // Rule: whether a value is inside a string literal is told by the template's quotes before it (an odd count:
  // inside), so a value placed in a literal among other text cannot close it and add to the filter.
  it("only escapes a value inside a template literal with other text around it, so it cannot leave the literal", () => {
    const input = " or 1 eq 1 or ";
    expect(odata`userId eq 'user-${input}'`).toBe("userId eq 'user- or 1 eq 1 or '");
    expect(odata`userId eq '${input}-suffix'`).toBe("userId eq ' or 1 eq 1 or -suffix'");
    expect(odata`userId eq '${"a"}${input}'`).toBe("userId eq 'a or 1 eq 1 or '");
    // an escaped quote of the template ('') does not end the literal
    expect(odata`userId eq 'it''s ${"vic's"}'`).toBe("userId eq 'it''s vic''s'");
    expect(() => odata`userId eq 'user-${5}'`).toThrow(/value 0 is inside quotes/);
  });

  it("quotes a value after a closed template literal: it is outside the literal", () => {
    expect(odata`userId eq 'a' or userId eq ${"b c"}`).toBe("userId eq 'a' or userId eq 'b c'");
    expect(odata`userId eq 'it''s' or userId eq ${"x"}`).toBe("userId eq 'it''s' or userId eq 'x'");
    expect(odata`'${"a"}' eq userId or ${"b"} in groups`).toBe("'a' eq userId or 'b' in groups");
    expect(odata`x eq ${5} or y eq '${"z"}' or w eq ${null}`).toBe("x eq 5 or y eq 'z' or w eq null");
  });

  it("writes a bigint by all its digits, beyond the integers a number holds exactly", () => {
    expect(odata`x eq ${10n}`).toBe("x eq 10");
    expect(odata`x eq ${2n ** 70n} or y eq ${-1n}`).toBe("x eq 1180591620717411303424 or y eq -1");
  });

  it("refuses NaN and infinities, naming the value's position and what it was", () => {
    expect(() => odata`x eq ${1} or y eq ${Number.NaN}`).toThrow(
      new TypeError("odata value 1 must be a finite number, got NaN."),
    );
    expect(() => odata`x eq ${Number.POSITIVE_INFINITY}`).toThrow(
      "odata value 0 must be a finite number, got Infinity.",
    );
  });

  it("rejects values that have no OData literal", () => {
    expect(() => odata`x eq ${Number.NaN}`).toThrow(TypeError);
    expect(() => odata`x eq ${{} as never}`).toThrow(/value 0/);
    expect(() => odata`x in ${[]}`).toThrow(/empty array/);
    expect(() => odata`x eq '${5}'`).toThrow(/must be a string/);
  });
});
