// A fault-injecting TCP proxy standing in for the network between a client and a server: it forwards bytes both ways
// and can cut every connection abruptly (a TCP reset, no WebSocket close frame), stall forwarding (half-open
// connections), refuse new connections (the network is down), point new connections elsewhere, and show the text
// frames clients send.
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { ClientTextFrames } from "./client-text-frames.ts";

/** Which bytes `stallOpen` holds back: both directions, or only those travelling towards the client. */
export type StallDirection = "both" | "toClient";

type Pair = readonly [client: Socket, upstream: Socket];

/** A running proxy on 127.0.0.1; create it with {@link startFaultProxy}. */
export class FaultProxy {
  readonly #server: Server;
  readonly #pairs = new Set<Pair>();
  /** Sockets whose incoming bytes (and close) are held back. */
  readonly #stalled = new WeakSet<Socket>();
  readonly #targetHost: string;
  #targetPort: number;
  #refusing = false;
  #accepted = 0;
  /** Called with every text frame a client sends (after the HTTP upgrade), for tests that watch client traffic. */
  onClientText: ((text: string) => void) | undefined;

  private constructor(targetPort: number, targetHost: string) {
    this.#targetPort = targetPort;
    this.#targetHost = targetHost;
    this.#server = createServer((client) => this.#accept(client));
  }

  /** @internal Use {@link startFaultProxy}. */
  static async listen(targetPort: number, targetHost: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(targetPort, targetHost);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once("error", reject);
      proxy.#server.listen(0, "127.0.0.1", () => resolve());
    });
    return proxy;
  }

  /** The port the proxy listens on (127.0.0.1). */
  get port(): number {
    const address = this.#server.address();
    if (address === null || typeof address === "string") throw new Error("the fault proxy is not listening");
    return address.port;
  }

  /** Connections accepted so far, refused ones included. */
  get accepted(): number {
    return this.#accepted;
  }

  /** Connections currently open. */
  get open(): number {
    return this.#pairs.size;
  }

  /** Resets every open connection on both sides (TCP RST: both ends see an abrupt drop, no close frame). */
  cutAll(): void {
    for (const [client, upstream] of this.#pairs) {
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    }
    this.#pairs.clear();
  }

  /** Holds back bytes on the connections open now, in both directions or only towards the client; they stay open
   * (half-open) until cut, and a close on one side no longer reaches the other. New connections flow normally. */
  stallOpen(direction: StallDirection = "both"): void {
    for (const [client, upstream] of this.#pairs) {
      this.#stalled.add(upstream); // bytes from the server are held
      if (direction === "both") this.#stalled.add(client);
    }
  }

  /** While on, new connections are reset as soon as they arrive (the network is down); off lets them through again. */
  refuseNew(on: boolean): void {
    this.#refusing = on;
  }

  /** Points new connections at another port (open ones are untouched). */
  retarget(port: number): void {
    this.#targetPort = port;
  }

  /** Closes every open connection and stops listening. */
  close(): Promise<void> {
    for (const [client, upstream] of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.#pairs.clear();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.#accepted++;
    if (this.#refusing) {
      client.on("error", () => {});
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ port: this.#targetPort, host: this.#targetHost });
    const pair: Pair = [client, upstream];
    this.#pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const frames = new ClientTextFrames((text) => this.onClientText?.(text));
    client.on("data", (chunk: Buffer) => frames.push(chunk)); // always fed, so a watcher set later stays in step
    this.#forward(client, upstream);
    this.#forward(upstream, client);
    // A side that closes takes the other with it, unless it is stalled: then the network is down and not even the
    // close gets through (the other side stays half-open until it notices on its own, or cutAll()).
    const end = (from: Socket, to: Socket) => () => {
      from.destroy();
      if (this.#stalled.has(from) && !to.destroyed) return;
      this.#pairs.delete(pair);
      to.destroy();
    };
    client.on("close", end(client, upstream)).on("error", end(client, upstream));
    upstream.on("close", end(upstream, client)).on("error", end(upstream, client));
  }

  #forward(from: Socket, to: Socket): void {
    from.on("data", (chunk: Buffer) => {
      if (!this.#stalled.has(from)) to.write(chunk);
    });
  }
}

/** Starts a fault proxy on a free port of 127.0.0.1 that forwards every connection to `targetHost:targetPort`. */
export function startFaultProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<FaultProxy> {
  return FaultProxy.listen(targetPort, targetHost);
}
