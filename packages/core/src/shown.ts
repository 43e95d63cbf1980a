// @webpubsub/core/shown (also in the root and client-wire entries): the one rule for echoing a caller's or a peer's
// value in an error message, a close reason or a log line: never whole, at most 64 characters of it.

/** The first 64 characters of `text` through `show`, then "..." when it had more. */
function cut(text: string, show: (text: string) => string = String): string {
  return show(text.slice(0, 64)) + (text.length > 64 ? "..." : "");
}

/** A string for an error message: JSON-quoted, cut to its first 64 characters (then "...") so a long input is never echoed whole. */
export function shown(text: string): string {
  return cut(text, JSON.stringify);
}

/**
 * Any value for an error message, bounded: a string by shown(), an object or a function by its type, anything else
 * (number, boolean, bigint, symbol, null, undefined) as String gives it, cut to 64 characters (then "...").
 */
export function shownValue(value: unknown): string {
  return typeof value === "string" ? shown(value) : cut(Object(value) === value ? typeof value : String(value));
}
