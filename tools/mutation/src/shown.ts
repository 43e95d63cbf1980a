// A command-line value for an error message, bounded: JSON-quoted, at most its first 64 characters (then "...").
// The rule is @webpubsub/core's shown(); tools depend on no workspace package, so this is a local copy of one line.

/** `text` JSON-quoted, cut to its first 64 characters (then "...") so a long argument is never echoed whole. */
export function shown(text: string): string {
  return JSON.stringify(text.slice(0, 64)) + (text.length > 64 ? "..." : "");
}
