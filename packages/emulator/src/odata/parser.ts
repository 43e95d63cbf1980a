// Recursive-descent parser. Precedence, highest first: not > comparisons (eq ne gt ge lt le in) > and > or.
import { FilterError, quote, type Token, tokenize } from "./lexer.ts";

export type CompareOp = "eq" | "ne" | "gt" | "ge" | "lt" | "le";

/** `paren` marks an expression written in parentheses: `x in ('a')` is a one-item list. */
export type Node = (
  | { t: "lit"; v: string | number | boolean | null; pos: number }
  | { t: "prop"; name: string; pos: number }
  | { t: "call"; fn: string; args: Node[]; pos: number }
  | { t: "not"; e: Node; pos: number }
  | { t: "and" | "or"; l: Node; r: Node; pos: number }
  | { t: "cmp"; op: CompareOp; l: Node; r: Node; pos: number }
  | { t: "in"; l: Node; r: Node; pos: number }
  | { t: "list"; items: Node[]; pos: number }
) & { paren?: boolean };

const COMPARE = new Set(["eq", "ne", "gt", "ge", "lt", "le"]);
export const MAX_DEPTH = 100;
export const MAX_NODES = 2000;

export function parseFilter(text: string): Node {
  return new Parser(text).parseAll();
}

class Parser {
  readonly text: string;
  readonly tokens: Token[];
  i = 0;
  depth = 0;
  nodes = 0;

  constructor(text: string) {
    this.text = text;
    this.tokens = tokenize(text);
  }

  peek(): Token {
    return this.tokens[this.i]!;
  }

  next(): Token {
    return this.tokens[this.i++]!;
  }

  fail(pos: number, detail?: string): never {
    throw new FilterError("syntax", detail ?? `Syntax error at position ${pos}`, pos);
  }

  count(): void {
    if (++this.nodes > MAX_NODES) this.fail(this.peek().pos, `Filter is too complex (more than ${MAX_NODES} nodes)`);
  }

  isWord(tok: Token, word: string): boolean {
    return tok.t === "word" && tok.v.toLowerCase() === word;
  }

  parseAll(): Node {
    if (this.peek().t === "eof") this.fail(0, "The filter is empty");
    const e = this.parseOr();
    const tok = this.peek();
    if (tok.t !== "eof") this.unexpectedAfterOperand(tok);
    return e;
  }

  /** A token after a complete operand that is no operator: a word is read as an (unknown) operator. */
  unexpectedAfterOperand(tok: Token): never {
    if (tok.t === "word") {
      this.next();
      const after = this.peek();
      if (after.t === "eof") this.fail(after.pos);
      this.fail(tok.pos, `Unknown operator ${quote(tok.v)} at position ${tok.pos}`);
    }
    this.fail(tok.pos);
  }

  parseOr(): Node {
    let l = this.parseAnd();
    while (this.isWord(this.peek(), "or")) {
      const op = this.next();
      const r = this.parseAnd();
      this.count();
      l = { t: "or", l, r, pos: op.pos };
    }
    return l;
  }

  parseAnd(): Node {
    let l = this.parseCompare();
    while (this.isWord(this.peek(), "and")) {
      const op = this.next();
      const r = this.parseCompare();
      this.count();
      l = { t: "and", l, r, pos: op.pos };
    }
    return l;
  }

  parseCompare(): Node {
    let l = this.parseUnary();
    for (;;) {
      const tok = this.peek();
      if (tok.t !== "word") return l;
      const w = tok.v.toLowerCase();
      if (COMPARE.has(w)) {
        this.next();
        const r = this.parseUnary();
        this.count();
        l = { t: "cmp", op: w as CompareOp, l, r, pos: tok.pos };
      } else if (w === "in") {
        this.next();
        const r = this.parseUnary();
        this.count();
        l = { t: "in", l, r, pos: tok.pos };
      } else if (w === "and" || w === "or") {
        return l;
      } else {
        this.unexpectedAfterOperand(tok);
      }
    }
  }

  parseUnary(): Node {
    const tok = this.peek();
    if (this.isWord(tok, "not")) {
      this.next();
      this.enter(tok);
      const e = this.parseUnary();
      this.depth--;
      this.count();
      return { t: "not", e, pos: tok.pos };
    }
    return this.parsePrimary();
  }

  enter(tok: Token): void {
    if (++this.depth > MAX_DEPTH) this.fail(tok.pos, `Filter is nested too deeply (more than ${MAX_DEPTH} levels)`);
  }

  parsePrimary(): Node {
    const tok = this.next();
    this.count();
    switch (tok.t) {
      case "str":
        return { t: "lit", v: tok.v, pos: tok.pos };
      case "int":
        return { t: "lit", v: tok.v, pos: tok.pos };
      case "(": {
        this.enter(tok);
        const first = this.parseOr();
        if (this.peek().t === ",") {
          const items = [first];
          while (this.peek().t === ",") {
            this.next();
            items.push(this.parseOr());
          }
          this.expect(")");
          this.depth--;
          return { t: "list", items, pos: tok.pos };
        }
        this.expect(")");
        this.depth--;
        return { ...first, paren: true };
      }
      case "word": {
        const w = tok.v.toLowerCase();
        if (w === "true" || w === "false") return { t: "lit", v: w === "true", pos: tok.pos };
        if (w === "null") return { t: "lit", v: null, pos: tok.pos };
        if (this.peek().t === "(") {
          const open = this.next();
          this.enter(open);
          const args: Node[] = [];
          if (this.peek().t !== ")") {
            args.push(this.parseOr());
            while (this.peek().t === ",") {
              this.next();
              args.push(this.parseOr());
            }
          }
          this.expect(")");
          this.depth--;
          return { t: "call", fn: w, args, pos: tok.pos };
        }
        return { t: "prop", name: tok.v, pos: tok.pos };
      }
      default:
        return this.fail(tok.pos);
    }
  }

  expect(t: ")"): void {
    const tok = this.peek();
    if (tok.t !== t) {
      if (tok.t === "word" || tok.t === "str" || tok.t === "int") this.fail(tok.pos);
      this.fail(tok.pos, tok.t === "eof" ? `Syntax error at position ${tok.pos}: ')' expected` : undefined);
    }
    this.next();
  }
}
