// Type-checks a parsed filter and compiles it into a predicate over connections (protocol.md 2.4 semantics).
import { FilterError, quote } from "./lexer.ts";
import { type Node, parseFilter } from "./parser.ts";

/** What a filter can see of a connection. */
export interface FilterSubject {
  readonly id: string;
  readonly userId: string | null;
  readonly groups: ReadonlySet<string> | null;
  readonly subprotocol?: string | undefined;
}

type Type = "string" | "int" | "bool" | "null" | "collection" | "list";
type Value = string | number | boolean | null | ReadonlySet<string> | Value[];
type Eval = (s: FilterSubject) => Value;

interface Compiled {
  type: Type;
  run: Eval;
}

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

function isStringish(t: Type): boolean {
  return t === "string" || t === "null";
}

function expectString(c: Compiled, fn: string, pos: number): void {
  if (!isStringish(c.type)) typeError(`Function '${fn}' expects a string argument, got ${c.type}`, pos);
}

function expectInt(c: Compiled, fn: string, pos: number): void {
  if (c.type !== "int" && c.type !== "null")
    typeError(`Function '${fn}' expects an integer argument, got ${c.type}`, pos);
}

function arity(node: Extract<Node, { t: "call" }>, min: number, max = min): void {
  if (node.args.length < min || node.args.length > max) {
    const want = min === max ? `${min}` : `${min} or ${max}`;
    typeError(`Function '${node.fn}' takes ${want} argument(s), got ${node.args.length}`, node.pos);
  }
}

function str(v: Value): string | null {
  return typeof v === "string" ? v : null;
}

function compileCall(node: Extract<Node, { t: "call" }>): Compiled {
  const args = node.args.map(compile);
  const a = args[0]!;
  const b = args[1]!;
  switch (node.fn) {
    case "tolower":
    case "toupper":
    case "trim": {
      arity(node, 1);
      expectString(a, node.fn, node.args[0]!.pos);
      const f =
        node.fn === "tolower"
          ? (x: string) => x.toLowerCase()
          : node.fn === "toupper"
            ? (x: string) => x.toUpperCase()
            : (x: string) => x.trim();
      return {
        type: "string",
        run: (s) => {
          const x = str(a.run(s));
          return x === null ? null : f(x);
        },
      };
    }
    case "substring": {
      arity(node, 2, 3);
      expectString(a, node.fn, node.args[0]!.pos);
      expectInt(b, node.fn, node.args[1]!.pos);
      const c = args[2];
      if (c !== undefined) expectInt(c, node.fn, node.args[2]!.pos);
      return {
        type: "string",
        run: (s) => {
          const x = str(a.run(s));
          const i = b.run(s);
          const n = c === undefined ? undefined : c.run(s);
          if (x === null || typeof i !== "number" || n === null) return null;
          const start = Math.min(Math.max(i, 0), x.length);
          const end = typeof n === "number" ? Math.min(Math.max(start + n, start), x.length) : x.length;
          return x.slice(start, end);
        },
      };
    }
    case "concat": {
      arity(node, 2);
      expectString(a, node.fn, node.args[0]!.pos);
      expectString(b, node.fn, node.args[1]!.pos);
      return {
        type: "string",
        run: (s) => {
          const x = str(a.run(s));
          const y = str(b.run(s));
          return x === null || y === null ? null : x + y;
        },
      };
    }
    case "contains":
    case "startswith":
    case "endswith": {
      arity(node, 2);
      expectString(a, node.fn, node.args[0]!.pos);
      expectString(b, node.fn, node.args[1]!.pos);
      const f =
        node.fn === "contains"
          ? (x: string, y: string) => x.includes(y)
          : node.fn === "startswith"
            ? (x: string, y: string) => x.startsWith(y)
            : (x: string, y: string) => x.endsWith(y);
      return {
        type: "bool",
        run: (s) => {
          const x = str(a.run(s));
          const y = str(b.run(s));
          return x !== null && y !== null && f(x, y);
        },
      };
    }
    case "indexof": {
      arity(node, 2);
      expectString(a, node.fn, node.args[0]!.pos);
      expectString(b, node.fn, node.args[1]!.pos);
      return {
        type: "int",
        run: (s) => {
          const x = str(a.run(s));
          const y = str(b.run(s));
          return x === null || y === null ? -1 : x.indexOf(y);
        },
      };
    }
    case "length": {
      arity(node, 1);
      if (a.type !== "string" && a.type !== "null" && a.type !== "collection") {
        typeError(`Function 'length' expects a string or a collection, got ${a.type}`, node.args[0]!.pos);
      }
      return {
        type: "int",
        run: (s) => {
          const x = a.run(s);
          if (typeof x === "string") return x.length;
          if (x instanceof Set) return x.size;
          return null;
        },
      };
    }
    default:
      return typeError(`Unknown function '${quote(node.fn)}'`, node.pos);
  }
}

function compile(node: Node): Compiled {
  switch (node.t) {
    case "lit": {
      const v = node.v;
      const type: Type =
        v === null ? "null" : typeof v === "string" ? "string" : typeof v === "number" ? "int" : "bool";
      return { type, run: () => v };
    }
    case "prop": {
      const p = PROPS[node.name.toLowerCase()];
      if (p === undefined) {
        return typeError(
          `Unknown property '${quote(node.name)}' (use userId, connectionId, groups or protocol)`,
          node.pos,
        );
      }
      return p;
    }
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
    case "or": {
      const l = compile(node.l);
      const r = compile(node.r);
      if (l.type !== "bool") typeError(`'${node.t}' expects boolean operands, got ${l.type}`, node.l.pos);
      if (r.type !== "bool") typeError(`'${node.t}' expects boolean operands, got ${r.type}`, node.r.pos);
      return node.t === "and"
        ? { type: "bool", run: (s) => (l.run(s) as boolean) && (r.run(s) as boolean) }
        : { type: "bool", run: (s) => (l.run(s) as boolean) || (r.run(s) as boolean) };
    }
    case "cmp": {
      const l = compile(node.l);
      const r = compile(node.r);
      if (node.op === "eq" || node.op === "ne") {
        const scalar = (t: Type) => t === "string" || t === "int" || t === "bool" || t === "null";
        if (!scalar(l.type) || !scalar(r.type) || (l.type !== r.type && l.type !== "null" && r.type !== "null")) {
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
      const cmp =
        node.op === "gt"
          ? (x: number, y: number) => x > y
          : node.op === "ge"
            ? (x: number, y: number) => x >= y
            : node.op === "lt"
              ? (x: number, y: number) => x < y
              : (x: number, y: number) => x <= y;
      return {
        type: "bool",
        run: (s) => {
          const x = l.run(s);
          const y = r.run(s);
          return typeof x === "number" && typeof y === "number" && cmp(x, y);
        },
      };
    }
    case "in": {
      const l = compile(node.l);
      if (l.type !== "string" && l.type !== "int" && l.type !== "null" && l.type !== "bool") {
        typeError(`The left side of 'in' must be a single value, got ${l.type}`, node.l.pos);
      }
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
      if (
        node.r.paren === true &&
        (r.type === "string" || r.type === "int" || r.type === "null" || r.type === "bool")
      ) {
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
