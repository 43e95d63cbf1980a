// A scripted stand-in for the WebSocket: the test plays the service side.
import {
  WebPubSubClient,
  type WebPubSubClientEvents,
  type WebPubSubClientOptions,
  type WebSocketFactory,
  type WebSocketLike,
} from "../src/index.ts";

export class FakeSocket implements WebSocketLike {
  binaryType = "blob";
  readyState = 0;
  protocol = "";
  bufferedAmount = 0;
  readonly url: string;
  readonly protocols: string[];
  readonly sent: (string | Uint8Array)[] = [];
  closeCalls: { code: number | undefined; reason: string | undefined }[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  #sentWaiters: (() => void)[] = [];

  constructor(url: string, protocols: string[]) {
    this.url = url;
    this.protocols = protocols;
  }

  send(data: string | Uint8Array): void {
    if (this.readyState !== 1) throw new Error("send on a socket that is not open");
    this.sent.push(data);
    const waiters = this.#sentWaiters;
    this.#sentWaiters = [];
    for (const w of waiters) w();
  }

  close(code?: number, reason?: string): void {
    this.closeCalls.push({ code, reason });
    if (this.readyState >= 2) return;
    this.readyState = 2;
    // The peer answers the close handshake asynchronously.
    setTimeout(() => this.serverClose(code ?? 1005, reason ?? ""), 1);
  }

  // ---- service side
  open(): void {
    this.readyState = 1;
    this.protocol = this.protocols[0] ?? "";
    this.onopen?.({});
  }

  push(message: unknown): void {
    this.onmessage?.({ data: typeof message === "string" ? message : JSON.stringify(message) });
  }

  connected(connectionId = "conn1", reconnectionToken: string | undefined = "token1", userId: string | null = "u1") {
    if (this.readyState === 0) this.open();
    this.push({ type: "system", event: "connected", connectionId, userId, reconnectionToken });
  }

  serverClose(code = 1006, reason = ""): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  /** Parsed JSON frames the client sent. */
  get frames(): Record<string, unknown>[] {
    return this.sent.map((s) => JSON.parse(s as string) as Record<string, unknown>);
  }

  framesOf(type: string): Record<string, unknown>[] {
    return this.frames.filter((f) => f.type === type);
  }

  /** Waits until the client sent a frame matching `predicate`. */
  async waitForFrame(
    predicate: (frame: Record<string, unknown>) => boolean,
    timeoutMs = 10_000,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no matching frame within ${timeoutMs} ms; sent: ${this.sent.join(" | ")}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#sentWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

export class FakeServer {
  readonly sockets: FakeSocket[] = [];
  #waiters: ((s: FakeSocket) => void)[] = [];
  readonly factory: WebSocketFactory = (url, protocols) => {
    const socket = new FakeSocket(url, protocols);
    this.sockets.push(socket);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w(socket);
    return socket;
  };

  get last(): FakeSocket {
    const s = this.sockets.at(-1);
    if (!s) throw new Error("no socket yet");
    return s;
  }

  /** Starts `client` and answers its first socket with `connected(...args)`; resolves with that socket once started. */
  async start(client: { start(): Promise<void> }, ...args: Parameters<FakeSocket["connected"]>): Promise<FakeSocket> {
    const start = client.start();
    const socket = await this.socket(0);
    socket.connected(...args);
    await start;
    return socket;
  }

  /** The socket number `index` (0-based), waiting for it to be created. */
  socket(index: number, timeoutMs = 10_000): Promise<FakeSocket> {
    const existing = this.sockets[index];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`socket #${index} not created within ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        const s = this.sockets[index];
        if (s) {
          clearTimeout(t);
          resolve(s);
        } else this.#waiters.push(check);
      };
      this.#waiters.push(check);
    });
  }
}

/** The client access URL the scripted-service tests connect with. */
export const URL1 = "ws://localhost:8080/client/hubs/chat?access_token=t1";

/** Retries on a scripted service: 1 ms apart, no jitter. */
export const FAST_RETRY = { retryDelayInMs: 1, jitter: false } as const;

/** A client of URL1 on a fresh FakeServer, started, its first socket answered with `connected(...args)`. */
export async function startedClient(
  options: WebPubSubClientOptions = {},
  ...args: Parameters<FakeSocket["connected"]>
): Promise<{ server: FakeServer; client: WebPubSubClient; socket: FakeSocket }> {
  const server = new FakeServer();
  const client = new WebPubSubClient(URL1, { webSocketFactory: server.factory, ...options });
  const socket = await server.start(client, ...args);
  return { server, client, socket };
}

/** Joins `group` on a fresh session, the service acking it as ackId 1. */
export async function joinAcked(client: WebPubSubClient, socket: FakeSocket, group = "room"): Promise<void> {
  const join = client.joinGroup(group);
  socket.push({ type: "ack", ackId: 1, success: true });
  await join;
}

/** Drops `socket` as a lost network does (1006); the client's next socket resumes the session (open, pong). */
export async function dropAndRecover(
  server: FakeServer,
  client: WebPubSubClient,
  socket: FakeSocket,
): Promise<FakeSocket> {
  socket.serverClose(1006);
  const next = await server.socket(server.sockets.indexOf(socket) + 1);
  const recovered = nextEvent(client, "recovered");
  next.open();
  next.push({ type: "pong" });
  await recovered;
  return next;
}

/** Resolves with the next emission of `event`, or rejects after `timeoutMs` (generous: machines running CI are busy). */
export function nextEvent<K extends keyof WebPubSubClientEvents>(
  client: WebPubSubClient,
  event: K,
  timeoutMs = 10_000,
): Promise<WebPubSubClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no "${event}" event within ${timeoutMs} ms`)), timeoutMs);
    client.once(event, (args) => {
      clearTimeout(t);
      resolve(args);
    });
  });
}
