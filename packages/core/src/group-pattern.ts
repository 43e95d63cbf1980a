// Wildcard group patterns of the `webpubsub.joinLeaveGroups.<pattern>` / `webpubsub.sendToGroups.<pattern>` roles
// (protocol.md 4.7): `?` one non-'.' char, `*` a run of non-'.' chars, `**` anything including '.', `\` escapes
// `*`, `?` and `\`. At most 5 `*` per pattern; matching is case-sensitive and covers the whole group name.
//
// Matching simulates the pattern as an NFA (time O(pattern x group)), so hostile patterns such as "*a*a*a*a*b"
// cannot cause exponential backtracking the way a translated RegExp would.

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

function parse(pattern: string): Token[] {
  const tokens: Token[] = [];
  const cps = Array.from(pattern, (c) => c.codePointAt(0)!);
  let stars = 0;
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    if (cp === 92 /* \ */) {
      const next = cps[i + 1];
      if (next !== 42 && next !== 63 && next !== 92) {
        throw new TypeError(
          `pattern ${JSON.stringify(pattern)} has an invalid escape: '\\' may only precede '*', '?' or '\\'`,
        );
      }
      tokens.push({ kind: LITERAL, cp: next });
      i++;
    } else if (cp === 42 /* * */) {
      if (cps[i + 1] === 42) {
        if (cps[i + 2] === 42) {
          throw new TypeError(`pattern ${JSON.stringify(pattern)} has more than two consecutive '*'`);
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
    throw new TypeError(
      `pattern ${JSON.stringify(pattern)} has ${stars} '*'; at most ${MAX_PATTERN_STARS} are allowed`,
    );
  }
  return tokens;
}

/** Compiles a wildcard pattern into a matcher. Throws a TypeError for an invalid pattern. */
export function compileGroupPattern(pattern: string): (group: string) => boolean {
  if (typeof pattern !== "string") throw new TypeError("pattern must be a string");
  if (pattern.length === 0) throw new TypeError("pattern must not be empty");
  const tokens = parse(pattern);
  if (tokens.every((t) => t.kind === LITERAL)) {
    const exact = String.fromCodePoint(...tokens.map((t) => t.cp));
    return (group) => group === exact;
  }
  const m = tokens.length;
  return (group) => {
    if (typeof group !== "string") return false;
    let current = new Uint8Array(m + 1);
    let next = new Uint8Array(m + 1);
    current[0] = 1;
    close(current);
    for (const ch of group) {
      const cp = ch.codePointAt(0)!;
      next.fill(0);
      let alive = false;
      for (let i = 0; i < m; i++) {
        if (current[i] === 0) continue;
        const t = tokens[i]!;
        if (t.kind === ANY) {
          next[i] = 1;
          alive = true;
        } else if (t.kind === LITERAL ? t.cp === cp : cp !== DOT) {
          // LITERAL and ONE advance; STAR stays on itself.
          next[t.kind === STAR ? i : i + 1] = 1;
          alive = true;
        }
      }
      if (!alive) return false;
      close(next);
      const swap = current;
      current = next;
      next = swap;
    }
    return current[m] === 1;
  };

  /** Epsilon closure: a star or ** may match nothing, so the state after it is active too. */
  function close(states: Uint8Array): void {
    for (let i = 0; i < m; i++) {
      if (states[i] === 1 && tokens[i]!.kind >= STAR) states[i + 1] = 1;
    }
  }
}
