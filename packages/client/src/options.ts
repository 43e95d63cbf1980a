// The client's options: their public shape, validation (errors name the option) and defaults.
import { MAX_TIMER_MS } from "@webpubsub/core/timers";
import type { WebPubSubClientProtocol, WebPubSubProtocolName } from "./protocols.ts";
import type { BackoffShape } from "./reconnect-backoff.ts";
import type { WebSocketFactory } from "./socket.ts";

/**
 * How retry delays grow: `exponential` doubles the delay after each failure, `fixed` waits `retryDelayInMs` every time.
 * The official client's spellings, `"Exponential"` and `"Fixed"`, are accepted too.
 */
export type RetryMode = "exponential" | "fixed" | "Exponential" | "Fixed";

/** Retry settings for messages and reconnects: a subset of @webpubsub/async's RetryOptions. */
export interface WebPubSubRetryOptions {
  /** Retries after the first attempt. Messages: default 3. Reconnects: default Infinity (until stop()). */
  maxRetries?: number;
  /** `exponential` (default) doubles the delay after each failure; `fixed` waits `retryDelayInMs` every time. */
  mode?: RetryMode;
  /** Base delay. Default 1000 ms (messages), 500 ms (reconnects). */
  retryDelayInMs?: number;
  /** Cap of any single delay. Default 30000 ms. */
  maxRetryDelayInMs?: number;
  /** Spread each delay over [50%, 100%] of its value so clients do not retry in lockstep. Default true. */
  jitter?: boolean;
  /** Messages only: decide whether an error is retried. Default: retry ack timeouts, lost connections and transient
   * service errors; never `Forbidden`, `BadRequest`, `NotFound`, `Unauthorized`. */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
}

export interface WebPubSubClientOptions {
  /** Subprotocol. Default `"json.reliable"` (`json.reliable.webpubsub.azure.v1`). */
  protocol?: WebPubSubProtocolName | WebPubSubClientProtocol;
  /** Open a new connection when the connection is lost and cannot be recovered. Default true. */
  autoReconnect?: boolean;
  /** Join again, after a new connection, the groups joined with joinGroup(). Default true. */
  autoRejoinGroups?: boolean;
  reconnectRetryOptions?: WebPubSubRetryOptions;
  messageRetryOptions?: WebPubSubRetryOptions;
  /** How long one attempt of an acked operation waits for its ack (including waiting for the connection). Default 30000. */
  ackTimeoutInMs?: number;
  /** Application-level `ping` period while connected; 0 disables. Default 20000. */
  keepAliveIntervalInMs?: number;
  /** Drop (and recover) the connection when nothing at all was received for this long; 0 disables. Default 60000. */
  keepAliveTimeoutInMs?: number;
  /** Give up one connection attempt (handshake + `connected` message) after this long. Default 30000. */
  connectTimeoutInMs?: number;
  /** How long reliable protocols try to recover a dropped connection before opening a new one. Default 30000. */
  recoveryWindowInMs?: number;
  /**
   * How long a connection must stay up before the reconnect backoff starts over. A connection that closes sooner (a
   * service or app that accepts and then closes it) makes the next attempt wait longer. Default 30000; 0 makes every
   * connection count as stable.
   */
  stableConnectionInMs?: number;
  /**
   * Largest frame accepted from the service, in bytes. A larger frame closes the connection with 1009 and is never
   * decoded; the session is not recovered (it would replay the same frame). Default: what a 1 MiB service message can
   * become on the wire: 1 MiB + 64 KiB for protobuf protocols, 6 MiB + 64 KiB for JSON (escapes such as `\u001f`).
   */
  maxMessageSizeInBytes?: number;
  /** Creates sockets. Default: the global `WebSocket` (browsers, Node >= 22). Pass `ws` for headers or agents. */
  webSocketFactory?: WebSocketFactory;
  /** Where errors thrown by event listeners go. Default: console.error. They never affect the client. */
  onListenerError?: (event: string, error: unknown) => void;
  /**
   * How received `binary` and `protobuf` data is handed over: `"uint8array"` (default) or `"arraybuffer"` (what the
   * official client hands over, for code that checks `data instanceof ArrayBuffer`). Applies to messages, stream
   * fragments and invocation results.
   */
  binaryType?: BinaryType;
}

/** How received binary data is handed over (see WebPubSubClientOptions.binaryType). */
export type BinaryType = "uint8array" | "arraybuffer";

export interface ResolvedRetryOptions {
  maxRetries: number;
  mode: "exponential" | "fixed";
  retryDelayInMs: number;
  maxRetryDelayInMs: number;
  jitter: boolean;
  shouldRetry: ((error: unknown, attempt: number) => boolean) | undefined;
}

export interface ResolvedOptions {
  autoReconnect: boolean;
  autoRejoinGroups: boolean;
  reconnectRetryOptions: ResolvedRetryOptions;
  messageRetryOptions: ResolvedRetryOptions;
  ackTimeoutInMs: number;
  keepAliveIntervalInMs: number;
  keepAliveTimeoutInMs: number;
  connectTimeoutInMs: number;
  recoveryWindowInMs: number;
  stableConnectionInMs: number;
  /** undefined: the protocol's default (see defaultMaxFrameBytes). */
  maxMessageSizeInBytes: number | undefined;
  binaryType: BinaryType;
}

function nonNegative(value: unknown, name: string, fallback: number, allowZero = true): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(
      `${name} must be a ${allowZero ? "non-negative" : "positive"} number of ms, got ${String(value)}`,
    );
  }
  if (!Number.isFinite(value) || value > MAX_TIMER_MS) {
    throw new RangeError(`${name} must be at most ${MAX_TIMER_MS} ms (a timer's limit), got ${String(value)}`);
  }
  return value;
}

function positiveInteger(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer number of bytes, got ${String(value)}`);
  }
  return value;
}

function binaryType(value: unknown): BinaryType {
  if (value === undefined) return "uint8array";
  if (value !== "uint8array" && value !== "arraybuffer") {
    throw new TypeError(`options.binaryType must be "uint8array" or "arraybuffer", got ${String(value).slice(0, 40)}`);
  }
  return value;
}

function bool(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new TypeError(`${name} must be a boolean, got ${typeof value}`);
  return value;
}

export function resolveRetryOptions(
  value: WebPubSubRetryOptions | undefined,
  name: string,
  defaults: Omit<ResolvedRetryOptions, "shouldRetry">,
): ResolvedRetryOptions {
  if (value === undefined) return { ...defaults, shouldRetry: undefined };
  if (value === null || typeof value !== "object") throw new TypeError(`${name} must be an object`);
  const maxRetries = value.maxRetries ?? defaults.maxRetries;
  if (
    typeof maxRetries !== "number" ||
    !(maxRetries === Number.POSITIVE_INFINITY || (Number.isInteger(maxRetries) && maxRetries >= 0))
  ) {
    throw new RangeError(`${name}.maxRetries must be an integer >= 0 or Infinity, got ${String(maxRetries)}`);
  }
  const given = value.mode ?? defaults.mode;
  const mode = given === "Exponential" ? "exponential" : given === "Fixed" ? "fixed" : given;
  if (mode !== "exponential" && mode !== "fixed") {
    throw new TypeError(
      `${name}.mode must be "exponential" or "fixed" (or "Exponential" / "Fixed"), got ${String(given).slice(0, 40)}`,
    );
  }
  const retryDelayInMs = nonNegative(value.retryDelayInMs, `${name}.retryDelayInMs`, defaults.retryDelayInMs);
  const maxRetryDelayInMs = nonNegative(
    value.maxRetryDelayInMs,
    `${name}.maxRetryDelayInMs`,
    defaults.maxRetryDelayInMs,
  );
  if (value.shouldRetry !== undefined && typeof value.shouldRetry !== "function") {
    throw new TypeError(`${name}.shouldRetry must be a function`);
  }
  return {
    maxRetries,
    mode,
    retryDelayInMs,
    maxRetryDelayInMs: Math.max(maxRetryDelayInMs, 0),
    jitter: bool(value.jitter, `${name}.jitter`, defaults.jitter),
    shouldRetry: value.shouldRetry,
  };
}

/** The delay shape of resolved retry options, as @webpubsub/async's backoffDelay takes it. */
export function backoffShape(r: ResolvedRetryOptions): BackoffShape {
  return { mode: r.mode, retryDelayInMs: r.retryDelayInMs, maxRetryDelayInMs: r.maxRetryDelayInMs, jitter: r.jitter };
}

/** Validates and fills defaults without touching the caller's object. */
export function resolveOptions(options: WebPubSubClientOptions): ResolvedOptions {
  if (options === null || typeof options !== "object") throw new TypeError("options must be an object");
  const keepAliveIntervalInMs = nonNegative(options.keepAliveIntervalInMs, "options.keepAliveIntervalInMs", 20_000);
  const keepAliveTimeoutInMs = nonNegative(options.keepAliveTimeoutInMs, "options.keepAliveTimeoutInMs", 60_000);
  if (keepAliveIntervalInMs > 0 && keepAliveTimeoutInMs > 0 && keepAliveTimeoutInMs <= keepAliveIntervalInMs) {
    throw new RangeError(
      `options.keepAliveTimeoutInMs (${keepAliveTimeoutInMs}) must be greater than options.keepAliveIntervalInMs (${keepAliveIntervalInMs}), or 0`,
    );
  }
  return {
    autoReconnect: bool(options.autoReconnect, "options.autoReconnect", true),
    autoRejoinGroups: bool(options.autoRejoinGroups, "options.autoRejoinGroups", true),
    reconnectRetryOptions: resolveRetryOptions(options.reconnectRetryOptions, "options.reconnectRetryOptions", {
      maxRetries: Number.POSITIVE_INFINITY,
      mode: "exponential",
      retryDelayInMs: 500,
      maxRetryDelayInMs: 30_000,
      jitter: true,
    }),
    messageRetryOptions: resolveRetryOptions(options.messageRetryOptions, "options.messageRetryOptions", {
      maxRetries: 3,
      mode: "exponential",
      retryDelayInMs: 1000,
      maxRetryDelayInMs: 30_000,
      jitter: true,
    }),
    ackTimeoutInMs: nonNegative(options.ackTimeoutInMs, "options.ackTimeoutInMs", 30_000, false),
    keepAliveIntervalInMs,
    keepAliveTimeoutInMs,
    connectTimeoutInMs: nonNegative(options.connectTimeoutInMs, "options.connectTimeoutInMs", 30_000, false),
    recoveryWindowInMs: nonNegative(options.recoveryWindowInMs, "options.recoveryWindowInMs", 30_000),
    stableConnectionInMs: nonNegative(options.stableConnectionInMs, "options.stableConnectionInMs", 30_000),
    maxMessageSizeInBytes: positiveInteger(options.maxMessageSizeInBytes, "options.maxMessageSizeInBytes"),
    binaryType: binaryType(options.binaryType),
  };
}
