// Bounded text that is not an echo: a value quoted in a message goes through core's shown() (the one echo rule), or
// through shownUnquoted() where a message copies the live service's wording and quote marks. What stays here are the
// caps on a whole text: a log line (MAX_LOG_CHARS), a relayed field such as a handler's refusal or a publisher's error
// message (capped(), core's rule, re-exported), and a WebSocket close reason (closeReason(), the RFC 6455 byte limit). Each runs in time
// proportional to what it keeps, never to the input. Why one echo rule: docs/decisions/0005-one-echo-rule.md.
import { shown } from "@webpubsub/core";

// the cap on a whole relayed text is core's, shared with the client
export { capped } from "@webpubsub/core";

/** Characters of a whole log line. */
export const MAX_LOG_CHARS = 2000;
/** The WebSocket close reason limit (RFC 6455: 125 bytes of payload minus the 2-byte code). */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * `text` bounded by core's shown() but without its JSON quotes, for the few messages that copy the live service's
 * text, where the service puts its own quote marks around the value (``Connection `id` is not found.``): a short value
 * is written as it is, a long one by its first 64 characters, then "...".
 */
export function shownUnquoted(text: string): string {
  const quoted = shown(text);
  const cut = !quoted.endsWith('"');
  return (JSON.parse(cut ? quoted.slice(0, -3) : quoted) as string) + (cut ? "..." : "");
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
