// The WebSocket as the client uses it: the WebSocketLike interface, the default factory, frame data, frame sizes and a
// close that never throws.
import { asBytes } from "./payload.ts";
import { utf8Length } from "./utf8-length.ts";

/**
 * An event listener property checked bivariantly (the "method" form), so sockets whose listeners take a narrower event
 * type (the DOM's `MessageEvent`, `ws`'s `WebSocket.Event`) are accepted.
 */
type Listener<E> = { bivarianceHack(event: E): void }["bivarianceHack"];

/**
 * Bytes backed by a plain ArrayBuffer, spelled so that declarations work with every TypeScript >= 5.0: 5.7 made
 * `Uint8Array` generic and `slice()` returns `Uint8Array<ArrayBuffer>` there (what `WebSocket.send` accepts); before
 * 5.7 the same expression is the plain `Uint8Array` (writing `Uint8Array<ArrayBuffer>` fails there with TS2315).
 */
export type ArrayBufferBytes = ReturnType<Uint8Array["slice"]>;

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
  send(data: string | ArrayBufferBytes): void;
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
    socket.send(frame as string | ArrayBufferBytes);
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
  const bytes = asBytes(data);
  if (bytes) return bytes;
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
  throw new TypeError(`Unsupported WebSocket frame data: ${typeof data}`);
}

/**
 * Closes a socket with `code`. The WHATWG WebSocket (browsers, Node's global) only lets a client send 1000 and
 * 3000-4999, so a protocol code it refuses (1002, 1009) goes out as 4000 + (code - 1000), e.g. 4009; the `ws` package
 * sends it as is. Never throws: a socket that refuses even that (still connecting) is left to fail on its own.
 */
export function closeSocket(socket: WebSocketLike, code: number, reason: string): void {
  try {
    socket.close(code, reason);
    return;
  } catch {
    // refused: a code the socket does not allow, or a socket that cannot be closed in its state
  }
  if (code > 1000 && code < 2000) {
    try {
      socket.close(4000 + (code - 1000), reason);
    } catch {
      // nothing more to do: the socket is detached by the caller anyway
    }
  }
}

/** The service's largest message: a REST body or a client frame of 1 MiB. */
const SERVICE_MESSAGE_BYTES = 1024 * 1024;
/** Room for what travels around the data: type, group, user id, up to 8 KiB of metadata. */
const ENVELOPE_BYTES = 64 * 1024;
/** JSON may write one input byte as six (`\u001f`; some encoders escape `<`, `&` or non-ASCII the same way). */
const JSON_ESCAPE_FACTOR = 6;

/** Default largest frame accepted from the service: what a 1 MiB message can become in the protocol's encoding. */
export function defaultMaxFrameBytes(binaryProtocol: boolean): number {
  return SERVICE_MESSAGE_BYTES * (binaryProtocol ? 1 : JSON_ESCAPE_FACTOR) + ENVELOPE_BYTES;
}

/**
 * Whether a frame is larger than `limit` bytes (UTF-8 bytes for text frames). Cheap for every frame: the exact UTF-8
 * length is counted only when a string's length alone cannot decide (between limit/3 and limit UTF-16 units: each
 * unit is one to three bytes).
 */
export function frameExceeds(frame: string | Uint8Array, limit: number): boolean {
  if (typeof frame !== "string") return frame.byteLength > limit;
  return frame.length > limit || (frame.length * 3 > limit && utf8Length(frame) > limit);
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
