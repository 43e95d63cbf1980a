import { AbortError, AsyncQueue, backoffDelay, delay } from "@webpubsub/async";
import {
  type DownstreamMessage,
  EVENT_NAME_PATTERN,
  type GroupDataMessage,
  isValidEventName,
  type UpstreamMessage,
  validateGroupName,
} from "@webpubsub/core";
import { AckManager, type WebPubSubResult } from "./ack-manager.ts";
import { DrainWaiter } from "./drain-waiter.ts";
import { TypedEmitter } from "./emitter.ts";
import { ConnectionError, isRetryableSendError, SendMessageError } from "./errors.ts";
import { watchNetworkEvents } from "./network-events.ts";
import {
  type ResolvedOptions,
  type ResolvedRetryOptions,
  resolveOptions,
  type WebPubSubClientOptions,
} from "./options.ts";
import { toPayload, type WebPubSubDataType } from "./payload.ts";
import { resolveProtocol, type WebPubSubClientProtocol } from "./protocols.ts";
import { ReconnectBackoff } from "./reconnect-backoff.ts";
import { MAX_SEQUENCE_GAP, SequenceTracker } from "./sequence-tracker.ts";
import {
  closeSocket,
  defaultMaxFrameBytes,
  defaultWebSocketFactory,
  frameData,
  frameExceeds,
  OPEN,
  sendFrame,
  socketErrorMessage,
  type WebSocketFactory,
  type WebSocketLike,
} from "./socket.ts";
import type {
  DataMessage,
  GroupOptions,
  MessageStreamOptions,
  SendOptions,
  SendToGroupOptions,
  StartOptions,
  WebPubSubClientCredential,
  WebPubSubClientEvents,
  WebPubSubClientState,
} from "./types.ts";
import { validateGroupOptions, validateSendOptions, validateSignal, validateUrl } from "./validation.ts";

const STOP_GRACE_MS = 3000;
const KEEPALIVE_CLOSE_CODE = 4000;
const SEQUENCE_ACK_DELAY_MS = 500;
/** Sends wait while the socket buffers more than this many unsent bytes. */
const SEND_HIGH_WATER_BYTES = 1024 * 1024;
/** How long a liveness probe (after an `online`, `offline` or `visibilitychange` event) waits for any frame. */
const LIVENESS_PROBE_TIMEOUT_MS = 5000;
/** Close codes the client sends when the service breaks the protocol: a frame too large, a sequence id out of range. */
const CLOSE_MESSAGE_TOO_BIG = 1009;
const CLOSE_PROTOCOL_ERROR = 1002;

interface Conn {
  readonly socket: WebSocketLike;
  /** Handshake finished: the connection is the client's current one. */
  ready: boolean;
  closed: boolean;
  readonly closedPromise: Promise<void>;
  markClosed(): void;
  /**
   * Frames that arrived on a recovery socket after the service confirmed the session but before the client finished
   * switching to it (emitting `recovered`); they are handled right after, in order.
   */
  backlog: DownstreamMessage[] | undefined;
  /** The close event, once the socket closed. */
  closeEvent: { code: number; reason: string } | undefined;
  /** The service announced a session (`connected`) on this socket; a second announcement is not a new session. */
  announced: boolean;
  /** The service broke the protocol on this socket: close it with `code` and never recover the session. */
  fault(code: number, reason: string): void;
}

interface Subscriber {
  readonly queue: AsyncQueue<DataMessage>;
  readonly group: string | undefined;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason instanceof Error ? signal.reason : new AbortError("The operation was aborted");
}

/** WebSocket client for Azure Web PubSub (json / reliable json / protobuf / reliable protobuf subprotocols). */
export class WebPubSubClient {
  readonly #getUrl: (signal: AbortSignal) => Promise<string>;
  readonly #protocol: WebPubSubClientProtocol;
  readonly #options: ResolvedOptions;
  readonly #factory: WebSocketFactory;
  readonly #emitter: TypedEmitter<WebPubSubClientEvents>;
  readonly #acks: AckManager;
  readonly #drain: DrainWaiter;
  readonly #seq = new SequenceTracker();
  readonly #backoff: ReconnectBackoff;
  readonly #maxFrameBytes: number;
  readonly #groups = new Set<string>();
  readonly #subscribers = new Set<Subscriber>();

  #state: WebPubSubClientState = "Stopped";
  #conn: Conn | undefined;
  #run: AbortController | undefined;
  #stopping: Promise<void> | undefined;
  #nextAckId = 1;
  #connectionId: string | undefined;
  #userId: string | null = null;
  #reconnectionToken: string | undefined;
  #sessionUrl: string | undefined;
  #lastDisconnectedMessage: string | undefined;
  #lastReceivedAt = 0;
  #keepAliveTimer: ReturnType<typeof setInterval> | undefined;
  #seqAckTimer: ReturnType<typeof setTimeout> | undefined;
  #probeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Frames received on any socket of this client: a liveness probe passes when it moves. */
  #framesReceived = 0;
  /** Why the current session cannot be recovered (the service broke the protocol); cleared by a new session. */
  #unrecoverable: { code: number; reason: string } | undefined;
  /** Removes the online/offline/visibilitychange listeners of the current run. */
  #unwatchNetwork: (() => void) | undefined;

  constructor(credential: string | WebPubSubClientCredential, options: WebPubSubClientOptions = {}) {
    if (typeof credential === "string") {
      validateUrl(credential, "clientAccessUrl");
      this.#getUrl = () => Promise.resolve(credential);
    } else if (credential && typeof credential === "object" && "getClientAccessUrl" in credential) {
      const source = credential.getClientAccessUrl;
      if (typeof source === "string") {
        validateUrl(source, "credential.getClientAccessUrl");
        this.#getUrl = () => Promise.resolve(source);
      } else if (typeof source === "function") {
        this.#getUrl = async (signal) => {
          const url = await source({ abortSignal: signal });
          validateUrl(url, "the URL returned by getClientAccessUrl");
          return url;
        };
      } else {
        throw new TypeError("credential.getClientAccessUrl must be a string or a function returning Promise<string>");
      }
    } else {
      throw new TypeError("credential must be a client access URL string or { getClientAccessUrl }");
    }
    this.#options = resolveOptions(options);
    this.#protocol = resolveProtocol(options.protocol);
    this.#backoff = new ReconnectBackoff(
      retryAsyncOptions(this.#options.reconnectRetryOptions),
      this.#options.stableConnectionInMs,
    );
    this.#maxFrameBytes = this.#options.maxMessageSizeInBytes ?? defaultMaxFrameBytes(this.#protocol.binary === true);
    if (options.webSocketFactory !== undefined && typeof options.webSocketFactory !== "function") {
      throw new TypeError("options.webSocketFactory must be a function (url, protocols) => WebSocket");
    }
    this.#factory = options.webSocketFactory ?? defaultWebSocketFactory();
    if (options.onListenerError !== undefined && typeof options.onListenerError !== "function") {
      throw new TypeError("options.onListenerError must be a function");
    }
    const onListenerError =
      options.onListenerError ??
      ((event: string, error: unknown) => console.error(`[webpubsub] a "${event}" listener threw:`, error));
    this.#emitter = new TypedEmitter(onListenerError);
    this.#acks = new AckManager(this.#options.ackTimeoutInMs);
    // A send waits for the drain at most as long as it would wait for its ack.
    this.#drain = new DrainWaiter(
      () => this.#stoppedOrStopping() || (this.#conn?.socket.bufferedAmount ?? 0) <= SEND_HIGH_WATER_BYTES / 2,
      this.#options.ackTimeoutInMs,
    );
  }

  /** Current lifecycle state. */
  get state(): WebPubSubClientState {
    return this.#state;
  }
  /** Id of the current (or recovering) connection. */
  get connectionId(): string | undefined {
    return this.#connectionId;
  }
  get userId(): string | null {
    return this.#userId;
  }
  /** Subprotocol in use. */
  get protocol(): string {
    return this.#protocol.name;
  }

  on<K extends keyof WebPubSubClientEvents>(event: K, listener: (args: WebPubSubClientEvents[K]) => unknown): void {
    this.#emitter.on(event, listener);
  }
  off<K extends keyof WebPubSubClientEvents>(event: K, listener: (args: WebPubSubClientEvents[K]) => unknown): void {
    this.#emitter.off(event, listener);
  }
  once<K extends keyof WebPubSubClientEvents>(event: K, listener: (args: WebPubSubClientEvents[K]) => unknown): void {
    this.#emitter.once(event, listener);
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Connects. Resolves once the service's `connected` message arrived; rejects with the reason when this first
   * connection fails (the client is then Stopped again and emits nothing).
   */
  async start(options: StartOptions = {}): Promise<void> {
    if (options === null || typeof options !== "object") throw new TypeError("options must be an object");
    validateSignal(options.abortSignal, "options.abortSignal");
    if (this.#state !== "Stopped") throw new Error(`start() needs a Stopped client; the client is ${this.#state}`);
    options.abortSignal?.throwIfAborted();
    const run = new AbortController();
    this.#run = run;
    this.#state = "Connecting";
    const signal = options.abortSignal ? AbortSignal.any([run.signal, options.abortSignal]) : run.signal;
    this.#backoff.reset();
    this.#unwatchNetwork = watchNetworkEvents({
      online: () => this.#onNetworkHint(true),
      offline: () => this.#onNetworkHint(false),
      visible: () => this.#onNetworkHint(true),
    });
    try {
      await this.#connectNew(signal);
    } catch (error) {
      if (this.#run === run && this.#state === "Connecting") {
        this.#teardownConn(1000, "start failed");
        this.#run = undefined;
        this.#state = "Stopped";
        this.#stopWatchingNetwork();
      }
      throw error;
    }
    this.#backoff.up();
    this.#onConnectedNew(run);
  }

  /** Closes the connection and resolves after the `stopped` event. Safe to call in any state. */
  stop(): Promise<void> {
    if (this.#state === "Stopped") return Promise.resolve();
    if (this.#stopping) return this.#stopping;
    this.#state = "Stopping";
    this.#run?.abort(new AbortError("The client was stopped"));
    this.#drain.release();
    this.#stopping = this.#doStop();
    return this.#stopping;
  }

  async #doStop(): Promise<void> {
    const conn = this.#conn;
    this.#stopTimers();
    if (conn && !conn.closed) {
      // A normal close ends the service-side session. Do not wait forever on a half-open socket.
      try {
        conn.socket.close(1000, "stopped");
      } catch {
        // already closing
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([conn.closedPromise, new Promise<void>((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
      clearTimeout(timer);
    }
    this.#finishStopped(undefined);
  }

  /** Ends the run: rejects pending operations, ends message streams, emits `stopped`. */
  #finishStopped(error: unknown): void {
    if (this.#state === "Stopped") return;
    this.#stopTimers();
    this.#stopWatchingNetwork();
    this.#teardownConn(1000, "stopped");
    this.#run?.abort(new AbortError("The client was stopped"));
    this.#backoff.reset();
    this.#run = undefined;
    this.#state = "Stopped";
    this.#stopping = undefined;
    this.#connectionId = undefined;
    this.#reconnectionToken = undefined;
    this.#groups.clear();
    this.#seq.reset();
    this.#acks.rejectAll(
      (ackId) => new SendMessageError("The client stopped before the ack arrived", { ackId, retryable: false }),
    );
    for (const sub of this.#subscribers) sub.queue.end();
    this.#subscribers.clear();
    this.#drain.release();
    this.#emitter.emit("stopped", { error });
  }

  /** Gets a fresh URL and opens a brand-new connection (new session). */
  async #connectNew(signal: AbortSignal): Promise<void> {
    const url = await this.#getUrl(signal);
    signal.throwIfAborted();
    this.#seq.reset();
    this.#clearSeqAckTimer();
    this.#connectionId = undefined;
    this.#reconnectionToken = undefined;
    this.#lastDisconnectedMessage = undefined;
    this.#unrecoverable = undefined;
    await this.#open(url, false, signal);
    this.#sessionUrl = url;
  }

  /**
   * Opens a socket. A new connection is ready on the `connected` message. A recovery is ready on the first frame the
   * service sends after the upgrade (the `pong` to the `ping` written on open, or a replayed message): the service
   * rejects a recovery by accepting the upgrade and then closing with 1008, so an open socket alone proves nothing.
   * A recovered connection resolves with `conn.ready` still false; the caller finishes the switch (#finishRecovery).
   */
  #open(url: string, recovery: boolean, signal: AbortSignal): Promise<Conn> {
    signal.throwIfAborted();
    const socket = this.#factory(url, [this.#protocol.name]);
    socket.binaryType = "arraybuffer";
    let markClosed!: () => void;
    const closedPromise = new Promise<void>((r) => (markClosed = r));
    const conn: Conn = {
      socket,
      ready: false,
      closed: false,
      closedPromise,
      markClosed,
      backlog: undefined,
      closeEvent: undefined,
      announced: false,
      fault: () => {},
    };
    this.#conn = conn;
    this.#lastReceivedAt = Date.now();

    return new Promise<Conn>((resolve, reject) => {
      let lastError: string | undefined;
      let settled = false;
      const timer = setTimeout(
        () => fail(new ConnectionError(`No connection within ${this.#options.connectTimeoutInMs} ms`)),
        this.#options.connectTimeoutInMs,
      );
      const onAbort = () => fail(abortReason(signal));
      signal.addEventListener("abort", onAbort, { once: true });
      const cleanup = () => {
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
      };
      const fail = (error: unknown, closeCode = 1000, closeReason = "connection attempt abandoned") => {
        if (settled) return;
        cleanup();
        this.#abandon(conn, closeCode, closeReason);
        reject(error);
      };
      conn.fault = (code, reason) => {
        this.#unrecoverable = { code, reason };
        if (!settled) {
          fail(new ConnectionError(reason, { code, reason }), code, reason);
          return;
        }
        this.#abandon(conn, code, reason);
        conn.closed = true;
        conn.closeEvent = { code, reason };
        conn.markClosed();
        // A confirmed recovery not switched to yet: #recover sees the fault. A current connection: it is gone.
        if (conn.ready) this.#dropped(code, reason);
      };
      const succeed = () => {
        if (settled) return;
        cleanup();
        if (recovery) conn.backlog = [];
        else conn.ready = true;
        resolve(conn);
      };
      let opened = false;
      socket.onopen = () => {
        opened = true;
        if (!recovery) return;
        try {
          // Any reply confirms the session; the pong is the one that always comes.
          sendFrame(socket, this.#protocol.encode({ type: "ping" }));
        } catch (error) {
          fail(error);
        }
      };
      socket.onerror = (event) => {
        lastError = socketErrorMessage(event) ?? lastError;
      };
      socket.onclose = (event) => {
        conn.closed = true;
        conn.closeEvent = { code: event.code, reason: event.reason };
        conn.markClosed();
        if (!settled) {
          fail(
            new ConnectionError(
              `${opened ? (recovery ? "The service closed the recovery connection before confirming the session" : "The connection closed before the service's connected message") : "The WebSocket handshake failed (wrong URL, a rejected or expired token, or the network)"} (code ${event.code}${event.reason ? `, ${event.reason}` : ""}${lastError ? `, ${lastError}` : ""})`,
              { code: event.code, reason: event.reason },
            ),
          );
          return;
        }
        // A confirmed recovery the client has not switched to yet: #recover sees conn.closed and tries again.
        if (!conn.ready) return;
        this.#onConnClosed(conn, event.code, event.reason);
      };
      socket.onmessage = (event) => {
        if (this.#conn !== conn) return;
        this.#lastReceivedAt = Date.now();
        this.#framesReceived++;
        let message: DownstreamMessage | undefined;
        try {
          const frame = frameData(event.data);
          if (frameExceeds(frame, this.#maxFrameBytes)) {
            conn.fault(
              CLOSE_MESSAGE_TOO_BIG,
              `The service sent a frame larger than maxMessageSizeInBytes (${this.#maxFrameBytes} bytes)`,
            );
            return;
          }
          message = this.#protocol.decode(frame);
        } catch {
          return; // an invalid frame is ignored; the service never sends one
        }
        if (!message) return;
        if (recovery) {
          if (!settled) succeed();
          if (conn.backlog) {
            conn.backlog.push(message);
            return;
          }
          this.#handleMessage(message);
          return;
        }
        if (message.type === "system" && message.event === "connected" && !settled) {
          conn.announced = true;
          this.#connectionId = message.connectionId;
          this.#userId = message.userId ?? null;
          this.#reconnectionToken = message.reconnectionToken;
          succeed();
          return;
        }
        this.#handleMessage(message);
      };
    });
  }

  /** A new connection is up: flush pending operations, rejoin groups, then emit `connected`. */
  #onConnectedNew(run: AbortController): void {
    this.#state = "Connected";
    this.#startKeepAlive();
    this.#flushPending();
    const connectionId = this.#connectionId as string;
    const userId = this.#userId;
    const groups = this.#options.autoRejoinGroups ? [...this.#groups] : [];
    if (!this.#options.autoRejoinGroups) this.#groups.clear();
    if (groups.length === 0) {
      this.#emitter.emit("connected", { connectionId, userId });
      return;
    }
    void Promise.all(
      groups.map((group) =>
        this.#operation({ type: "joinGroup", group }, {}).catch((error: unknown) => {
          this.#groups.delete(group);
          if (!run.signal.aborted) this.#emitter.emit("rejoin-group-failed", { group, error });
        }),
      ),
    ).then(() => {
      if (!run.signal.aborted && this.#connectionId === connectionId) {
        this.#emitter.emit("connected", { connectionId, userId });
      }
    });
  }

  #handleMessage(message: DownstreamMessage): void {
    switch (message.type) {
      case "message": {
        const sequenceId = message.sequenceId;
        if (sequenceId !== undefined && this.#protocol.isReliableSubProtocol) {
          if (!this.#seq.plausible(sequenceId)) {
            // Accepting it would make every later message of the session look like a duplicate.
            this.#conn?.fault(
              CLOSE_PROTOCOL_ERROR,
              `The service sent sequenceId ${sequenceId} after ${this.#seq.lastSequenceId}, more than ${MAX_SEQUENCE_GAP} ahead`,
            );
            return;
          }
          if (!this.#seq.receive(sequenceId)) {
            this.#seq.forceResend();
            this.#scheduleSeqAck();
            return;
          }
          this.#scheduleSeqAck();
        }
        if (message.from === "group") this.#emitter.emit("group-message", { message });
        else this.#emitter.emit("server-message", { message });
        if (this.#subscribers.size) {
          for (const sub of this.#subscribers) {
            if (sub.group === undefined || (message.from === "group" && message.group === sub.group)) {
              sub.queue.push(message);
            }
          }
        }
        return;
      }
      case "ack":
        this.#acks.handleAck(message);
        return;
      case "system":
        if (message.event === "disconnected") {
          this.#lastDisconnectedMessage = message.message;
        } else if (message.event === "connected") {
          const conn = this.#conn;
          if (message.connectionId === this.#connectionId) {
            // A recovered session may hand out a fresh reconnection token; it is not a new connection.
            if (message.reconnectionToken) this.#reconnectionToken = message.reconnectionToken;
          } else if (conn && !conn.announced) {
            // The service started a new session on this (recovered) socket: treat it as a new connection. Only once:
            // one socket carries one session, so later announcements are ignored (no rejoin storm).
            conn.announced = true;
            this.#seq.reset();
            this.#connectionId = message.connectionId;
            this.#userId = message.userId ?? null;
            this.#reconnectionToken = message.reconnectionToken;
            if (this.#run) this.#onConnectedNew(this.#run);
          }
        }
        return;
      default:
        return; // pong: liveness was recorded on receipt
    }
  }

  // ---------------------------------------------------------------- drops, recovery, reconnect

  #onConnClosed(conn: Conn, code: number, reason: string): void {
    if (this.#conn !== conn) return;
    this.#conn = undefined;
    this.#dropped(code, reason);
  }

  /** The current connection is gone (closed, or abandoned by keep-alive). */
  #dropped(code: number, reason: string): void {
    this.#backoff.down();
    this.#stopTimers();
    this.#drain.release(); // waiting sends go on: they are queued for the next connection
    this.#acks.markAllUnsent();
    const run = this.#run;
    if (this.#state === "Stopping" || this.#state === "Stopped" || !run) return;
    void this.#afterDrop(run, code, reason);
  }

  async #afterDrop(run: AbortController, code: number, reason: string): Promise<void> {
    const canRecover =
      this.#protocol.isReliableSubProtocol &&
      this.#connectionId !== undefined &&
      this.#reconnectionToken !== undefined &&
      this.#sessionUrl !== undefined &&
      code !== 1008 &&
      this.#unrecoverable === undefined &&
      this.#options.recoveryWindowInMs > 0;
    let close = { code, reason };
    if (canRecover) {
      const outcome = await this.#recover(run);
      if (outcome === true) return;
      // A rejected recovery (1008) is why the session ended: report that close rather than the original drop.
      if (outcome?.code === 1008) close = outcome;
    }
    // The service broke the protocol (a frame too large, a sequence id out of range): that is why the session ended.
    if (this.#unrecoverable) close = this.#unrecoverable;
    if (run.signal.aborted) return;
    this.#emitter.emit("disconnected", {
      connectionId: this.#connectionId,
      message: this.#lastDisconnectedMessage ?? (close.reason || undefined),
      code: close.code,
    });
    if (run.signal.aborted) return;
    if (!this.#options.autoReconnect) {
      this.#finishStopped(new ConnectionError(`The connection was lost (code ${close.code})`, close));
      return;
    }
    await this.#reconnect(run);
  }

  /**
   * Tries to resume the session within the recovery window. Resolves `true` when recovered, or the close that ended
   * the last attempt (a 1008 means the service rejected the recovery: the session is gone, so stop trying). Every
   * attempt waits its backoff first (see ReconnectBackoff); one whose wait would end past the window is not made.
   */
  async #recover(run: AbortController): Promise<true | { code: number; reason: string } | undefined> {
    const connectionId = this.#connectionId as string;
    this.#state = "Recovering";
    this.#emitter.emit("recovering", { connectionId });
    const deadline = Date.now() + this.#options.recoveryWindowInMs;
    let lastClose: { code: number; reason: string } | undefined;
    for (let attempt = 1; ; attempt++) {
      if (run.signal.aborted) return undefined;
      if (this.#unrecoverable) return this.#unrecoverable;
      const wait = this.#backoff.recoveryDelay(attempt);
      if (Date.now() + wait >= deadline) return lastClose;
      try {
        await this.#backoff.wait(wait, run.signal);
      } catch {
        return undefined;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return lastClose;
      const url = new URL(this.#sessionUrl as string);
      url.searchParams.set("awps_connection_id", connectionId);
      url.searchParams.set("awps_reconnection_token", this.#reconnectionToken as string);
      // The attempt may not outlive the window (a timer of our own rather than AbortSignal.timeout, which fake timers
      // in tests cannot drive).
      const windowEnd = new AbortController();
      const windowTimer = setTimeout(
        () => windowEnd.abort(new ConnectionError("The recovery window passed during the attempt")),
        remaining,
      );
      try {
        const conn = await this.#open(url.toString(), true, AbortSignal.any([run.signal, windowEnd.signal]));
        if (run.signal.aborted) return undefined;
        if (conn.closed) {
          // Confirmed, then lost before the switch: another attempt (unless the service said 1008).
          const close = conn.closeEvent ?? { code: 1006, reason: "" };
          if (this.#conn === conn) this.#conn = undefined;
          throw new ConnectionError(`The recovered connection closed at once (code ${close.code})`, close);
        }
        this.#finishRecovery(conn, connectionId);
        return true;
      } catch (error) {
        if (run.signal.aborted) return undefined;
        if (error instanceof ConnectionError && error.code !== undefined) {
          lastClose = { code: error.code, reason: error.reason ?? "" };
          if (error.code === 1008) return lastClose;
        }
      } finally {
        clearTimeout(windowTimer);
      }
    }
  }

  /** The service confirmed the session on `conn`: make it current, resend what is pending, emit `recovered`. */
  #finishRecovery(conn: Conn, connectionId: string): void {
    const backlog = conn.backlog ?? [];
    conn.backlog = undefined;
    conn.ready = true;
    this.#state = "Connected";
    this.#backoff.up();
    this.#startKeepAlive();
    if (this.#seq.lastSequenceId > 0) {
      this.#seq.forceResend();
      this.#sendSeqAck();
    }
    this.#flushPending();
    this.#emitter.emit("recovered", { connectionId });
    // Frames that confirmed the session (the pong, replayed messages), in order. A listener may have stopped the
    // client or the socket may have changed meanwhile: then they no longer belong to the client.
    for (const message of backlog) {
      if (this.#conn !== conn || this.#state !== "Connected") break;
      this.#handleMessage(message);
    }
  }

  /**
   * Opens new connections until one works, retries run out, or stop(). Every attempt, the first one too, waits its
   * backoff first; the wait grows with each connection that did not stay up (see ReconnectBackoff).
   */
  async #reconnect(run: AbortController): Promise<void> {
    this.#state = "Connecting";
    const retry = this.#options.reconnectRetryOptions;
    let lastError: unknown;
    for (let attempt = 1; attempt <= retry.maxRetries + 1; attempt++) {
      try {
        await this.#backoff.wait(this.#backoff.reconnectDelay(attempt), run.signal);
      } catch {
        return;
      }
      try {
        await this.#connectNew(run.signal);
        if (run.signal.aborted) return;
        this.#backoff.up();
        this.#onConnectedNew(run);
        return;
      } catch (error) {
        if (run.signal.aborted) return;
        lastError = error;
      }
    }
    this.#finishStopped(lastError);
  }

  /** Detaches a socket so nothing it does later reaches the client, and closes it. */
  #abandon(conn: Conn, code: number, reason: string): void {
    const { socket } = conn;
    socket.onmessage = () => {};
    socket.onerror = () => {};
    socket.onopen = () => {};
    socket.onclose = () => {
      conn.closed = true;
      conn.markClosed();
    };
    if (this.#conn === conn) this.#conn = undefined;
    closeSocket(socket, code, reason); // a CONNECTING socket may refuse; it is detached anyway
  }

  #teardownConn(code: number, reason: string): void {
    const conn = this.#conn;
    if (conn) this.#abandon(conn, code, reason);
  }

  // ---------------------------------------------------------------- keep-alive and sequence acks

  #startKeepAlive(): void {
    const { keepAliveIntervalInMs: interval, keepAliveTimeoutInMs: timeout } = this.#options;
    if (this.#keepAliveTimer !== undefined) clearInterval(this.#keepAliveTimer);
    this.#keepAliveTimer = undefined;
    if (interval === 0 && timeout === 0) return;
    const tick = Math.max(
      10,
      Math.min(interval || Number.POSITIVE_INFINITY, timeout ? timeout / 4 : Number.POSITIVE_INFINITY),
    );
    this.#lastReceivedAt = Date.now();
    this.#keepAliveTimer = setInterval(() => this.#keepAliveTick(), tick);
    (this.#keepAliveTimer as { unref?: () => void }).unref?.();
  }

  #keepAliveTick(): void {
    const conn = this.#conn;
    if (!conn || this.#state !== "Connected") return;
    const idle = Date.now() - this.#lastReceivedAt;
    const { keepAliveIntervalInMs: interval, keepAliveTimeoutInMs: timeout } = this.#options;
    if (timeout > 0 && idle >= timeout) {
      // Half-open: nothing (not even a pong) came back. Drop it without a normal close so the session stays recoverable.
      this.#abandon(conn, KEEPALIVE_CLOSE_CODE, "keep-alive timeout");
      this.#dropped(1006, "keep-alive timeout");
      return;
    }
    if (interval > 0 && idle >= interval) this.#write({ type: "ping" });
  }

  /**
   * Checks the connection now rather than at the next keep-alive tick (the browser reported a network change or the
   * page woke up): pings, and drops the connection like a keep-alive timeout, recoverably, when no frame at all arrives
   * within LIVENESS_PROBE_TIMEOUT_MS (or keepAliveTimeoutInMs when shorter; with 0 it only pings).
   */
  #probe(): void {
    const conn = this.#conn;
    if (!conn || this.#state !== "Connected" || this.#probeTimer !== undefined) return;
    const frames = this.#framesReceived;
    if (!this.#write({ type: "ping" })) return;
    const { keepAliveTimeoutInMs } = this.#options;
    if (keepAliveTimeoutInMs === 0) return;
    this.#probeTimer = setTimeout(
      () => {
        this.#probeTimer = undefined;
        if (this.#conn !== conn || this.#state !== "Connected" || this.#framesReceived !== frames) return;
        this.#abandon(conn, KEEPALIVE_CLOSE_CODE, "liveness probe timeout");
        this.#dropped(1006, "liveness probe timeout");
      },
      Math.min(LIVENESS_PROBE_TIMEOUT_MS, keepAliveTimeoutInMs),
    );
    (this.#probeTimer as { unref?: () => void }).unref?.();
  }

  /**
   * The runtime hinted that the network changed or the page woke up (browsers only). Connected: probe the connection.
   * Waiting to reconnect or recover: try now rather than at the end of the backoff (`online` and `visible` only; the
   * backoff count is kept, so this cannot turn into a storm).
   */
  #onNetworkHint(tryNow: boolean): void {
    if (this.#state === "Connected") this.#probe();
    else if (tryNow && (this.#state === "Connecting" || this.#state === "Recovering")) this.#backoff.wake();
  }

  #stopWatchingNetwork(): void {
    this.#unwatchNetwork?.();
    this.#unwatchNetwork = undefined;
  }

  #scheduleSeqAck(): void {
    if (this.#seq.overThreshold) {
      this.#sendSeqAck();
      return;
    }
    if (this.#seqAckTimer === undefined) {
      this.#seqAckTimer = setTimeout(() => {
        this.#seqAckTimer = undefined;
        this.#sendSeqAck();
      }, SEQUENCE_ACK_DELAY_MS);
    }
  }

  #sendSeqAck(): void {
    if (!this.#seq.dirty || this.#state !== "Connected" || this.#conn?.socket.readyState !== OPEN) return;
    this.#clearSeqAckTimer();
    this.#write({ type: "sequenceAck", sequenceId: this.#seq.takeAck() });
  }

  #clearSeqAckTimer(): void {
    if (this.#seqAckTimer !== undefined) clearTimeout(this.#seqAckTimer);
    this.#seqAckTimer = undefined;
  }

  #stopTimers(): void {
    if (this.#keepAliveTimer !== undefined) clearInterval(this.#keepAliveTimer);
    this.#keepAliveTimer = undefined;
    if (this.#probeTimer !== undefined) clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
    this.#clearSeqAckTimer();
  }

  // ---------------------------------------------------------------- sending

  #stoppedOrStopping(): boolean {
    return this.#state === "Stopped" || this.#state === "Stopping";
  }

  #canWrite(): boolean {
    return this.#state === "Connected" && this.#conn !== undefined && this.#conn.socket.readyState === OPEN;
  }

  #write(message: UpstreamMessage): boolean {
    if (!this.#canWrite()) return false;
    sendFrame((this.#conn as Conn).socket, this.#protocol.encode(message));
    return true;
  }

  #flushPending(): void {
    if (!this.#acks.size) return;
    const socket = (this.#conn as Conn).socket;
    for (const frame of this.#acks.takeUnsent()) sendFrame(socket, frame);
  }

  /** The socket holds more unsent bytes than the high-water mark (browsers' send() never pushes back). */
  #congested(): boolean {
    return (this.#conn?.socket.bufferedAmount ?? 0) > SEND_HIGH_WATER_BYTES;
  }

  /**
   * Waits until the socket drained below half the high-water mark, the connection dropped, or the client stopped
   * (see DrainWaiter: there is no drain event to wait on, so it polls, with one shared, backed-off timer).
   */
  #drained(signal: AbortSignal | undefined): Promise<void> {
    return this.#drain.wait(signal, abortReason);
  }

  /** Runs one acked (or fire-and-forget) operation with retries that reuse its ackId. */
  async #operation(message: UpstreamMessage & { ackId?: number }, options: SendOptions): Promise<WebPubSubResult> {
    if (this.#state === "Stopped" || this.#state === "Stopping") {
      throw new SendMessageError(`The client is ${this.#state}: call start() first`, { retryable: false });
    }
    const signal = options.abortSignal;
    signal?.throwIfAborted();
    if (options.fireAndForget) {
      const frame = this.#protocol.encode(message);
      if (this.#congested()) await this.#drained(signal);
      if (!this.#canWrite()) throw new SendMessageError("The connection is not connected", { retryable: true });
      sendFrame((this.#conn as Conn).socket, frame);
      return { isDuplicated: false };
    }
    const ackId = options.ackId ?? this.#nextAckId++;
    if (options.ackId !== undefined && options.ackId >= this.#nextAckId) this.#nextAckId = options.ackId + 1;
    message.ackId = ackId;
    const frame = this.#protocol.encode(message);
    if (this.#congested()) await this.#drained(signal);
    const retry = this.#options.messageRetryOptions;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(ackId, frame, signal);
      } catch (error) {
        if (
          attempt > retry.maxRetries ||
          signal?.aborted ||
          this.#stoppedOrStopping() ||
          !(retry.shouldRetry ?? isRetryableSendError)(error, attempt)
        ) {
          throw error;
        }
        await delay(backoffDelay(Math.min(attempt, 60), retryAsyncOptions(retry)), { signal });
      }
    }
  }

  #attempt(ackId: number, frame: string | Uint8Array, signal: AbortSignal | undefined): Promise<WebPubSubResult> {
    if (this.#state === "Stopped" || this.#state === "Stopping") {
      return Promise.reject(new SendMessageError("The client stopped", { ackId, retryable: false }));
    }
    const writable = this.#canWrite();
    const promise = this.#acks.add(ackId, frame, writable);
    if (writable) sendFrame((this.#conn as Conn).socket, frame);
    if (!signal) return promise;
    const onAbort = () => this.#acks.remove(ackId, abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    return promise.finally(() => signal.removeEventListener("abort", onAbort));
  }

  /**
   * Publishes to a group (membership not needed). Resolves `{ ackId, isDuplicated }` on the ack; rejects with a
   * SendMessageError carrying the service's error, or an AckTimeoutError.
   */
  sendToGroup(
    groupName: string,
    content: unknown,
    dataType: WebPubSubDataType,
    options: SendToGroupOptions = {},
  ): Promise<WebPubSubResult> {
    try {
      validateGroupName(groupName, "groupName");
      const payload = toPayload(content, dataType, "content");
      validateSendOptions(options);
      const message = { type: "sendToGroup", group: groupName, ...payload } as UpstreamMessage;
      if (options.noEcho) (message as { noEcho?: boolean }).noEcho = true;
      return this.#operation(message, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Sends a user event to the hub's event handler. */
  sendEvent(
    eventName: string,
    content: unknown,
    dataType: WebPubSubDataType,
    options: SendOptions = {},
  ): Promise<WebPubSubResult> {
    try {
      if (typeof eventName !== "string" || !isValidEventName(eventName)) {
        throw new TypeError(
          `eventName must match ${EVENT_NAME_PATTERN} (it travels in HTTP headers and handler URLs), got ${JSON.stringify(eventName)}`,
        );
      }
      const payload = toPayload(content, dataType, "content");
      validateSendOptions(options);
      if ((options as SendToGroupOptions).noEcho !== undefined) throw new TypeError("sendEvent has no noEcho option");
      return this.#operation({ type: "event", event: eventName, ...payload } as UpstreamMessage, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Joins a group; with autoRejoinGroups it is joined again after a new connection. */
  async joinGroup(groupName: string, options: GroupOptions = {}): Promise<WebPubSubResult> {
    validateGroupName(groupName, "groupName");
    validateGroupOptions(options);
    const result = await this.#operation({ type: "joinGroup", group: groupName }, options);
    this.#groups.add(groupName);
    return result;
  }

  async leaveGroup(groupName: string, options: GroupOptions = {}): Promise<WebPubSubResult> {
    validateGroupName(groupName, "groupName");
    validateGroupOptions(options);
    const result = await this.#operation({ type: "leaveGroup", group: groupName }, options);
    this.#groups.delete(groupName);
    return result;
  }

  // ---------------------------------------------------------------- async iteration

  /** Every server and group message as an AsyncIterable, bounded; it ends when the client stops. */
  messages(options: MessageStreamOptions = {}): AsyncIterable<DataMessage> {
    return this.#subscribe(undefined, options);
  }

  /** Messages of one group as an AsyncIterable (join the group separately); it ends when the client stops. */
  groupMessages(groupName: string, options: MessageStreamOptions = {}): AsyncIterable<GroupDataMessage> {
    validateGroupName(groupName, "groupName");
    return this.#subscribe(groupName, options) as AsyncIterable<GroupDataMessage>;
  }

  #subscribe(group: string | undefined, options: MessageStreamOptions): AsyncQueue<DataMessage> {
    if (options === null || typeof options !== "object") throw new TypeError("options must be an object");
    validateSignal(options.signal, "options.signal");
    const queue = new AsyncQueue<DataMessage>({
      capacity: options.capacity ?? 1024,
      overflow: options.overflow ?? "error",
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const sub: Subscriber = { queue, group };
    this.#subscribers.add(sub);
    queue.onClose(() => this.#subscribers.delete(sub));
    return queue;
  }
}

function retryAsyncOptions(r: ResolvedRetryOptions) {
  return { mode: r.mode, retryDelayInMs: r.retryDelayInMs, maxRetryDelayInMs: r.maxRetryDelayInMs, jitter: r.jitter };
}
