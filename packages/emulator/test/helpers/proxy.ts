// A TCP proxy that can cut every connection passing through it: a network fault between a client and the emulator.
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

export class FaultProxy {
  readonly server: Server;
  readonly pairs = new Set<[Socket, Socket]>();
  port = 0;
  /** Called with every text frame a client sends (after the HTTP upgrade), for tests that watch client traffic. */
  onClientText: ((text: string) => void) | undefined;

  constructor(targetPort: number) {
    this.server = createServer((client) => {
      const upstream = tcpConnect(targetPort, "127.0.0.1");
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      client.pipe(upstream);
      const watcher = new ClientFrameWatcher((t) => this.onClientText?.(t));
      client.on("data", (chunk: Buffer) => watcher.push(chunk));
      upstream.pipe(client);
      const drop = () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on("error", drop);
      upstream.on("error", drop);
      client.on("close", drop);
      upstream.on("close", drop);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  /** Resets every proxied connection (both sides see an abrupt end, no close frame). */
  cutAll(): void {
    for (const [a, b] of this.pairs) {
      a.resetAndDestroy();
      b.resetAndDestroy();
    }
    this.pairs.clear();
  }

  close(): Promise<void> {
    this.cutAll();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** Parses the client-to-server byte stream of one WebSocket connection: skips the HTTP request, unmasks text frames. */
class ClientFrameWatcher {
  #buf = Buffer.alloc(0);
  #upgraded = false;
  readonly #onText: (text: string) => void;

  constructor(onText: (text: string) => void) {
    this.#onText = onText;
  }

  push(chunk: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, chunk]);
    if (!this.#upgraded) {
      const end = this.#buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      this.#buf = this.#buf.subarray(end + 4);
      this.#upgraded = true;
    }
    for (;;) {
      const b = this.#buf;
      if (b.length < 2) return;
      const opcode = b[0]! & 0x0f;
      let len = b[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        off = 10;
      }
      const masked = (b[1]! & 0x80) !== 0;
      const maskOff = off;
      if (masked) off += 4;
      if (b.length < off + len) return;
      const payload = Buffer.from(b.subarray(off, off + len));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= b[maskOff + (i % 4)]!;
      this.#buf = b.subarray(off + len);
      if (opcode === 1) this.#onText(payload.toString("utf8"));
    }
  }
}
