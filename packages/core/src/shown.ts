// @webpubsub/core/shown (also in the root and client-wire entries): the one rule for echoing a caller's or a peer's
// value in an error message, a close reason or a log line: never whole, at most 64 characters of it. And capped(),
// the one rule for a whole text relayed from a peer (a publisher's stream error message, a handler's refusal): kept
// up to a limit, then marked.

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

/**
 * A whole text (a log line, a relayed message, reason or property) cut to its first `max` characters, then a marker
 * ("…(N more characters)", or just "…" without `counted`); `text` itself when it is short. Never splits a surrogate
 * pair; runs in time proportional to what it keeps. Not for quoting a value inside a message: that is shown().
 */
export function capped(text: string, max: number, counted = true): string {
  if (text.length <= max) return text;
  let end = max;
  // never split a surrogate pair (at max 0, charCodeAt(-1) is NaN: nothing to step back over)
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return counted ? `${text.slice(0, end)}…(${text.length - end} more characters)` : `${text.slice(0, end)}…`;
}
