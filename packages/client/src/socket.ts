/**
 * An event listener property checked bivariantly (the "method" form), so sockets whose listeners take a narrower event
 * type (the DOM's `MessageEvent`, `ws`'s `WebSocket.Event`) are accepted.
 */
type Listener<E> = { bivarianceHack(event: E): void }["bivarianceHack"];

/**
 * The part of the WHATWG WebSocket the client uses. The global `WebSocket` (browsers, Node >= 22, Deno, Bun) and the
 * `ws` package both satisfy it.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly protocol: string;
  /** Bytes queued by send() but not yet written to the network (used for backpressure when present). */
  readonly bufferedAmount?: number;
  send(data: string | Uint8Array<ArrayBuffer>): void;
  close(code?: number, reason?: string): void;
  onopen: Listener<unknown> | null;
  onmessage: Listener<{ data: unknown }> | null;
  onclose: Listener<{ code: number; reason: string; wasClean?: boolean }> | null;
  onerror: Listener<unknown> | null;
}

/** Creates a socket for `url` offering `protocols` (one subprotocol). */
export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike;

export const OPEN = 1;

/** Sends a frame; bytes backed by anything but a plain ArrayBuffer (e.g. a SharedArrayBuffer) are copied first. */
export function sendFrame(socket: WebSocketLike, frame: string | Uint8Array): void {
  if (typeof frame === "string" || frame.buffer instanceof ArrayBuffer) {
    socket.send(frame as string | Uint8Array<ArrayBuffer>);
  } else {
    socket.send(new Uint8Array(frame));
  }
}

export function defaultWebSocketFactory(): WebSocketFactory {
  const Ctor = (globalThis as { WebSocket?: new (url: string, protocols: string[]) => WebSocketLike }).WebSocket;
  if (typeof Ctor !== "function") {
    throw new TypeError(
      "No global WebSocket in this runtime: pass options.webSocketFactory, e.g. (url, protocols) => new WebSocket(url, protocols) from the ws package",
    );
  }
  return (url, protocols) => new Ctor(url, protocols);
}

/** Frame payload from a message event: string for text frames, Uint8Array for binary ones. */
export function frameData(data: unknown): string | Uint8Array {
  if (typeof data === "string") return data;
  if (data instanceof Uint8Array) return data; // includes Node Buffers from `ws`
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) {
    // `ws` with binaryType "fragments"
    const parts = data as Uint8Array[];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.byteLength;
    }
    return out;
  }
  throw new TypeError(`Unsupported WebSocket frame type: ${Object.prototype.toString.call(data)}`);
}

/** Error message from a socket `error` event, when the runtime gives one. */
export function socketErrorMessage(event: unknown): string | undefined {
  if (event && typeof event === "object") {
    const e = event as { message?: unknown; error?: { message?: unknown } };
    if (typeof e.message === "string" && e.message) return e.message;
    if (e.error && typeof e.error.message === "string") return e.error.message;
  }
  return undefined;
}
