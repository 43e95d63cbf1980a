// The OData functions a filter may call (protocol.md 2.4): what each takes and gives, and the evaluator it builds
// from its compiled arguments. compile.ts checks the arguments against `params` and calls `make`.
import type { Compiled, Eval, Type, Value } from "./types.ts";

/** What an argument must be: a string, an integer, or something with a length (a string or a collection). */
export type Param = "string" | "int" | "sized";

export interface ODataFunction {
  /** The parameters in order; the ones after the first `required` may be left out. */
  readonly params: readonly Param[];
  readonly required: number;
  readonly result: Type;
  /** The function's evaluator over the (already type-checked) compiled arguments. */
  make(args: readonly Compiled[]): Eval;
}

/** An argument's value as a string, or null (null, and any other value, where a string was checked for). */
export function str(v: Value): string | null {
  return typeof v === "string" ? v : null;
}

/** string -> string; null stays null. */
function mapText(f: (x: string) => string): ODataFunction {
  return {
    params: ["string"],
    required: 1,
    result: "string",
    make:
      ([a]) =>
      (s) => {
        const x = str(a!.run(s));
        return x === null ? null : f(x);
      },
  };
}

/** (string, string) -> `result`; `ifNull` when either argument is null. */
function twoTexts<T extends Value>(result: Type, ifNull: T | null, f: (x: string, y: string) => T): ODataFunction {
  return {
    params: ["string", "string"],
    required: 2,
    result,
    make:
      ([a, b]) =>
      (s) => {
        const x = str(a!.run(s));
        const y = str(b!.run(s));
        return x === null || y === null ? ifNull : f(x, y);
      },
  };
}

/** `substring(text, start[, length])`: positions are clamped to the text; a null argument gives null. */
const substring: ODataFunction = {
  params: ["string", "int", "int"],
  required: 2,
  result: "string",
  make:
    ([a, b, c]) =>
    (s) => {
      const x = str(a!.run(s));
      const i = b!.run(s);
      const n = c === undefined ? undefined : c.run(s);
      if (x === null || typeof i !== "number" || n === null) return null;
      const start = Math.min(Math.max(i, 0), x.length);
      const end = typeof n === "number" ? Math.min(Math.max(start + n, start), x.length) : x.length;
      return x.slice(start, end);
    },
};

export const FUNCTIONS: Readonly<Record<string, ODataFunction>> = {
  tolower: mapText((x) => x.toLowerCase()),
  toupper: mapText((x) => x.toUpperCase()),
  trim: mapText((x) => x.trim()),
  substring,
  concat: twoTexts("string", null, (x, y) => x + y),
  contains: twoTexts("bool", false, (x, y) => x.includes(y)),
  startswith: twoTexts("bool", false, (x, y) => x.startsWith(y)),
  endswith: twoTexts("bool", false, (x, y) => x.endsWith(y)),
  indexof: twoTexts("int", -1, (x, y) => x.indexOf(y)),
  length: {
    params: ["sized"],
    required: 1,
    result: "int",
    make:
      ([a]) =>
      (s) => {
        const x = a!.run(s);
        if (typeof x === "string") return x.length;
        if (x instanceof Set) return x.size;
        return null;
      },
  },
};
