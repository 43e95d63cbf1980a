// A TCP proxy that can cut every connection passing through it: a network fault between a client and the emulator.
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

export class FaultProxy {
  readonly server: Server;
  readonly pairs = new Set<[Socket, Socket]>();
  port = 0;

  constructor(targetPort: number) {
    this.server = createServer((client) => {
      const upstream = tcpConnect(targetPort, "127.0.0.1");
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      client.pipe(upstream);
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
