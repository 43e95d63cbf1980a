// The UTF-8 length of a text frame: the one rule that the frame size limit (socket.ts) and a group stream's bound on
// unacknowledged bytes (outbound-stream.ts) count with.

/**
 * How many bytes `text` takes as UTF-8, as a WebSocket text frame carries it: 1 byte for U+0000..U+007F, 2 up to
 * U+07FF, 4 for a surrogate pair (one character past U+FFFF), 3 for every other UTF-16 unit, a lone surrogate included
 * (it is written as U+FFFD). One pass over the string, nothing allocated.
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    // A high surrogate (D800..DBFF: 0x36 in the top six bits) followed by a low one (DC00..DFFF: 0x37); past the end
    // of the string charCodeAt is NaN, whose shift is 0.
    else if (c >> 10 === 0x36 && text.charCodeAt(i + 1) >> 10 === 0x37) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
