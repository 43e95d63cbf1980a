// Reads the client-to-server bytes of one WebSocket connection as they pass a proxy: skips the HTTP upgrade request,
// then unmasks every frame and reports the text ones (no extensions: the tests using it negotiate none).

export class ClientTextFrames {
  #buffer = Buffer.alloc(0);
  #upgraded = false;
  readonly #onText: (text: string) => void;

  constructor(onText: (text: string) => void) {
    this.#onText = onText;
  }

  /** Adds the next bytes the client sent; reports every text frame they complete. */
  push(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    if (!this.#upgraded) {
      const end = this.#buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      this.#buffer = this.#buffer.subarray(end + 4);
      this.#upgraded = true;
    }
    while (this.#nextFrame()) {}
  }

  /** Takes one complete frame off the buffer; false when the buffer holds no complete frame. */
  #nextFrame(): boolean {
    const b = this.#buffer;
    if (b.length < 2) return false;
    const opcode = b[0]! & 0x0f;
    let length = b[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return false;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return false;
      length = Number(b.readBigUInt64BE(2));
      offset = 10;
    }
    const masked = (b[1]! & 0x80) !== 0;
    const maskOffset = offset;
    if (masked) offset += 4;
    if (b.length < offset + length) return false;
    const payload = Buffer.from(b.subarray(offset, offset + length));
    if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= b[maskOffset + (i % 4)]!;
    this.#buffer = b.subarray(offset + length);
    if (opcode === 1) this.#onText(payload.toString("utf8"));
    return true;
  }
}
