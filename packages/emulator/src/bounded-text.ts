// Bounded echoes of peer input: client-supplied text (a message type, a group name, a filter, a close reason) may be
// up to a MiB long, so every error message, ack, close reason and log line that quotes it goes through clip(), and
// WebSocket close reasons through closeReason(). Both run in time proportional to what they keep, never to the input.

/** Characters of peer input quoted in an error message, an ack or a log line. */
export const MAX_QUOTED_CHARS = 200;
/** Characters of a whole log line. */
export const MAX_LOG_CHARS = 2000;
/** The WebSocket close reason limit (RFC 6455: 125 bytes of payload minus the 2-byte code). */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * The first `max` characters of `text` plus a marker ("…(N more characters)", or just "…" without `counted`);
 * `text` itself when it is short.
 */
export function clip(text: string, max = MAX_QUOTED_CHARS, counted = true): string {
  if (text.length <= max) return text;
  let end = max;
  // never split a surrogate pair
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  return counted ? `${text.slice(0, end)}…(${text.length - end} more characters)` : `${text.slice(0, end)}…`;
}

/**
 * `reason` as a WebSocket close reason: at most 123 UTF-8 bytes, cut at a character boundary and marked with "…"
 * when it had to be cut. One pass over at most the kept characters.
 */
export function closeReason(reason: string): string {
  const fit = utf8PrefixLength(reason, MAX_CLOSE_REASON_BYTES);
  if (fit === reason.length) return reason;
  // room for the 3-byte marker
  return `${reason.slice(0, utf8PrefixLength(reason, MAX_CLOSE_REASON_BYTES - 3))}…`;
}

/** How many UTF-16 code units of `text` fit in `maxBytes` of UTF-8 without splitting a character. */
export function utf8PrefixLength(text: string, maxBytes: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let units = 1;
    let size: number;
    if (c < 0x80) size = 1;
    else if (c < 0x800) size = 2;
    else if (isHighSurrogate(c) && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      size = 4;
      units = 2;
    } else size = 3; // a lone surrogate is written as U+FFFD, 3 bytes
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += units;
  }
  return i;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
