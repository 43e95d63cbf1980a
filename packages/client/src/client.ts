// WebPubSubClient: the public client and the orchestration of its lifecycle (start, stop, drops, recovery,
// reconnects). Every state change goes through #setState, checked against STATE_TRANSITIONS and logged. The parts are
// objects of their own: one socket and its handshake (connection.ts), keep-alive (keep-alive.ts), acked operations
// (operations.ts), the reconnect backoff (reconnect-backoff.ts), sequence acks (sequence-tracker.ts), and the seam
// optional features plug into (features.ts, through useFeature below).
import { withTimeout } from "@webpubsub/async/delay";
import { AbortError, TimeoutError, throwIfAborted } from "@webpubsub/async/errors";
import type {
  ConnectedMessage,
  DisconnectedMessage,
  GroupDataMessage,
  JsonOnlyUpstreamMessage,
  UpstreamMessage,
} from "@webpubsub/core";
import { shown } from "@webpubsub/core/client-wire";
import type { WebPubSubResult } from "./ack-manager.ts";
import {
  type Connection,
  Connection as ConnectionImpl,
  type ConnectionOwner,
  type ConnectionSettings,
} from "./connection.ts";
import { type AccessUrlSource, accessUrlSource } from "./credential.ts";
import { TypedEmitter } from "./emitter.ts";
import { ConnectionError } from "./errors.ts";
import { type ClientFeature, type FeatureHost, Features } from "./features.ts";
import type {
  GroupStream,
  GroupStreamSubscription,
  GroupStreamWriter,
  OnGroupStreamOptions,
  OpenGroupStreamOptions,
} from "./group-stream-types.ts";
import type { InvokeEventOptions, InvokeEventResult } from "./invocation-types.ts";
import { KEEPALIVE_CLOSE_CODE, KeepAlive } from "./keep-alive.ts";
import { loggableError, loggableUrl, logger } from "./logger.ts";
import { MESSAGE_STREAMS, MessageStreams } from "./message-streams.ts";
import { type NetworkHint, watchNetworkEvents } from "./network-events.ts";
import { Operations } from "./operations.ts";
import { backoffShape, type ResolvedOptions, resolveOptions, type WebPubSubClientOptions } from "./options.ts";
import { copied, toPayload, type WebPubSubDataType, withBinaryType } from "./payload.ts";
import { resolveProtocol, type WebPubSubClientProtocol } from "./protocols.ts";
import { ReconnectBackoff } from "./reconnect-backoff.ts";
import { MAX_SEQUENCE_GAP, SequenceTracker } from "./sequence-tracker.ts";
import { defaultMaxFrameBytes, defaultWebSocketFactory, OPEN, sendFrame, type WebSocketLike } from "./socket.ts";
import { checkTransition } from "./state-transitions.ts";
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
import {
  checkEventName,
  checkGroupName,
  checkGroupOptions,
  checkOnGroupStream,
  checkOptionalFunction,
  checkOptionsObject,
  checkSendOptions,
  checkSignal,
  checkStreamOptions,
} from "./validation.ts";

/** How long stop() waits for the socket to close after its normal close. */
const STOP_GRACE_MS = 3000;
/** invokeEvent's module, once loaded (see invokeEvent). */
let invocationsModule: typeof import("./invocations.ts") | undefined;
/** Close code the client sends when the service sends a sequence id out of range. */
const CLOSE_PROTOCOL_ERROR = 1002;

/**
 * Installs the feature under `key` on `client` once and returns it (later calls return the same instance). `create`
 * receives the client's FeatureHost. For this package's feature modules (the seam of features.ts): not exported from
 * the package's entry point. Set in WebPubSubClient's static block, which can reach the client's private fields.
 */
export let useFeature: <F extends ClientFeature>(
  client: WebPubSubClient,
  key: symbol,
  create: (host: FeatureHost) => F,
) => F;

/** WebSocket client for Azure Web PubSub (json / reliable json / protobuf / reliable protobuf subprotocols). */
export class WebPubSubClient {
  readonly #getUrl: AccessUrlSource;
  readonly #protocol: WebPubSubClientProtocol;
  readonly #options: ResolvedOptions;
  readonly #connectionSettings: ConnectionSettings;
  readonly #emitter: TypedEmitter<WebPubSubClientEvents>;
  readonly #ops: Operations;
  readonly #seq: SequenceTracker;
  readonly #backoff: ReconnectBackoff;
  readonly #keepAlive: KeepAlive;
  readonly #features = new Features();
  readonly #groups = new Set<string>();

  #state: WebPubSubClientState = "Stopped";
  #conn: Connection | undefined;
  #run: AbortController | undefined;
  #stopping: Promise<void> | undefined;
  #connectionId: string | undefined;
  #userId: string | null = null;
  #reconnectionToken: string | undefined;
  #sessionUrl: string | undefined;
  #lastDisconnectedMessage: string | undefined;
  /** Why the current session cannot be recovered (the service broke the protocol); cleared by a new session. */
  #unrecoverable: { code: number; reason: string } | undefined;
  /** Removes the online/offline/visibilitychange listeners of the current run. */
  #unwatchNetwork: (() => void) | undefined;
  /** While the protocol's load() runs for a new connection: true once it resolved, false when it failed or the attempt was aborted. */
  #loading: Promise<boolean> | undefined;
  #host: FeatureHost | undefined;
  /** The JSON-only encoder, once a feature enabled it (see FeatureHost.enableJsonOnly). */
  #encodeJsonOnly: ((message: JsonOnlyUpstreamMessage) => string) | undefined;

  static {
    useFeature = (client, key, create) => {
      if (!(#features in client)) throw new TypeError("client must be a WebPubSubClient");
      return client.#features.install(key, () => create(client.#featureHost()));
    };
  }

  constructor(credential: string | WebPubSubClientCredential, options: WebPubSubClientOptions = {}) {
    this.#getUrl = accessUrlSource(credential);
    this.#options = resolveOptions(options);
    this.#protocol = resolveProtocol(options.protocol);
    checkOptionalFunction(
      options.webSocketFactory,
      "options.webSocketFactory",
      "a function (url, protocols) => WebSocket",
    );
    checkOptionalFunction(options.onListenerError, "options.onListenerError", "a function");
    const { connectTimeoutInMs, maxMessageSizeInBytes, ackTimeoutInMs } = this.#options;
    this.#connectionSettings = {
      factory: options.webSocketFactory ?? defaultWebSocketFactory(),
      protocol: this.#protocol,
      connectTimeoutInMs,
      maxFrameBytes: maxMessageSizeInBytes ?? defaultMaxFrameBytes(this.#protocol.binary === true),
    };
    this.#backoff = new ReconnectBackoff(
      backoffShape(this.#options.reconnectRetryOptions),
      this.#options.stableConnectionInMs,
    );
    this.#emitter = new TypedEmitter(
      options.onListenerError ??
        ((event: string, error: unknown) => console.error(`[webpubsub] a "${event}" listener threw:`, error)),
    );
    this.#ops = new Operations(
      {
        ackTimeoutInMs,
        retry: this.#options.messageRetryOptions,
        encode: (message) => this.#protocol.encode(message),
        loading: () => this.#loading,
      },
      {
        state: () => this.#state,
        writableSocket: () => this.#writableSocket(),
        bufferedAmount: () => this.#conn?.socket.bufferedAmount ?? 0,
      },
    );
    this.#seq = new SequenceTracker(100, (sequenceId) => this.#write({ type: "sequenceAck", sequenceId }));
    this.#keepAlive = new KeepAlive(this.#options, {
      watching: () => this.#conn !== undefined && this.#state === "Connected",
      ping: () => this.#write({ type: "ping" }),
      dead: (reason) => this.#connectionDead(reason),
    });
    this.#features.handle("message", (message) => this.#onData(message));
    this.#features.handle("ack", (message) => this.#ops.handleAck(message));
    this.#features.handle("system", (message) => this.#onSystem(message));
    this.#features.handle("pong", () => {}); // liveness was recorded on receipt
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
    checkOptionsObject(options);
    checkSignal(options.abortSignal, "options.abortSignal");
    if (this.#state !== "Stopped") throw new Error(`start() needs a Stopped client; the client is ${this.#state}`);
    throwIfAborted(options.abortSignal);
    const run = new AbortController();
    this.#run = run;
    this.#setState("Connecting");
    const signal = options.abortSignal ? AbortSignal.any([run.signal, options.abortSignal]) : run.signal;
    this.#backoff.reset();
    this.#unwatchNetwork = watchNetworkEvents((hint) => this.#onNetworkHint(hint));
    let conn: Connection;
    try {
      conn = await this.#connectNew(signal);
      // stop() while the handshake finished: start() fails with stop's AbortError.
      throwIfAborted(run.signal);
      if (conn.closed) throw this.#closedBeforeSwitch(conn, "new");
    } catch (error) {
      logger.warning(`start() failed: ${loggableError(error)}`);
      // (read through the getter: the awaits above may have changed the state)
      if (this.#run === run && this.state === "Connecting") {
        this.#conn?.abandon(1000, "start failed");
        this.#run = undefined;
        this.#setState("Stopped");
        this.#stopWatchingNetwork();
        // Work issued meanwhile fails with this start(): no later connection may carry it.
        this.#ops.rejectAll("The client did not connect: start() failed");
        this.#ops.releaseWaits();
        this.#features.notify("startFailed", error);
      }
      throw error;
    }
    this.#backoff.up();
    this.#onConnectedNew(run, conn);
  }

  /** Closes the connection and resolves after the `stopped` event. Safe to call in any state. */
  stop(): Promise<void> {
    if (this.#state === "Stopped") return Promise.resolve();
    if (this.#stopping) return this.#stopping;
    this.#setState("Stopping");
    this.#run?.abort(new AbortError("The client was stopped"));
    this.#ops.releaseWaits();
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
      await withTimeout(conn.closedPromise, STOP_GRACE_MS).catch(() => {}); // closed, or the grace time passed
    }
    this.#finishStopped(undefined);
  }

  /** Ends the run: rejects pending operations, ends message streams and features' work, emits `stopped`. */
  #finishStopped(error: unknown): void {
    if (this.#state === "Stopped") return;
    this.#stopTimers();
    this.#stopWatchingNetwork();
    this.#conn?.abandon(1000, "stopped");
    this.#run?.abort(new AbortError("The client was stopped"));
    this.#backoff.reset();
    this.#run = undefined;
    this.#setState("Stopped");
    this.#stopping = undefined;
    this.#connectionId = undefined;
    this.#reconnectionToken = undefined;
    this.#groups.clear();
    this.#seq.reset();
    this.#ops.rejectAll();
    this.#features.notify("stopped", error);
    this.#ops.releaseWaits();
    logger.info(error === undefined ? "The client stopped" : `The client stopped: ${loggableError(error)}`);
    this.#emitter.emit("stopped", { error });
  }

  /** The one place the state changes: the transition must be in STATE_TRANSITIONS. */
  #setState(next: WebPubSubClientState): void {
    checkTransition(this.#state, next);
    logger.verbose(`State ${this.#state} -> ${next}`);
    this.#state = next;
  }

  // ---------------------------------------------------------------- connections

  /** Gets a fresh URL and opens a brand-new connection (new session); resolves once the service said `connected`. */
  async #connectNew(signal: AbortSignal): Promise<Connection> {
    // What the protocol loads on first use (the protobuf codec outside browsers): awaited only by the protocols that
    // have it, and given up when the attempt is aborted (stop(), the caller's signal), whether or not it settles.
    throwIfAborted(signal); // before load(): an aborted attempt starts nothing whose rejection nobody would handle
    const load = this.#protocol.load?.();
    if (load) {
      const settled = new Promise<boolean>((resolve) => {
        const done = (loaded: boolean) => {
          signal.removeEventListener("abort", aborted);
          resolve(loaded);
        };
        const aborted = () => done(false);
        signal.addEventListener("abort", aborted);
        load.then(() => done(true), aborted);
      });
      this.#loading = settled; // operations issued meanwhile wait for it before they encode
      try {
        await settled;
      } finally {
        if (this.#loading === settled) this.#loading = undefined;
      }
      throwIfAborted(signal);
      await load; // its error, when it failed
    }
    // A URL source that never settles (and ignores its signal) must neither hold an aborted attempt nor stall the
    // reconnects: the wait ends on the abort, or fails like a handshake after connectTimeoutInMs.
    const { connectTimeoutInMs } = this.#options;
    let url: string;
    try {
      url = await withTimeout((urlSignal) => this.#getUrl(urlSignal), connectTimeoutInMs, { signal });
    } catch (error) {
      throwIfAborted(signal); // an abort surfaces as the AbortError, whatever getClientAccessUrl threw
      if (error instanceof TimeoutError) {
        throw new ConnectionError(`getClientAccessUrl did not return a URL within ${connectTimeoutInMs} ms`);
      }
      throw error;
    }
    throwIfAborted(signal);
    this.#seq.reset();
    this.#seq.cancelAck();
    this.#connectionId = undefined;
    this.#reconnectionToken = undefined;
    this.#lastDisconnectedMessage = undefined;
    this.#unrecoverable = undefined;
    const conn = await this.#open(url, false, signal);
    this.#sessionUrl = url;
    return conn;
  }

  /** Opens a socket as the client's current connection and runs its handshake (see Connection.open). */
  #open(url: string, recovery: boolean, signal: AbortSignal): Promise<Connection> {
    throwIfAborted(signal);
    logger.verbose(`Opening ${recovery ? "a recovery" : "a new"} connection to ${loggableUrl(url)}`);
    const conn = new ConnectionImpl(url, recovery, this.#connectionSettings, this.#connectionOwner);
    this.#conn = conn;
    return conn.open(signal);
  }

  readonly #connectionOwner: ConnectionOwner = {
    isCurrent: (conn) => this.#conn === conn,
    received: () => this.#keepAlive.received(),
    announced: (message) => this.#setSession(message),
    message: (message) => this.#features.route(message),
    undecoded: (frame) => this.#features.notify("undecoded", frame),
    unrecoverable: (code, reason) => {
      this.#unrecoverable = { code, reason };
    },
    closed: (conn, code, reason) => {
      if (this.#conn !== conn) return;
      this.#conn = undefined;
      this.#dropped(code, reason);
    },
    faulted: (code, reason) => this.#dropped(code, reason),
    detached: (conn) => {
      if (this.#conn === conn) this.#conn = undefined;
    },
  };

  /**
   * A connection closed after its handshake but before the client switched to it (between the service's message and
   * the continuation of the attempt): the attempt failed.
   */
  #closedBeforeSwitch(conn: Connection, what: string): ConnectionError {
    if (this.#conn === conn) this.#conn = undefined;
    const close = conn.closeEvent ?? { code: 1006, reason: "" };
    return new ConnectionError(`The ${what} connection closed at once (code ${close.code})`, close);
  }

  #setSession(message: ConnectedMessage): void {
    this.#connectionId = message.connectionId;
    this.#userId = message.userId ?? null;
    this.#reconnectionToken = message.reconnectionToken;
  }

  /** A new session is up on `conn`: switch to it, flush pending operations, rejoin groups, then emit `connected`. */
  #onConnectedNew(run: AbortController, conn: Connection): void {
    conn.activate();
    if (this.#state !== "Connected") this.#setState("Connected");
    this.#keepAlive.start();
    this.#ops.flushUnsent(conn.socket);
    const connectionId = this.#connectionId as string;
    const userId = this.#userId;
    logger.info(`Connected: connection ${shown(connectionId)}`);
    this.#features.notify("connected", { connectionId, userId });
    const groups = this.#options.autoRejoinGroups ? [...this.#groups] : [];
    // A group is remembered again as its rejoin's ack is handled, as joinGroup's: a failed rejoin cannot forget a
    // group that a joinGroup acked in the same tick brought back.
    this.#groups.clear();
    if (groups.length === 0) {
      this.#emitter.emit("connected", { connectionId, userId });
      return;
    }
    void Promise.all(
      groups.map((group) =>
        this.#ops
          .run({ type: "joinGroup", group }, {}, () => this.#groups.add(group))
          .catch((error: unknown) => {
            logger.warning(`Re-joining group ${shown(group)} failed: ${loggableError(error)}`);
            if (!run.signal.aborted) this.#emitter.emit("rejoin-group-failed", { group, error });
          }),
      ),
    ).then(() => {
      if (!run.signal.aborted && this.#connectionId === connectionId) {
        this.#emitter.emit("connected", { connectionId, userId });
      }
    });
  }

  #onData(message: DataMessage): void {
    const { sequenceId } = message;
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
        this.#seq.scheduleAck();
        return;
      }
      this.#seq.scheduleAck();
    }
    const delivered = withBinaryType(message, this.#options.binaryType);
    if (delivered.from === "group") this.#emitter.emit("group-message", { message: delivered });
    else this.#emitter.emit("server-message", { message: delivered });
    this.#features.notify("data", delivered);
  }

  #onSystem(message: ConnectedMessage | DisconnectedMessage): void {
    if (message.event === "disconnected") {
      this.#lastDisconnectedMessage = message.message;
      return;
    }
    const conn = this.#conn;
    if (message.connectionId === this.#connectionId) {
      // A recovered session may hand out a fresh reconnection token; it is not a new connection.
      if (message.reconnectionToken) this.#reconnectionToken = message.reconnectionToken;
    } else if (conn && !conn.announced) {
      // The service started a new session on this (recovered) socket: treat it as a new connection. Only once: one
      // socket carries one session, so later announcements are ignored (no rejoin storm). Not while stopping.
      conn.announced = true;
      this.#seq.reset();
      this.#setSession(message);
      if (this.#run && this.#state === "Connected") {
        logger.info(`The service started a new session on the recovered connection`);
        this.#onConnectedNew(this.#run, conn);
      }
    }
  }

  // ---------------------------------------------------------------- drops, recovery, reconnect

  /** Keep-alive or a liveness probe found the connection silent: drop it without a normal close (recoverable). */
  #connectionDead(reason: string): void {
    const conn = this.#conn;
    if (!conn) return;
    logger.warning(`No frame from the service in time (${reason}): dropping the connection`);
    conn.abandon(KEEPALIVE_CLOSE_CODE, reason);
    this.#dropped(1006, reason);
  }

  /** The current connection is gone (closed, faulted, or abandoned by keep-alive). */
  #dropped(code: number, reason: string): void {
    this.#backoff.down();
    this.#stopTimers();
    this.#ops.connectionLost(); // waiting sends go on: they are queued for the next connection
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
    const args = {
      connectionId: this.#connectionId,
      message: this.#lastDisconnectedMessage ?? (close.reason || undefined),
      code: close.code,
    };
    logger.info(
      `Disconnected: connection ${args.connectionId === undefined ? "(none)" : shown(args.connectionId)}, code ${close.code}`,
    );
    this.#features.notify("disconnected", args);
    this.#emitter.emit("disconnected", args);
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
    const window = this.#options.recoveryWindowInMs;
    this.#setState("Recovering");
    logger.info(`Recovering the session of connection ${shown(connectionId)} (for up to ${window} ms)`);
    this.#features.notify("recovering");
    this.#emitter.emit("recovering", { connectionId });
    const deadline = Date.now() + window;
    let lastClose: { code: number; reason: string } | undefined;
    for (let attempt = 1; ; attempt++) {
      if (run.signal.aborted) return undefined;
      if (this.#unrecoverable) return this.#unrecoverable;
      const wait = this.#backoff.recoveryDelay(attempt);
      if (Date.now() + wait >= deadline) return this.#recoveryGaveUp(lastClose);
      logger.verbose(`Recovery attempt ${attempt} in ${Math.round(wait)} ms`);
      try {
        await this.#backoff.wait(wait, run.signal);
      } catch {
        return undefined;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return this.#recoveryGaveUp(lastClose);
      let conn: Connection;
      try {
        conn = await this.#openRecovery(run, connectionId, remaining);
      } catch (error) {
        if (run.signal.aborted) return undefined;
        logger.verbose(`Recovery attempt ${attempt} failed: ${loggableError(error)}`);
        if (error instanceof ConnectionError && error.code !== undefined) {
          lastClose = { code: error.code, reason: error.reason ?? "" };
          if (error.code === 1008) return lastClose;
        }
        continue;
      }
      if (run.signal.aborted) return undefined;
      this.#finishRecovery(conn, connectionId);
      return true;
    }
  }

  /**
   * One recovery attempt: a socket to the session's URL with `awps_connection_id` and `awps_reconnection_token`,
   * confirmed by the service within `remaining` ms (the rest of the window) and still open.
   */
  async #openRecovery(run: AbortController, connectionId: string, remaining: number): Promise<Connection> {
    const url = new URL(this.#sessionUrl as string);
    url.searchParams.set("awps_connection_id", connectionId);
    url.searchParams.set("awps_reconnection_token", this.#reconnectionToken as string);
    // The attempt may not outlive the window: past it, the attempt is abandoned and this fails with a TimeoutError.
    const conn = await withTimeout((signal) => this.#open(url.toString(), true, signal), remaining, {
      signal: run.signal,
      message: "The recovery window passed during the attempt",
    });
    // Confirmed, then lost before the switch: another attempt (unless the service said 1008).
    if (conn.closed && !run.signal.aborted) throw this.#closedBeforeSwitch(conn, "recovered");
    return conn;
  }

  #recoveryGaveUp<T>(lastClose: T): T {
    logger.warning("The recovery window passed: the session is lost");
    return lastClose;
  }

  /** The service confirmed the session on `conn`: make it current, resend what is pending, emit `recovered`. */
  #finishRecovery(conn: Connection, connectionId: string): void {
    const backlog = conn.activate();
    this.#setState("Connected");
    this.#backoff.up();
    this.#keepAlive.start();
    if (this.#seq.lastSequenceId > 0) {
      this.#seq.forceResend();
      this.#seq.flushAck();
    }
    this.#ops.flushUnsent(conn.socket);
    logger.info(`Recovered the session of connection ${shown(connectionId)}`);
    this.#features.notify("recovered");
    this.#emitter.emit("recovered", { connectionId });
    // Frames that confirmed the session (the pong, replayed messages), in order. A listener may have stopped the
    // client or the socket may have changed meanwhile: then they no longer belong to the client.
    for (const message of backlog) {
      if (this.#conn !== conn || this.#state !== "Connected") break;
      this.#features.route(message);
    }
  }

  /**
   * Opens new connections until one works, retries run out, or stop(). Every attempt, the first one too, waits its
   * backoff first; the wait grows with each connection that did not stay up (see ReconnectBackoff).
   */
  async #reconnect(run: AbortController): Promise<void> {
    this.#setState("Connecting");
    const retry = this.#options.reconnectRetryOptions;
    let lastError: unknown;
    for (let attempt = 1; attempt <= retry.maxRetries + 1; attempt++) {
      const wait = this.#backoff.reconnectDelay(attempt);
      logger.verbose(`New connection attempt ${attempt} in ${Math.round(wait)} ms`);
      try {
        await this.#backoff.wait(wait, run.signal);
      } catch {
        return;
      }
      try {
        const conn = await this.#connectNew(run.signal);
        if (run.signal.aborted) return;
        if (conn.closed) throw this.#closedBeforeSwitch(conn, "new");
        this.#backoff.up();
        this.#onConnectedNew(run, conn);
        return;
      } catch (error) {
        if (run.signal.aborted) return;
        logger.warning(`New connection attempt ${attempt} failed: ${loggableError(error)}`);
        lastError = error;
      }
    }
    this.#finishStopped(lastError);
  }

  // ---------------------------------------------------------------- keep-alive, network hints, sequence acks

  /**
   * The runtime hinted that the network changed or the page woke up (browsers only). Connected: probe the connection.
   * Waiting to reconnect or recover: try now rather than at the end of the backoff (`online` and `visible` only; the
   * backoff count is kept, and the wait after an early attempt runs in full, so this cannot turn into a storm).
   */
  #onNetworkHint(hint: NetworkHint): void {
    logger.verbose(`Network hint "${hint}" while ${this.#state}`);
    if (this.#state === "Connected") this.#keepAlive.probe();
    else if (hint !== "offline" && (this.#state === "Connecting" || this.#state === "Recovering")) this.#backoff.wake();
  }

  #stopWatchingNetwork(): void {
    this.#unwatchNetwork?.();
    this.#unwatchNetwork = undefined;
  }

  #stopTimers(): void {
    this.#keepAlive.stop();
    this.#seq.cancelAck();
  }

  // ---------------------------------------------------------------- writing

  /** The current connection's socket when the client is Connected and it is open. */
  #writableSocket(): WebSocketLike | undefined {
    const conn = this.#conn;
    return this.#state === "Connected" && conn !== undefined && conn.socket.readyState === OPEN
      ? conn.socket
      : undefined;
  }

  #write(message: UpstreamMessage): boolean {
    const socket = this.#writableSocket();
    if (!socket) return false;
    sendFrame(socket, this.#protocol.encode(message));
    return true;
  }

  #featureHost(): FeatureHost {
    this.#host ??= {
      logger,
      state: () => this.#state,
      connectionId: () => this.#connectionId,
      handle: (type, handler) => this.#features.handle(type, handler),
      write: (message) => this.#write(message),
      operation: (message, options) => this.#ops.run(message, options),
      enableJsonOnly: (codec) => {
        if (!this.#protocol.enableJsonOnly) return false;
        this.#encodeJsonOnly ??= this.#protocol.enableJsonOnly(codec);
        return true;
      },
      writeJsonOnly: (message) => {
        const socket = this.#writableSocket();
        if (!socket || !this.#encodeJsonOnly) return false;
        sendFrame(socket, this.#encodeJsonOnly(message));
        return true;
      },
      bufferedAmount: () => this.#conn?.socket.bufferedAmount ?? 0,
      binaryType: this.#options.binaryType,
    };
    return this.#host;
  }

  // ---------------------------------------------------------------- messaging

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
      checkGroupName(groupName, "groupName");
      const payload = toPayload(content, dataType, "content");
      checkSendOptions(options);
      const message = { type: "sendToGroup", group: groupName, ...payload } as UpstreamMessage;
      if (options.noEcho) (message as { noEcho?: boolean }).noEcho = true;
      return this.#ops.run(message, options);
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
      checkEventName(eventName);
      const payload = toPayload(content, dataType, "content");
      checkSendOptions(options);
      if ((options as SendToGroupOptions).noEcho !== undefined) throw new TypeError("sendEvent has no noEcho option");
      return this.#ops.run({ type: "event", event: eventName, ...payload } as UpstreamMessage, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Invokes the hub's event handler for `eventName` and resolves with its reply `{ invocationId, dataType?, data? }`
   * (JSON subprotocols). Rejects with an InvocationError when the upstream fails, the session ends before the reply,
   * the caller aborts (which sends `cancelInvocation`), or the invocationId is pending already. Its code is loaded on
   * first use (see invocations.ts): what it sends is the content and options as they were at this call, checked here.
   */
  async invokeEvent(
    eventName: string,
    content: unknown,
    dataType: WebPubSubDataType,
    options: InvokeEventOptions = {},
  ): Promise<InvokeEventResult> {
    checkEventName(eventName);
    const { data } = toPayload(content, dataType, "content");
    checkOptionsObject(options);
    const copy = { ...options };
    // Once the module is loaded, the request is encoded within this call (no await before it). The first call copies
    // the content, which the caller may change while the module loads: JSON data is then written twice.
    const sent = invocationsModule ? data : copied(data);
    invocationsModule ??= await import("./invocations.ts");
    return invocationsModule.invokeEvent(this, eventName, sent, dataType, copy);
  }

  /**
   * Opens a stream to a group and resolves with its writer once the service accepted it (streamAck 1). JSON
   * subprotocols. Its code is loaded on first use (see outbound-streams.ts), with the options as they were at this call.
   */
  async openGroupStream(groupName: string, options: OpenGroupStreamOptions = {}): Promise<GroupStreamWriter> {
    checkGroupName(groupName, "groupName");
    checkOptionsObject(options);
    const copy = { ...options };
    return (await import("./outbound-streams.ts")).openGroupStream(this, groupName, copy);
  }

  /**
   * Calls `callback` with each group stream this client receives (an AsyncIterable of its fragments). Returns the
   * subscription at once; its code is loaded on first use and `ready` resolves once it receives streams (streams whose
   * fragments arrive before that are seen from the first fragment after it). It receives at most 1024 streams at once:
   * a stream first seen while that many are active is refused (logged, its fragments ignored).
   */
  onGroupStream(
    callback: (stream: GroupStream) => void | Promise<void>,
    options: OnGroupStreamOptions = {},
  ): GroupStreamSubscription & { readonly ready: Promise<void> } {
    checkOnGroupStream(callback, options);
    let inner: GroupStreamSubscription | undefined;
    let closed = false;
    const ready = import("./inbound-streams.ts").then((m) => {
      inner = m.onGroupStream(this, callback, { ...options });
      if (closed) return inner.close();
    });
    const close = async () => {
      closed = true;
      await ready;
      await inner?.close();
    };
    return {
      ready,
      get isActive() {
        return !closed && (inner?.isActive ?? true);
      },
      close,
      [Symbol.asyncDispose]: close,
    };
  }

  // The group bookkeeping runs as the ack is handled, in order with the service's other messages: a join or a stream
  // fragment that follows a leave's ack in the same tick is never undone by that leave.

  /** Joins a group; with autoRejoinGroups it is joined again after a new connection. */
  async joinGroup(groupName: string, options: GroupOptions = {}): Promise<WebPubSubResult> {
    checkGroupName(groupName, "groupName");
    checkGroupOptions(options);
    return this.#ops.run({ type: "joinGroup", group: groupName }, options, () => this.#groups.add(groupName));
  }

  async leaveGroup(groupName: string, options: GroupOptions = {}): Promise<WebPubSubResult> {
    checkGroupName(groupName, "groupName");
    checkGroupOptions(options);
    return this.#ops.run({ type: "leaveGroup", group: groupName }, options, () => {
      this.#groups.delete(groupName);
      this.#features.notify("left", groupName);
    });
  }

  // ---------------------------------------------------------------- async iteration

  /** Every server and group message as an AsyncIterable, bounded; it ends when the client stops. */
  messages(options: MessageStreamOptions = {}): AsyncIterable<DataMessage> {
    checkStreamOptions(options);
    return this.#features.install(MESSAGE_STREAMS, () => new MessageStreams()).subscribe(undefined, options);
  }

  /** Messages of one group as an AsyncIterable (join the group separately); it ends when the client stops. */
  groupMessages(groupName: string, options: MessageStreamOptions = {}): AsyncIterable<GroupDataMessage> {
    checkGroupName(groupName, "groupName");
    checkStreamOptions(options);
    const streams = this.#features.install(MESSAGE_STREAMS, () => new MessageStreams());
    return streams.subscribe(groupName, options) as AsyncIterable<GroupDataMessage>;
  }
}
