// The client's options: their public shape, validation (errors name the option) and defaults.
import { checkTimerDuration } from "@webpubsub/core/timers";
import type { WebPubSubClientProtocol, WebPubSubProtocolName } from "./protocols.ts";
import type { BackoffShape } from "./reconnect-backoff.ts";
import type { WebSocketFactory } from "./socket.ts";
import { checkBoolean, checkOptionalFunction, checkOptionsObject, refuse } from "./validation.ts";

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
  /** Base delay, at least 1 ms. Default 1000 ms (messages), 500 ms (reconnects). */
  retryDelayInMs?: number;
  /** Cap of any single delay, at least 1 ms. Default 30000 ms. */
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
  /** Give up waiting for the URL (getClientAccessUrl), then the handshake, after this long each. Default 30000. */
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

/** A duration option: `fallback` when absent, else a timer duration (core's rule); 0 is refused unless `zeroAllowed`. */
function duration(value: unknown, name: string, fallback: number, zeroAllowed = true): number {
  if (value === undefined) return fallback;
  checkTimerDuration(value, name);
  if (!zeroAllowed && value === 0) refuse(name, "more than 0 ms", value, RangeError);
  return value;
}

function bool(value: unknown, name: string, fallback: boolean): boolean {
  checkBoolean(value, name);
  return value ?? fallback;
}

export function resolveRetryOptions(
  value: WebPubSubRetryOptions | undefined,
  name: string,
  defaults: Omit<ResolvedRetryOptions, "shouldRetry">,
): ResolvedRetryOptions {
  if (value === undefined) return { ...defaults, shouldRetry: undefined };
  checkOptionsObject(value, name);
  const maxRetries = value.maxRetries ?? defaults.maxRetries;
  if (!(maxRetries === Infinity || (Number.isInteger(maxRetries) && maxRetries >= 0))) {
    refuse(`${name}.maxRetries`, "an integer >= 0 or Infinity", maxRetries, RangeError);
  }
  const given = value.mode ?? defaults.mode;
  const mode = given === "Exponential" ? "exponential" : given === "Fixed" ? "fixed" : given;
  if (mode !== "exponential" && mode !== "fixed") {
    refuse(`${name}.mode`, '"exponential" or "fixed" (or "Exponential" / "Fixed")', given);
  }
  checkOptionalFunction(value.shouldRetry, `${name}.shouldRetry`, "a function");
  // Under 1 ms retries come back to back (an exponential delay that starts at 0 stays 0); the official client takes
  // any delay >= 0.
  const ms = (key: "retryDelayInMs" | "maxRetryDelayInMs") => {
    const delay = duration(value[key], `${name}.${key}`, defaults[key]);
    return delay < 1 ? refuse(`${name}.${key}`, "at least 1 ms", delay, RangeError) : delay;
  };

  return {
    maxRetries,
    mode,
    retryDelayInMs: ms("retryDelayInMs"),
    maxRetryDelayInMs: ms("maxRetryDelayInMs"),
    jitter: bool(value.jitter, `${name}.jitter`, defaults.jitter),
    shouldRetry: value.shouldRetry,
  };
}

/** The delay shape of resolved retry options, as @webpubsub/async's backoffDelay takes it. */
export function backoffShape({ maxRetries, shouldRetry, ...shape }: ResolvedRetryOptions): BackoffShape {
  return shape;
}

type DurationKey =
  | "ackTimeoutInMs"
  | "keepAliveIntervalInMs"
  | "keepAliveTimeoutInMs"
  | "connectTimeoutInMs"
  | "recoveryWindowInMs"
  | "stableConnectionInMs";

/** Validates and fills defaults without touching the caller's object. */
export function resolveOptions(options: WebPubSubClientOptions): ResolvedOptions {
  checkOptionsObject(options);
  const ms = (key: DurationKey, fallback: number, zeroAllowed?: boolean) =>
    duration(options[key], `options.${key}`, fallback, zeroAllowed);
  const flag = (key: "autoReconnect" | "autoRejoinGroups") => bool(options[key], `options.${key}`, true);
  const retry = (key: "reconnectRetryOptions" | "messageRetryOptions", maxRetries: number, retryDelayInMs: number) =>
    resolveRetryOptions(options[key], `options.${key}`, {
      maxRetries,
      mode: "exponential",
      retryDelayInMs,
      maxRetryDelayInMs: 30_000,
      jitter: true,
    });
  const keepAliveIntervalInMs = ms("keepAliveIntervalInMs", 20_000);
  const keepAliveTimeoutInMs = ms("keepAliveTimeoutInMs", 60_000);
  if (keepAliveIntervalInMs > 0 && keepAliveTimeoutInMs > 0 && keepAliveTimeoutInMs <= keepAliveIntervalInMs) {
    refuse(
      "options.keepAliveTimeoutInMs",
      `0 or more than options.keepAliveIntervalInMs (${keepAliveIntervalInMs})`,
      keepAliveTimeoutInMs,
      RangeError,
    );
  }
  const { maxMessageSizeInBytes, binaryType = "uint8array" } = options;
  if (
    maxMessageSizeInBytes !== undefined &&
    !(Number.isSafeInteger(maxMessageSizeInBytes) && maxMessageSizeInBytes > 0)
  ) {
    refuse("options.maxMessageSizeInBytes", "a positive integer number of bytes", maxMessageSizeInBytes, RangeError);
  }
  if (binaryType !== "uint8array" && binaryType !== "arraybuffer") {
    refuse("options.binaryType", '"uint8array" or "arraybuffer"', binaryType);
  }
  return {
    autoReconnect: flag("autoReconnect"),
    autoRejoinGroups: flag("autoRejoinGroups"),
    reconnectRetryOptions: retry("reconnectRetryOptions", Infinity, 500),
    messageRetryOptions: retry("messageRetryOptions", 3, 1000),
    ackTimeoutInMs: ms("ackTimeoutInMs", 30_000, false),
    keepAliveIntervalInMs,
    keepAliveTimeoutInMs,
    connectTimeoutInMs: ms("connectTimeoutInMs", 30_000, false),
    recoveryWindowInMs: ms("recoveryWindowInMs", 30_000),
    stableConnectionInMs: ms("stableConnectionInMs", 30_000),
    maxMessageSizeInBytes,
    binaryType,
  };
}
