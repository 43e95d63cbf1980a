// Tokenizer for the OData filter subset of protocol.md 2.4. The work per filter is bounded before any parsing: at
// most MAX_FILTER_LENGTH characters and MAX_TOKENS tokens, and error messages quote a word with quote().
import { shown } from "@webpubsub/core";

/** Longest filter accepted, in characters (a longer one is refused before it is read). */
export const MAX_FILTER_LENGTH = 64 * 1024;
/** Most tokens in a filter (a filter within the parser's limits of 2000 nodes and 100 levels needs fewer). */
export const MAX_TOKENS = 16_384;

/** A piece of the filter text for an error message: core's shown() (JSON-quoted, at most 64 characters). */
export function quote(text: string): string {
  return shown(text);
}

export class FilterError extends Error {
  override name = "FilterError";
  /** 0-based character offset of the error in the filter text */
  readonly position: number;
  readonly kind: "syntax" | "type";
  constructor(kind: "syntax" | "type", message: string, position: number) {
    super(/position \d+/.test(message) ? message : `${message} at position ${position}`);
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
  if (text.length > MAX_FILTER_LENGTH) {
    throw new FilterError(
      "syntax",
      `Filter is too long (${text.length} characters; at most ${MAX_FILTER_LENGTH})`,
      MAX_FILTER_LENGTH,
    );
  }
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (out.length >= MAX_TOKENS) {
      throw new FilterError("syntax", `Filter is too complex (more than ${MAX_TOKENS} tokens)`, i);
    }
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
      // one slice per run between quotes, not one concatenation per character
      let v = "";
      i++;
      for (;;) {
        const q = text.indexOf("'", i);
        if (q < 0) throw new FilterError("syntax", "Unterminated string literal", start);
        v += text.slice(i, q);
        if (text[q + 1] === "'") {
          v += "'";
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
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
        throw new FilterError("syntax", `Invalid number literal ${quote(text.slice(start, i + 1))}`, start);
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
