// Type-checks a parsed filter and compiles it into a predicate over connections (protocol.md 2.4 semantics). The
// functions a filter may call are in functions.ts.
import { FUNCTIONS, type Param } from "./functions.ts";
import { FilterError, quote } from "./lexer.ts";
import { type Node, parseFilter } from "./parser.ts";
import type { Compiled, FilterSubject, Type } from "./types.ts";

export type { FilterSubject } from "./types.ts";

type NodeOf<T extends Node["t"]> = Extract<Node, { t: T }>;

const NO_GROUPS: ReadonlySet<string> = new Set();

const PROPS: Record<string, Compiled> = {
  userid: { type: "string", run: (s) => s.userId },
  connectionid: { type: "string", run: (s) => s.id },
  groups: { type: "collection", run: (s) => s.groups ?? NO_GROUPS },
  protocol: { type: "string", run: (s) => s.subprotocol ?? null },
};

function typeError(message: string, pos: number): never {
  throw new FilterError("type", `${message} at position ${pos}`, pos);
}

/** A value that is one item: what `eq`, `ne` and `in` compare. */
function isSingle(t: Type): boolean {
  return t === "string" || t === "int" || t === "bool" || t === "null";
}

/** Why an argument of type `t` does not fit the parameter, or undefined when it does. */
function misfit(param: Param, t: Type): string | undefined {
  switch (param) {
    case "string":
      return t === "string" || t === "null" ? undefined : "a string argument";
    case "int":
      return t === "int" || t === "null" ? undefined : "an integer argument";
    case "sized":
      return t === "string" || t === "null" || t === "collection" ? undefined : "a string or a collection";
  }
}

function compileCall(node: NodeOf<"call">): Compiled {
  const args = node.args.map(compile);
  const fn = Object.hasOwn(FUNCTIONS, node.fn) ? FUNCTIONS[node.fn] : undefined;
  if (fn === undefined) return typeError(`Unknown function ${quote(node.fn)}`, node.pos);
  const { required, params } = fn;
  if (args.length < required || args.length > params.length) {
    const want = required === params.length ? `${required}` : `${required} or ${params.length}`;
    typeError(`Function '${node.fn}' takes ${want} argument(s), got ${args.length}`, node.pos);
  }
  for (const [i, arg] of args.entries()) {
    const wanted = misfit(params[i]!, arg.type);
    if (wanted !== undefined) typeError(`Function '${node.fn}' expects ${wanted}, got ${arg.type}`, node.args[i]!.pos);
  }
  return { type: fn.result, run: fn.make(args) };
}

function compileLogical(node: NodeOf<"and" | "or">): Compiled {
  const l = compile(node.l);
  const r = compile(node.r);
  if (l.type !== "bool") typeError(`'${node.t}' expects boolean operands, got ${l.type}`, node.l.pos);
  if (r.type !== "bool") typeError(`'${node.t}' expects boolean operands, got ${r.type}`, node.r.pos);
  return node.t === "and"
    ? { type: "bool", run: (s) => (l.run(s) as boolean) && (r.run(s) as boolean) }
    : { type: "bool", run: (s) => (l.run(s) as boolean) || (r.run(s) as boolean) };
}

const ORDER: Record<string, (x: number, y: number) => boolean> = {
  gt: (x, y) => x > y,
  ge: (x, y) => x >= y,
  lt: (x, y) => x < y,
  le: (x, y) => x <= y,
};

function compileComparison(node: NodeOf<"cmp">): Compiled {
  const l = compile(node.l);
  const r = compile(node.r);
  if (node.op === "eq" || node.op === "ne") {
    if (!isSingle(l.type) || !isSingle(r.type) || (l.type !== r.type && l.type !== "null" && r.type !== "null")) {
      typeError(`Cannot compare ${l.type} with ${r.type} using '${node.op}'`, node.pos);
    }
    return node.op === "eq"
      ? { type: "bool", run: (s) => l.run(s) === r.run(s) }
      : { type: "bool", run: (s) => l.run(s) !== r.run(s) };
  }
  const num = (t: Type) => t === "int" || t === "null";
  if (!num(l.type) || !num(r.type)) {
    typeError(`'${node.op}' compares integers only, got ${l.type} and ${r.type}`, node.pos);
  }
  const order = ORDER[node.op]!;
  return {
    type: "bool",
    run: (s) => {
      const x = l.run(s);
      const y = r.run(s);
      return typeof x === "number" && typeof y === "number" && order(x, y);
    },
  };
}

function compileIn(node: NodeOf<"in">): Compiled {
  const l = compile(node.l);
  if (!isSingle(l.type)) typeError(`The left side of 'in' must be a single value, got ${l.type}`, node.l.pos);
  if (node.r.t === "list") {
    const items = node.r.items.map(compile);
    for (const [k, it] of items.entries()) {
      if (it.type === "collection" || it.type === "list") {
        typeError("A list for 'in' holds single values", node.r.items[k]!.pos);
      }
    }
    return {
      type: "bool",
      run: (s) => {
        const x = l.run(s);
        for (const it of items) if (it.run(s) === x) return true;
        return false;
      },
    };
  }
  const r = compile(node.r);
  if (node.r.paren === true && isSingle(r.type)) {
    // `x in ('a')`: a one-item list is indistinguishable from a parenthesized value
    return { type: "bool", run: (s) => l.run(s) === r.run(s) };
  }
  if (r.type !== "collection") {
    typeError(`The right side of 'in' must be a list or 'groups', got ${r.type}`, node.r.pos);
  }
  return {
    type: "bool",
    run: (s) => {
      const x = l.run(s);
      return typeof x === "string" && (r.run(s) as ReadonlySet<string>).has(x);
    },
  };
}

function compileProperty(node: NodeOf<"prop">): Compiled {
  const p = PROPS[node.name.toLowerCase()];
  if (p !== undefined) return p;
  return typeError(`Unknown property ${quote(node.name)} (use userId, connectionId, groups or protocol)`, node.pos);
}

function compile(node: Node): Compiled {
  switch (node.t) {
    case "lit": {
      const v = node.v;
      const type: Type =
        v === null ? "null" : typeof v === "string" ? "string" : typeof v === "number" ? "int" : "bool";
      return { type, run: () => v };
    }
    case "prop":
      return compileProperty(node);
    case "call":
      return compileCall(node);
    case "list":
      return typeError("A parenthesized list is only allowed on the right of 'in'", node.pos);
    case "not": {
      const e = compile(node.e);
      if (e.type !== "bool") typeError(`'not' expects a boolean operand, got ${e.type}`, node.pos);
      return { type: "bool", run: (s) => !e.run(s) };
    }
    case "and":
    case "or":
      return compileLogical(node);
    case "cmp":
      return compileComparison(node);
    case "in":
      return compileIn(node);
  }
}

/** Parses, type-checks and compiles an OData filter; throws FilterError with the error position. */
export function compileFilter(text: string): (subject: FilterSubject) => boolean {
  if (typeof text !== "string") throw new TypeError("filter must be a string.");
  const ast = parseFilter(text);
  const c = compile(ast);
  if (c.type !== "bool") typeError(`The filter must be a boolean expression, got ${c.type}`, 0);
  const run = c.run;
  return (s) => run(s) === true;
}
