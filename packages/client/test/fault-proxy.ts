// A fault-injecting TCP proxy for tests: forwards bytes between clients and a target port, and can kill every
// connection abruptly (no WebSocket close frame: both ends see an abnormal drop) or stall forwarding (half-open).
import { createConnection, createServer, type Server, type Socket } from "node:net";

export interface FaultProxy {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections currently open. */
  readonly open: number;
  /** Destroys every open connection on both sides. */
  killAll(): void;
  /** Holds back bytes on the connections open now, in both directions or only towards the client; they stay open
   * (half-open) until killed, and a close on one side no longer reaches the other. New connections flow normally. */
  stallOpen(direction?: "both" | "toClient"): void;
  /** While on, new connections are reset as soon as they arrive (the network is down); off lets them through again. */
  refuseNew(on: boolean): void;
  /** Points new connections at another port (existing ones are untouched). */
  retarget(port: number): void;
  close(): Promise<void>;
}

export async function startFaultProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<FaultProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let accepted = 0;
  let target = targetPort;
  let refusing = false;
  const stalled = new WeakSet<Socket>();

  const server: Server = createServer((client) => {
    accepted++;
    if (refusing) {
      client.on("error", () => {});
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ port: target, host: targetHost });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const pipe = (from: Socket, to: Socket) => {
      from.on("data", (chunk: Buffer) => {
        if (!stalled.has(from)) to.write(chunk);
      });
    };
    pipe(client, upstream);
    pipe(upstream, client);
    // A side that closes takes the other with it, unless the pair is stalled: then the network is down and not even
    // the close gets through (the other side stays half-open until it notices on its own, or killAll()).
    const end = (from: Socket, to: Socket) => () => {
      from.destroy();
      if (stalled.has(from) && !to.destroyed) return; // what `from` sends (its close too) is held
      pairs.delete(pair);
      to.destroy();
    };
    client.on("close", end(client, upstream)).on("error", end(client, upstream));
    upstream.on("close", end(upstream, client)).on("error", end(upstream, client));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("proxy has no port");

  return {
    port: address.port,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    killAll() {
      for (const [a, b] of [...pairs]) {
        // resetAndDestroy sends a TCP RST: the closest thing to a network failure.
        a.resetAndDestroy();
        b.resetAndDestroy();
      }
      pairs.clear();
    },
    stallOpen(direction = "both") {
      for (const [client, upstream] of pairs) {
        stalled.add(upstream); // bytes from the service are held
        if (direction === "both") stalled.add(client);
      }
    },
    refuseNew(on) {
      refusing = on;
    },
    retarget(port) {
      target = port;
    },
    close() {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
