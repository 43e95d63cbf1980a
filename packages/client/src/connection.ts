// One WebSocket of the client and its opening handshake. A new connection is up when the service's `connected`
// message arrives. A recovery is confirmed by the first frame the service sends after the upgrade (the `pong` to the
// `ping` written on open, or a replayed message): the service refuses a recovery by accepting the upgrade and then
// closing with 1008, so an open socket proves nothing. The Connection owns the socket's state and tells its owner (the
// client) what the socket does; the client decides what that means for the session.
import { abortReason } from "@webpubsub/async/errors";
import type { ConnectedMessage } from "@webpubsub/core";
import { shown } from "@webpubsub/core/client-wire";
import { ConnectionError } from "./errors.ts";
import type { AnyDownstreamMessage } from "./features.ts";
import { loggableText, logger } from "./logger.ts";
import type { WebPubSubClientProtocol } from "./protocols.ts";
import {
  closeSocket,
  frameData,
  frameExceeds,
  sendFrame,
  socketErrorMessage,
  type WebSocketFactory,
  type WebSocketLike,
} from "./socket.ts";

/** Close code the client sends when the service sends a frame larger than maxMessageSizeInBytes. */
export const CLOSE_MESSAGE_TOO_BIG = 1009;

/** What a connection reports to the client that owns it. */
export interface ConnectionOwner {
  /** Whether `conn` is still the client's current connection: frames of any other one are ignored. */
  isCurrent(conn: Connection): boolean;
  /** A frame arrived on the current connection (liveness, whatever the frame holds). */
  received(): void;
  /** A new connection's `connected` message: the session's identity, just before the connection is ready. */
  announced(message: ConnectedMessage): void;
  /** A message to handle now, in order. */
  message(message: AnyDownstreamMessage): void;
  /** A text frame that did not decode and is ignored (see ClientFeature.undecoded). */
  undecoded(frame: string): void;
  /** The service broke the protocol on `conn` (see Connection.fault): its session must not be recovered. */
  unrecoverable(code: number, reason: string): void;
  /** The peer closed the ready connection `conn`. */
  closed(conn: Connection, code: number, reason: string): void;
  /** The ready connection is gone because the service broke the protocol (`conn` is already detached). */
  faulted(code: number, reason: string): void;
  /** `conn` is detached: nothing it does reaches the client any more. */
  detached(conn: Connection): void;
}

export interface ConnectionSettings {
  readonly factory: WebSocketFactory;
  readonly protocol: WebPubSubClientProtocol;
  readonly connectTimeoutInMs: number;
  /** Larger frames are refused with CLOSE_MESSAGE_TOO_BIG, never decoded. */
  readonly maxFrameBytes: number;
}

/** The pending opening attempt: it fails (closing the socket with `code`) or succeeds, once. */
interface PendingAttempt {
  fail(error: unknown, code?: number, reason?: string): void;
  succeed(): void;
}

export class Connection {
  declare readonly socket: WebSocketLike;
  /** Opened to resume a session (`awps_reconnection_token`), not to start one. */
  declare readonly recovery: boolean;
  /** The client switched to this connection (see activate): its closes and faults are the session's. */
  ready = false;
  closed = false;
  /** Resolves once the socket closed (or was detached and then closed). */
  declare readonly closedPromise: Promise<void>;
  /** The close event, once the socket closed. */
  declare closeEvent: { code: number; reason: string } | undefined;
  /**
   * Frames that arrived on a recovery socket after the service confirmed the session but before the client finished
   * switching to it (emitting `recovered`); the client handles them right after, in order (see activate).
   */
  #backlog: AnyDownstreamMessage[] | undefined;
  /** The service announced a session (`connected`) on this socket; a second announcement is not a new session. */
  announced = false;
  readonly #settings: ConnectionSettings;
  readonly #owner: ConnectionOwner;
  #markClosed!: () => void;
  /** Set while the opening attempt is pending. */
  #attempt: PendingAttempt | undefined;
  /** The socket's upgrade finished (`open` event). */
  #opened = false;
  /** The runtime's message of the socket's last `error` event, for the attempt's error. */
  #lastError: string | undefined;

  /** Creates the socket (connecting at once). Throws what the factory throws. */
  constructor(url: string, recovery: boolean, settings: ConnectionSettings, owner: ConnectionOwner) {
    this.recovery = recovery;
    this.#settings = settings;
    this.#owner = owner;
    this.closedPromise = new Promise<void>((resolve) => (this.#markClosed = resolve));
    this.socket = settings.factory(url, [settings.protocol.name]);
    this.socket.binaryType = "arraybuffer";
  }

  /**
   * Runs the opening handshake. Resolves with this connection once the service's `connected` message arrived (a new
   * connection; later messages are handed to the owner at once) or the service's first frame (a recovery; later frames
   * wait in the backlog). Until the client switches to it (activate), a close or a fault only marks it closed: the
   * client then counts the attempt as failed. Rejects with a ConnectionError (a failed handshake, a close before it
   * finished, the connect timeout, a protocol fault) or the AbortError of `signal`; the socket is then detached.
   */
  open(signal: AbortSignal): Promise<this> {
    const { connectTimeoutInMs } = this.#settings;
    return new Promise<this>((resolve, reject) => {
      const timer = setTimeout(
        () => this.#attempt?.fail(new ConnectionError(`No connection within ${connectTimeoutInMs} ms`)),
        connectTimeoutInMs,
      );
      const onAbort = () => this.#attempt?.fail(abortReason(signal));
      const settle = (): boolean => {
        if (this.#attempt === undefined) return false;
        this.#attempt = undefined;
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        return true;
      };
      this.#attempt = {
        fail: (error, closeCode = 1000, closeReason = "connection attempt abandoned") => {
          if (!settle()) return;
          this.abandon(closeCode, closeReason);
          reject(error);
        },
        succeed: () => {
          if (!settle()) return;
          if (this.recovery) this.#backlog = [];
          resolve(this);
        },
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener("abort", onAbort, { once: true });
      this.socket.onopen = () => this.#onOpen();
      this.socket.onerror = (event) => {
        this.#lastError = socketErrorMessage(event) ?? this.#lastError;
      };
      this.socket.onclose = (event) => this.#onClose(event.code, event.reason);
      this.socket.onmessage = (event) => this.#onMessage(event.data);
    });
  }

  #onOpen(): void {
    this.#opened = true;
    if (!this.recovery) return;
    try {
      // Any reply confirms the session; the pong is the one that always comes.
      sendFrame(this.socket, this.#settings.protocol.encode({ type: "ping" }));
    } catch (error) {
      this.#attempt?.fail(error);
    }
  }

  #onClose(code: number, reason: string): void {
    this.#closedWith(code, reason);
    logger.info(`The connection closed (code ${code}${reason ? `, ${shown(loggableText(reason))}` : ""})`);
    if (this.#attempt) {
      const what = !this.#opened
        ? "The WebSocket handshake failed (wrong URL, a rejected or expired token, or the network)"
        : this.recovery
          ? "The service closed the recovery connection before confirming the session"
          : "The connection closed before the service's connected message";
      const detail = `code ${code}${reason ? `, ${shown(reason)}` : ""}${this.#lastError ? `, ${this.#lastError}` : ""}`;
      this.#attempt.fail(new ConnectionError(`${what} (${detail})`, { code, reason }));
      return;
    }
    // A connection the client has not switched to yet: the client sees `closed` and counts a failed attempt.
    if (this.ready) this.#owner.closed(this, code, reason);
  }

  #onMessage(data: unknown): void {
    if (!this.#owner.isCurrent(this)) return;
    this.#owner.received();
    const { protocol, maxFrameBytes } = this.#settings;
    let message: AnyDownstreamMessage | undefined;
    let frame: string | Uint8Array | undefined;
    try {
      frame = frameData(data);
      if (frameExceeds(frame, maxFrameBytes)) {
        this.fault(
          CLOSE_MESSAGE_TOO_BIG,
          `The service sent a frame larger than maxMessageSizeInBytes (${maxFrameBytes} bytes)`,
        );
        return;
      }
      message = protocol.decode(frame);
    } catch {
      // an invalid frame is ignored; the service never sends one
      if (typeof frame === "string") this.#owner.undecoded(frame);
      return;
    }
    if (!message) return;
    if (this.recovery) {
      this.#attempt?.succeed();
      if (this.#backlog) this.#backlog.push(message);
      else this.#owner.message(message);
      return;
    }
    if (this.#attempt && message.type === "system" && message.event === "connected") {
      this.announced = true;
      this.#owner.announced(message);
      this.#attempt.succeed();
      return;
    }
    this.#owner.message(message);
  }

  /**
   * The client switches to this connection: it becomes ready, and what arrived on a recovery since the service
   * confirmed it (the pong, replayed messages) is returned for the client to handle, in order.
   */
  activate(): AnyDownstreamMessage[] {
    const backlog = this.#backlog ?? [];
    this.#backlog = undefined;
    this.ready = true;
    return backlog;
  }

  /**
   * The service broke the protocol on this socket (a frame too large, a sequence id out of range): close it with
   * `code` and never recover its session. A pending attempt fails with a ConnectionError carrying `code`.
   */
  fault(code: number, reason: string): void {
    logger.warning(`${reason}: closing the connection with code ${code}; its session will not be recovered`);
    this.#owner.unrecoverable(code, reason);
    if (this.#attempt) {
      this.#attempt.fail(new ConnectionError(reason, { code, reason }), code, reason);
      return;
    }
    this.abandon(code, reason);
    this.#closedWith(code, reason);
    // A connection not switched to yet: the client sees `closed`. The current connection: it is gone.
    if (this.ready) this.#owner.faulted(code, reason);
  }

  /** Detaches the socket so nothing it does later reaches the client, and closes it with `code`. */
  abandon(code: number, reason: string): void {
    const { socket } = this;
    socket.onmessage = socket.onerror = socket.onopen = () => {};
    socket.onclose = () => this.#closedWith();
    this.#owner.detached(this);
    closeSocket(socket, code, reason); // a CONNECTING socket may refuse; it is detached anyway
  }

  #closedWith(code?: number, reason?: string): void {
    this.closed = true;
    if (code !== undefined) this.closeEvent = { code, reason: reason ?? "" };
    this.#markClosed();
  }
}
