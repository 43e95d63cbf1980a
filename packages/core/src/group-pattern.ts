// Wildcard group patterns of the `webpubsub.joinLeaveGroups.<pattern>` / `webpubsub.sendToGroups.<pattern>` roles
// (protocol.md 4.7): `?` one non-'.' char, `*` a run of non-'.' chars, `**` anything including '.', `\` escapes
// `*`, `?` and `\`. At most 5 `*` per pattern; matching is case-sensitive and covers the whole group name.
//
// Matching simulates the pattern as an NFA whose states are bits of a few 32-bit words (the shift-and technique), so
// hostile patterns such as "*a*a*a*a*b" cannot cause exponential backtracking the way a translated RegExp would, and
// a check costs O(group x pattern / 32). A pattern that needs more characters than a group name can have
// (MAX_GROUP_NAME_LENGTH) is invalid, and a group shorter than what the pattern needs is rejected before any
// simulation, so the work of one check is bounded whatever the role says.

import { MAX_GROUP_NAME_LENGTH } from "./names.ts";
import { shown } from "./shown.ts";

export const MAX_PATTERN_STARS = 5;

const LITERAL = 0;
const ONE = 1; // ?
const STAR = 2; // *
const ANY = 3; // **

interface Token {
  kind: number;
  /** The literal code point (LITERAL only). */
  cp: number;
}

const DOT = 46;
/** Each token takes at most 2 characters of pattern text (`\*`, `**`, a surrogate pair). */
const MAX_PATTERN_CHARS = 2 * MAX_GROUP_NAME_LENGTH + MAX_PATTERN_STARS;

function tooLong(pattern: string): TypeError {
  return new TypeError(
    `pattern ${shown(pattern)} needs more than ${MAX_GROUP_NAME_LENGTH} characters, more than any group name has`,
  );
}

function parse(pattern: string): Token[] {
  if (pattern.length > MAX_PATTERN_CHARS) throw tooLong(pattern);
  const tokens: Token[] = [];
  const cps = Array.from(pattern, (c) => c.codePointAt(0)!);
  let stars = 0;
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    if (cp === 92 /* \ */) {
      const next = cps[i + 1];
      if (next !== 42 && next !== 63 && next !== 92) {
        throw new TypeError(`pattern ${shown(pattern)} has an invalid escape: '\\' may only precede '*', '?' or '\\'`);
      }
      tokens.push({ kind: LITERAL, cp: next });
      i++;
    } else if (cp === 42 /* * */) {
      if (cps[i + 1] === 42) {
        if (cps[i + 2] === 42) {
          throw new TypeError(`pattern ${shown(pattern)} has more than two consecutive '*'`);
        }
        stars += 2;
        tokens.push({ kind: ANY, cp: 0 });
        i++;
      } else {
        stars += 1;
        tokens.push({ kind: STAR, cp: 0 });
      }
    } else if (cp === 63 /* ? */) {
      tokens.push({ kind: ONE, cp: 0 });
    } else {
      tokens.push({ kind: LITERAL, cp });
    }
  }
  if (stars > MAX_PATTERN_STARS) {
    throw new TypeError(`pattern ${shown(pattern)} has ${stars} '*'; at most ${MAX_PATTERN_STARS} are allowed`);
  }
  return tokens;
}

/** UTF-16 code units a group needs at least to match `tokens` (a literal beyond U+FFFF takes two). */
function minimumLength(tokens: Token[]): number {
  let n = 0;
  for (const t of tokens) if (t.kind === ONE || t.kind === LITERAL) n += t.cp > 0xffff ? 2 : 1;
  return n;
}

/**
 * Compiles a wildcard pattern into a matcher. Throws a TypeError for an invalid pattern, including one that needs
 * more than MAX_GROUP_NAME_LENGTH characters (it could never match a group name).
 */
export function compileGroupPattern(pattern: string): (group: string) => boolean {
  if (typeof pattern !== "string") throw new TypeError("pattern must be a string");
  if (pattern.length === 0) throw new TypeError("pattern must not be empty");
  const tokens = parse(pattern);
  const minLength = minimumLength(tokens);
  if (minLength > MAX_GROUP_NAME_LENGTH) throw tooLong(pattern);
  if (tokens.every((t) => t.kind === LITERAL)) {
    const exact = String.fromCodePoint(...tokens.map((t) => t.cp));
    return (group) => group === exact;
  }
  return shiftAndMatcher(tokens, minLength);
}

/**
 * The NFA of `tokens` in bit-parallel form. State i (bit i) means "the first i tokens matched"; token i moves state
 * i to i + 1 on a character it accepts (LITERAL, ONE), or keeps state i on one (STAR: not '.', ANY: any), and a star
 * token also lets state i reach i + 1 without a character. No two star tokens are adjacent ("***" is invalid), so
 * that closure is a single step.
 *
 * The literal tokens are kept as a sparse table: for each distinct code point (sorted, found by binary search) only
 * the state words where it has a token, with their bits. Its size is at most the number of literal tokens, so a
 * compiled matcher takes memory in proportion to its pattern (a dense table of every distinct code point times every
 * word took ~134 KB for a pattern of 1,022 distinct characters, which a RoleSet keeps for the connection's lifetime).
 */
function shiftAndMatcher(tokens: Token[], minLength: number): (group: string) => boolean {
  const m = tokens.length;
  const words = (m >>> 5) + 1; // bits 0..m
  // built apart, so that the matcher's closure holds these typed arrays and not the tokens
  const { one, star, any } = kindMasks(tokens, words);
  const { codePoints, rows, entryWords, entryBits } = literalTable(tokens);
  const last = m >>> 5;
  const lastBit = 1 << (m & 31);

  return (group) => {
    if (typeof group !== "string" || group.length < minLength) return false;
    let current = new Uint32Array(words);
    let next = new Uint32Array(words);
    current[0] = 1;
    epsilon(current, words);
    let read = 0;
    for (const ch of group) {
      // Each character passes at most one token, and at most MAX_PATTERN_STARS star tokens are passed without one,
      // so no state above read + MAX_PATTERN_STARS is active yet: the words past it are still 0 and need no work.
      const active = Math.min(words, ((++read + MAX_PATTERN_STARS) >>> 5) + 1);
      const cp = ch.codePointAt(0)!;
      const notDot = cp !== DOT;
      // the entries of this character's literal tokens, walked along with the words (none when it has no row)
      const row = firstAtLeast(codePoints, cp);
      let entry = rows[row]!;
      const end = codePoints[row] === cp ? rows[row + 1]! : entry;
      let carry = 0;
      let alive = 0;
      for (let w = 0; w < active; w++) {
        let literal = 0;
        if (entry < end && entryWords[entry] === w) literal = entryBits[entry++]!;
        const cur = current[w]!;
        if (cur === 0 && carry === 0) {
          next[w] = 0;
          continue;
        }
        const accepts = literal | (notDot ? one[w]! : 0);
        const stays = any[w]! | (notDot ? star[w]! : 0);
        const moved = cur & accepts;
        const v = (moved << 1) | carry | (cur & stays);
        carry = moved >>> 31;
        next[w] = v;
        alive |= v;
      }
      if (alive === 0) return false;
      epsilon(next, active);
      const swap = current;
      current = next;
      next = swap;
    }
    return (current[last]! & lastBit) !== 0;
  };

  /** A star token may match nothing: the state after an active star token is active too (in the first `end` words). */
  function epsilon(states: Uint32Array, end: number): void {
    let carry = 0;
    for (let w = 0; w < end; w++) {
      const skip = (states[w]! & (star[w]! | any[w]!)) >>> 0;
      states[w] = states[w]! | (skip << 1) | carry;
      carry = skip >>> 31;
    }
  }
}

/** The state bits of the `?`, `*` and `**` tokens, `words` 32-bit words each. */
function kindMasks(tokens: Token[], words: number): { one: Uint32Array; star: Uint32Array; any: Uint32Array } {
  const one = new Uint32Array(words);
  const star = new Uint32Array(words);
  const any = new Uint32Array(words);
  tokens.forEach((t, i) => {
    const bit = 1 << (i & 31);
    if (t.kind === ONE) one[i >>> 5]! |= bit;
    else if (t.kind === STAR) star[i >>> 5]! |= bit;
    else if (t.kind === ANY) any[i >>> 5]! |= bit;
  });
  return { one, star, any };
}

/**
 * The literal tokens as a sparse table: `codePoints` lists the distinct literal code points in ascending order, and
 * code point r has the entries rows[r] .. rows[r + 1] - 1: the state words where it has tokens (`entryWords`,
 * ascending) and its token bits in each (`entryBits`). There are at most as many entries as literal tokens.
 */
function literalTable(tokens: Token[]): {
  codePoints: Uint32Array;
  rows: Uint32Array;
  entryWords: Uint32Array;
  entryBits: Uint32Array;
} {
  const literals: number[] = [];
  tokens.forEach((t, i) => {
    if (t.kind === LITERAL) literals.push(i);
  });
  // by code point, then by position (sort is stable and the list is in position order)
  literals.sort((a, b) => tokens[a]!.cp - tokens[b]!.cp);
  const codePoints: number[] = [];
  const rows: number[] = [];
  const entryWords: number[] = [];
  const entryBits: number[] = [];
  for (const i of literals) {
    const cp = tokens[i]!.cp;
    const w = i >>> 5;
    if (codePoints.at(-1) !== cp) {
      codePoints.push(cp);
      rows.push(entryWords.length);
    } else if (entryWords.at(-1) === w) {
      entryBits[entryBits.length - 1]! |= 1 << (i & 31);
      continue;
    }
    entryWords.push(w);
    entryBits.push(1 << (i & 31));
  }
  rows.push(entryWords.length);
  return {
    codePoints: Uint32Array.from(codePoints),
    rows: Uint32Array.from(rows),
    entryWords: Uint32Array.from(entryWords),
    entryBits: Uint32Array.from(entryBits),
  };
}

/** The first index of the ascending `codePoints` whose code point is not below `cp` (their length when none is). */
function firstAtLeast(codePoints: Uint32Array, cp: number): number {
  let lo = 0;
  let hi = codePoints.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (codePoints[mid]! < cp) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
