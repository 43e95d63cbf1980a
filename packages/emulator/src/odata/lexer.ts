// Tokenizer for the OData filter subset of protocol.md 2.4.

export class FilterError extends Error {
  /** 0-based character offset of the error in the filter text */
  readonly position: number;
  readonly kind: "syntax" | "type";
  constructor(kind: "syntax" | "type", message: string, position: number) {
    super(/position \d+/.test(message) ? message : `${message} at position ${position}`);
    this.name = "FilterError";
    this.kind = kind;
    this.position = position;
  }
}

export type Token =
  | { t: "str"; v: string; pos: number; end: number }
  | { t: "int"; v: number; pos: number; end: number }
  | { t: "word"; v: string; pos: number; end: number }
  | { t: "("; pos: number; end: number }
  | { t: ")"; pos: number; end: number }
  | { t: ","; pos: number; end: number }
  | { t: "eof"; pos: number; end: number };

const WORD_START = /[A-Za-z_]/;
const WORD_CHAR = /[A-Za-z0-9_.]/;

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
      continue;
    }
    const start = i;
    if (ch === "(" || ch === ")" || ch === ",") {
      out.push({ t: ch, pos: start, end: start + 1 });
      i++;
      continue;
    }
    if (ch === "'") {
      let v = "";
      i++;
      for (;;) {
        if (i >= n) throw new FilterError("syntax", "Unterminated string literal", start);
        const c = text[i]!;
        if (c === "'") {
          if (text[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += c;
        i++;
      }
      out.push({ t: "str", v, pos: start, end: i });
      continue;
    }
    if ((ch === "-" || ch === "+") && /[0-9]/.test(text[i + 1] ?? "")) {
      i++;
    }
    if (/[0-9]/.test(text[i] ?? "") && (i > start || /[0-9]/.test(ch))) {
      while (i < n && /[0-9]/.test(text[i]!)) i++;
      if (i < n && WORD_START.test(text[i]!)) {
        throw new FilterError("syntax", `Invalid number literal '${text.slice(start, i + 1)}'`, start);
      }
      const v = Number(text.slice(start, i));
      if (!Number.isSafeInteger(v)) throw new FilterError("syntax", "Integer literal out of range", start);
      out.push({ t: "int", v, pos: start, end: i });
      continue;
    }
    if (WORD_START.test(ch)) {
      while (i < n && WORD_CHAR.test(text[i]!)) i++;
      out.push({ t: "word", v: text.slice(start, i), pos: start, end: i });
      continue;
    }
    throw new FilterError("syntax", `Unexpected character '${ch}'`, start);
  }
  out.push({ t: "eof", pos: n, end: n });
  return out;
}
