// @webpubsub/core/shown (also in the root and client-wire entries): the one rule for echoing a caller's or a peer's
// value in an error message, a close reason or a log line: never whole, at most 64 characters of it.

/** A string for an error message: JSON-quoted, cut to its first 64 characters (then "...") so a long input is never echoed whole. */
export function shown(text: string): string {
  return text.length <= 64 ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, 64))}...`;
}

/**
 * Any value for an error message, bounded: a string by shown(), an object or a function by its type, anything else
 * (number, boolean, bigint, symbol, null, undefined) as String gives it, cut to 64 characters.
 */
export function shownValue(value: unknown): string {
  if (typeof value === "string") return shown(value);
  const text = value && (typeof value === "object" || typeof value === "function") ? typeof value : String(value);
  return text.length <= 64 ? text : `${text.slice(0, 64)}...`;
}
