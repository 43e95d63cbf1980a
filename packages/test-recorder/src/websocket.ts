// WebSocket record and replay through a socket factory hook. Record mode wraps a real socket and logs every frame
// and lifecycle event; playback hands out a scripted socket that plays the server side back and checks what the
// client sends against the recording.

import { shownPart } from "./errors.ts";
import type { WebSocketFrame, WebSocketSession } from "./recording-format.ts";

/** The part of the WHATWG WebSocket API that client SDKs use. Global `WebSocket` and `ws` sockets both fit. */
export interface WebSocketLike {
  readonly url: string;
  readonly protocol: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly extensions: string;
  binaryType: string;
  // Handler parameters are `any` on purpose: the property must accept the DOM's handlers (MessageEvent, CloseEvent)
  // and also be assignable to client SDKs' narrower socket types ({ data: unknown }, { code, reason }). Events
  // dispatched are real Event / MessageEvent / CloseEvent objects.
  // biome-ignore lint/suspicious/noExplicitAny: see above
  onopen: ((event: any) => unknown) | null;
  // biome-ignore lint/suspicious/noExplicitAny: see above
  onmessage: ((event: any) => unknown) | null;
  // biome-ignore lint/suspicious/noExplicitAny: see above
  onclose: ((event: any) => unknown) | null;
  // biome-ignore lint/suspicious/noExplicitAny: see above
  onerror: ((event: any) => unknown) | null;
  send(data: string | ArrayBufferLike | ArrayBufferView | Blob): void;
  close(code?: number, reason?: string): void;
  addEventListener<K extends keyof WebSocketEventMap>(
    type: K,
    listener: (event: WebSocketEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof WebSocketEventMap>(
    type: K,
    listener: (event: WebSocketEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void;
}

/** Creates a WebSocket; the shape of the `webSocketFactory` option client SDKs accept. */
export type WebSocketFactory = (url: string | URL, protocols?: string | string[]) => WebSocketLike;

/** Creates sockets with the runtime's global WebSocket (Node >= 22, browsers). */
export const defaultWebSocketFactory: WebSocketFactory = (url, protocols) => {
  const Ctor = (globalThis as { WebSocket?: new (url: string | URL, protocols?: string | string[]) => WebSocketLike })
    .WebSocket;
  if (!Ctor) throw new TypeError("No global WebSocket: pass a `webSocketFactory` (for example one built on `ws`)");
  return new Ctor(url, protocols);
};

/** Normalizes the `protocols` argument to an array. */
export function protocolList(protocols: string | string[] | undefined): string[] {
  if (protocols === undefined) return [];
  return typeof protocols === "string" ? [protocols] : [...protocols];
}

type OutgoingData = string | ArrayBufferLike | ArrayBufferView | Blob;

function bytesOf(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && data instanceof SharedArrayBuffer)) {
    return new Uint8Array(data);
  }
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data) && data.every((d) => ArrayBuffer.isView(d))) {
    return new Uint8Array(
      Buffer.concat(data.map((d: ArrayBufferView) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength))),
    );
  }
  return undefined;
}

/**
 * Fills `frame` with the payload: text as is, binary as base64. Blobs are read asynchronously; the returned promise
 * (if any) settles when the frame is complete, and the frame keeps its place in the session meanwhile.
 */
function fillPayload(frame: WebSocketFrame, data: unknown): Promise<void> | undefined {
  if (typeof data === "string") {
    frame.Text = data;
    return undefined;
  }
  const bytes = bytesOf(data);
  if (bytes) {
    frame.Binary = Buffer.from(bytes).toString("base64");
    return undefined;
  }
  if (typeof Blob !== "undefined" && data instanceof Blob) {
    return data.arrayBuffer().then((b) => {
      frame.Binary = Buffer.from(b).toString("base64");
    });
  }
  throw new TypeError("WebSocket data must be a string, an ArrayBuffer, a typed array or a Blob");
}

const utf8 = new TextDecoder("utf-8");

/**
 * A close reason as text. DOM sockets give strings; `ws` passes Buffers (its own echo of a server's close, or a
 * caller's `close(code, buffer)`), and any byte container is decoded as UTF-8 (invalid bytes become U+FFFD).
 */
export function closeReasonText(reason: unknown): string | undefined {
  if (reason === undefined || reason === null) return undefined;
  if (typeof reason === "string") return reason;
  const bytes = bytesOf(reason);
  return bytes ? utf8.decode(bytes) : String(reason);
}

/**
 * Whether a close() call on a `ws` socket comes from the library, not from the client: `ws` answers a server's close
 * frame, and a malformed frame it received, by calling its own public close(). That completes a closing handshake the
 * server started, so it is not recorded as a client frame (DOM sockets do the same internally, unseen). Reads two
 * fields of `ws` sockets; on any other socket both are absent and every call counts as the client's.
 */
function closeStartedByLibrary(socket: WebSocketLike): boolean {
  const ws = socket as { _closeFrameReceived?: unknown; _receiver?: { _writableState?: { errorEmitted?: unknown } } };
  return ws._closeFrameReceived === true || ws._receiver?._writableState?.errorEmitted === true;
}

const CONNECTING = 0;
const OPEN = 1;

/**
 * Wraps a real socket so everything it exchanges is appended to `session`. The socket itself is returned (with
 * `send` and `close` instrumented), so the client gets the real object with all its behaviour. Extra arguments
 * (`ws`'s `send(data, options, callback)`) are passed through. Only what reaches the wire is recorded: a send while
 * the socket is not open and a close once it is closing are no-ops of the socket, and are not frames.
 */
export function instrumentSocket(
  socket: WebSocketLike,
  session: WebSocketSession,
  track: (pending: Promise<void>) => void,
): WebSocketLike {
  const push = (frame: WebSocketFrame, data?: unknown) => {
    session.Frames.push(frame);
    if (data !== undefined) {
      const pending = fillPayload(frame, data);
      if (pending) track(pending);
    }
  };
  socket.addEventListener("open", () => {
    session.Protocol = socket.protocol ?? "";
    push({ Direction: "Received", Event: "open" });
  });
  socket.addEventListener("message", (event: MessageEvent) =>
    push({ Direction: "Received", Event: "message" }, event.data),
  );
  socket.addEventListener("error", () => push({ Direction: "Received", Event: "error" }));
  socket.addEventListener("close", (event: CloseEvent) =>
    push({
      Direction: "Received",
      Event: "close",
      Code: event.code,
      Reason: closeReasonText(event.reason) ?? "",
      WasClean: event.wasClean,
    }),
  );
  const send = socket.send.bind(socket) as (data: OutgoingData, ...rest: unknown[]) => void;
  const close = socket.close.bind(socket) as (code?: number, reason?: unknown, ...rest: unknown[]) => void;
  const instrumented = socket as {
    send: (data: OutgoingData, ...rest: unknown[]) => void;
    close: (code?: number, reason?: unknown, ...rest: unknown[]) => void;
  };
  instrumented.send = (data: OutgoingData, ...rest: unknown[]) => {
    const open = socket.readyState === OPEN;
    send(data, ...rest);
    if (open) push({ Direction: "Sent", Event: "message" }, data);
  };
  instrumented.close = (code?: number, reason?: unknown, ...rest: unknown[]) => {
    const recorded = (socket.readyState === CONNECTING || socket.readyState === OPEN) && !closeStartedByLibrary(socket);
    close(code, reason, ...rest);
    if (!recorded) return;
    const frame: WebSocketFrame = { Direction: "Sent", Event: "close" };
    if (code !== undefined) frame.Code = code;
    const text = closeReasonText(reason);
    if (text !== undefined) frame.Reason = text;
    push(frame);
  };
  return socket;
}

/** What a replayed socket needs from its recorder. */
export interface ReplayHost {
  /** Compares an outgoing text frame (raw) with the recorded one; returns differences, empty when equal. */
  compareText(sent: string, recorded: string): string[];
  /** Compares an outgoing binary frame (raw, base64) with the recorded one; returns differences, empty when equal. */
  compareBinary(sent: string, recorded: string): string[];
  /** Reports a mismatch; the recorder fails the test at stop(). */
  fail(message: string): void;
}

function makeCloseEvent(code: number, reason: string, wasClean: boolean): CloseEvent {
  const Ctor = (globalThis as { CloseEvent?: typeof CloseEvent }).CloseEvent;
  if (Ctor) return new Ctor("close", { code, reason, wasClean });
  const event = new Event("close");
  Object.defineProperties(event, { code: { value: code }, reason: { value: reason }, wasClean: { value: wasClean } });
  return event as CloseEvent;
}

function describeFrame(frame: WebSocketFrame | undefined): string {
  if (!frame) return "(nothing: the recorded session has no more client frames)";
  if (frame.Event === "close")
    return `close(${frame.Code ?? ""}${frame.Reason ? `, ${shownPart(JSON.stringify(frame.Reason))}` : ""})`;
  if (frame.Text !== undefined) return `text ${shownPart(frame.Text)}`;
  return `binary (base64) ${shownPart(frame.Binary ?? "")}`;
}

type HandlerType = "open" | "message" | "close" | "error";

/**
 * A socket that replays a recorded session. Server frames are delivered in recorded order, one per macrotask, and a
 * server frame recorded after a client frame waits until the client has sent it. Client frames must equal the
 * recorded ones (JSON compared structurally); a difference fails the socket and the test.
 */
export class ReplayWebSocket extends EventTarget implements WebSocketLike {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;

  readonly url: string;
  readonly extensions = "";
  readonly bufferedAmount = 0;
  protocol = "";
  readyState = 0;
  binaryType = "blob";

  #session: WebSocketSession;
  #host: ReplayHost;
  #next = 0;
  #consumed = new Set<number>();
  #scheduled = false;
  #done = false;
  #handlers = new Map<HandlerType, { fn: (event: never) => unknown; wrapper: (event: Event) => void }>();

  constructor(url: string, session: WebSocketSession, host: ReplayHost) {
    super();
    this.url = url;
    this.#session = session;
    this.#host = host;
    this.#schedule();
  }

  get onopen() {
    return (this.#handlers.get("open")?.fn ?? null) as WebSocketLike["onopen"];
  }
  set onopen(fn: WebSocketLike["onopen"]) {
    this.#setHandler("open", fn);
  }
  get onmessage() {
    return (this.#handlers.get("message")?.fn ?? null) as WebSocketLike["onmessage"];
  }
  set onmessage(fn: WebSocketLike["onmessage"]) {
    this.#setHandler("message", fn);
  }
  get onclose() {
    return (this.#handlers.get("close")?.fn ?? null) as WebSocketLike["onclose"];
  }
  set onclose(fn: WebSocketLike["onclose"]) {
    this.#setHandler("close", fn);
  }
  get onerror() {
    return (this.#handlers.get("error")?.fn ?? null) as WebSocketLike["onerror"];
  }
  set onerror(fn: WebSocketLike["onerror"]) {
    this.#setHandler("error", fn);
  }

  override addEventListener(
    type: string,
    listener: ((event: never) => unknown) | EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  override removeEventListener(
    type: string,
    listener: ((event: never) => unknown) | EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  #setHandler(type: HandlerType, fn: ((event: never) => unknown) | null): void {
    const old = this.#handlers.get(type);
    if (old) this.removeEventListener(type, old.wrapper);
    this.#handlers.delete(type);
    if (typeof fn === "function") {
      const wrapper = (event: Event) => void (fn as (e: Event) => unknown).call(this, event);
      this.#handlers.set(type, { fn, wrapper });
      this.addEventListener(type, wrapper);
    }
  }

  /**
   * Sends a frame. Like `ws`, a trailing callback (`send(data, cb)`, `send(data, options, cb)`) is called once the
   * frame is taken, with an error when the socket is not open, so code written against `ws` replays too.
   */
  send(data: OutgoingData, ...rest: unknown[]): void {
    if (this.readyState === ReplayWebSocket.CONNECTING) {
      throw new DOMException("WebSocket is not open: readyState 0 (CONNECTING)", "InvalidStateError");
    }
    const callback = rest.at(-1);
    const open = this.readyState === ReplayWebSocket.OPEN;
    if (typeof callback === "function") {
      const error = open ? undefined : new Error(`WebSocket is not open: readyState ${this.readyState}`);
      setImmediate(() => (callback as (error?: Error) => void)(error));
    }
    if (!open) return;
    const frame: WebSocketFrame = { Direction: "Sent", Event: "message" };
    const pending = fillPayload(frame, data);
    if (pending) {
      pending.then(
        () => this.#checkSent(frame),
        (error: unknown) => this.#mismatch(`could not read a Blob frame: ${String(error)}`),
      );
    } else {
      this.#checkSent(frame);
    }
  }

  close(code?: number, reasonArg?: string | ArrayBuffer | ArrayBufferView): void {
    if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) {
      throw new DOMException(`close code must be 1000 or 3000-4999 (got ${code})`, "InvalidAccessError");
    }
    const reason = closeReasonText(reasonArg);
    if (this.readyState === ReplayWebSocket.CLOSING || this.readyState === ReplayWebSocket.CLOSED) return;
    this.readyState = ReplayWebSocket.CLOSING;
    const j = this.#nextSentIndex();
    const frame = j === undefined ? undefined : this.#session.Frames[j];
    if (j !== undefined && frame?.Event === "close") {
      this.#consumed.add(j);
      // Continue replaying: the recorded server close frame follows, if there is one.
      if (!this.#session.Frames.slice(j + 1).some((f) => f.Direction === "Received" && f.Event === "close")) {
        this.#finish(code ?? 1005, reason ?? "", true);
      }
      this.#schedule();
      return;
    }
    // Closed earlier than recorded: end locally, like a server acknowledging the close.
    this.#finish(code ?? 1005, reason ?? "", true);
  }

  #nextSentIndex(): number | undefined {
    const frames = this.#session.Frames;
    for (let j = this.#next; j < frames.length; j++) {
      if (frames[j]!.Direction === "Sent" && !this.#consumed.has(j)) return j;
    }
    return undefined;
  }

  #checkSent(frame: WebSocketFrame): void {
    if (this.#done) return;
    const j = this.#nextSentIndex();
    const expected = j === undefined ? undefined : this.#session.Frames[j];
    let diffs: string[];
    if (expected?.Event !== "message") {
      diffs = ["the client sent a frame the recording does not have here"];
    } else if (frame.Text !== undefined && expected.Text !== undefined) {
      diffs = this.#host.compareText(frame.Text, expected.Text);
    } else if (frame.Binary !== undefined && expected.Binary !== undefined) {
      diffs = this.#host.compareBinary(frame.Binary, expected.Binary);
    } else {
      diffs = ["frame types differ (text vs binary)"];
    }
    if (diffs.length === 0 && j !== undefined) {
      this.#consumed.add(j);
      this.#schedule();
      return;
    }
    this.#mismatch(
      [
        `Unmatched WebSocket frame in playback (${shownPart(this.#session.Url)}).`,
        `Sent:     ${describeFrame(frame)}`,
        `Recorded: ${describeFrame(expected)}`,
        "Differences:",
        ...diffs.map((d) => `    - ${d}`),
      ].join("\n"),
    );
  }

  #mismatch(message: string): void {
    this.#host.fail(message);
    if (this.#done) return;
    this.#done = true;
    setImmediate(() => {
      this.dispatchEvent(new Event("error"));
      this.readyState = ReplayWebSocket.CLOSED;
      this.dispatchEvent(makeCloseEvent(1011, "recording mismatch", false));
    });
  }

  #finish(code: number, reason: string, wasClean: boolean): void {
    if (this.#done) return;
    this.#done = true;
    setImmediate(() => {
      this.readyState = ReplayWebSocket.CLOSED;
      this.dispatchEvent(makeCloseEvent(code, reason, wasClean));
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#done) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#step();
    });
  }

  /** Delivers the next server frame if nothing the client must send comes before it. */
  #step(): void {
    const frames = this.#session.Frames;
    while (!this.#done && this.#next < frames.length) {
      const frame = frames[this.#next]!;
      if (frame.Direction === "Sent") {
        if (!this.#consumed.has(this.#next)) return; // wait for the client
        this.#next++;
        continue;
      }
      this.#next++;
      this.#deliver(frame);
      this.#schedule();
      return;
    }
  }

  #deliver(frame: WebSocketFrame): void {
    switch (frame.Event) {
      case "open":
        this.readyState = ReplayWebSocket.OPEN;
        this.protocol = this.#session.Protocol;
        this.dispatchEvent(new Event("open"));
        return;
      case "message":
        this.dispatchEvent(new MessageEvent("message", { data: this.#payload(frame) }));
        return;
      case "error":
        this.dispatchEvent(new Event("error"));
        return;
      case "close":
        this.#done = true;
        this.readyState = ReplayWebSocket.CLOSED;
        this.dispatchEvent(makeCloseEvent(frame.Code ?? 1005, frame.Reason ?? "", frame.WasClean ?? true));
        return;
    }
  }

  #payload(frame: WebSocketFrame): unknown {
    if (frame.Text !== undefined) return frame.Text;
    const bytes = Buffer.from(frame.Binary ?? "", "base64");
    if (this.binaryType === "nodebuffer") return bytes;
    if (this.binaryType === "arraybuffer")
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    return new Blob([bytes]);
  }
}
