// Wildcard group patterns of the `webpubsub.joinLeaveGroups.<pattern>` / `webpubsub.sendToGroups.<pattern>` roles
// (protocol.md 4.7): `?` one non-'.' char, `*` a run of non-'.' chars, `**` anything including '.', `\` escapes
// `*`, `?` and `\`. At most 5 `*` per pattern; matching is case-sensitive and covers the whole group name.

export const MAX_PATTERN_STARS = 5;

function escapeRegExp(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}

/** Compiles a wildcard pattern into a matcher. Throws a TypeError for an invalid pattern. */
export function compileGroupPattern(pattern: string): (group: string) => boolean {
  if (typeof pattern !== "string") throw new TypeError("pattern must be a string");
  if (pattern.length === 0) throw new TypeError("pattern must not be empty");
  let source = "";
  let stars = 0;
  let literal = true;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "\\") {
      const next = pattern[i + 1];
      if (next !== "*" && next !== "?" && next !== "\\") {
        throw new TypeError(
          `pattern ${JSON.stringify(pattern)} has an invalid escape at index ${i}: '\\' may only precede '*', '?' or '\\'`,
        );
      }
      source += escapeRegExp(next);
      i++;
    } else if (ch === "*") {
      literal = false;
      if (pattern[i + 1] === "*") {
        if (pattern[i + 2] === "*") {
          throw new TypeError(`pattern ${JSON.stringify(pattern)} has more than two consecutive '*' at index ${i}`);
        }
        stars += 2;
        source += "[\\s\\S]*";
        i++;
      } else {
        stars += 1;
        source += "[^.]*";
      }
    } else if (ch === "?") {
      literal = false;
      source += "[^.]";
    } else {
      source += escapeRegExp(ch);
    }
  }
  if (stars > MAX_PATTERN_STARS) {
    throw new TypeError(
      `pattern ${JSON.stringify(pattern)} has ${stars} '*'; at most ${MAX_PATTERN_STARS} are allowed`,
    );
  }
  if (literal) {
    const exact = unescapePattern(pattern);
    return (group) => group === exact;
  }
  const re = new RegExp(`^${source}$`);
  return (group) => typeof group === "string" && re.test(group);
}

function unescapePattern(pattern: string): string {
  return pattern.replace(/\\([*?\\])/g, "$1");
}
