// Argument checks: each throws a TypeError/RangeError naming the argument, before any side effect.
import { EVENT_NAME_PATTERN, isValidEventName } from "@webpubsub/core/client-wire";
import { MAX_TIMER_MS } from "@webpubsub/core/timers";
import type { GroupOptions, MessageStreamOptions, SendToGroupOptions } from "./types.ts";

/** The group-name rule is core's. */
export { checkGroupName } from "@webpubsub/core/client-wire";

export function checkAckId(ackId: unknown): void {
  if (ackId !== undefined && (typeof ackId !== "number" || !Number.isSafeInteger(ackId) || ackId < 0)) {
    throw new RangeError(`options.ackId must be a safe integer >= 0, got ${String(ackId)}`);
  }
}

export function checkSignal(signal: unknown, name: string): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`${name} must be an AbortSignal`);
}

export function checkOptionsObject(options: unknown): asserts options is object {
  if (options === null || typeof options !== "object") throw new TypeError("options must be an object");
}

export function checkSendOptions(options: unknown): asserts options is SendToGroupOptions {
  checkOptionsObject(options);
  const o = options as SendToGroupOptions;
  checkAckId(o.ackId);
  checkSignal(o.abortSignal, "options.abortSignal");
  if (o.fireAndForget !== undefined && typeof o.fireAndForget !== "boolean") {
    throw new TypeError("options.fireAndForget must be a boolean");
  }
  if (o.noEcho !== undefined && typeof o.noEcho !== "boolean") throw new TypeError("options.noEcho must be a boolean");
  if (o.fireAndForget && o.ackId !== undefined) {
    throw new TypeError("options.ackId cannot be combined with options.fireAndForget (fire-and-forget sends no ackId)");
  }
}

export function checkGroupOptions(options: unknown): asserts options is GroupOptions {
  checkOptionsObject(options);
  checkAckId((options as GroupOptions).ackId);
  checkSignal((options as GroupOptions).abortSignal, "options.abortSignal");
}

export function checkStreamOptions(options: unknown): asserts options is MessageStreamOptions {
  checkOptionsObject(options);
  checkSignal((options as MessageStreamOptions).signal, "options.signal");
}

export function checkUrl(url: unknown, name: string): asserts url is string {
  if (typeof url !== "string") throw new TypeError(`${name} must be a string, got ${typeof url}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`${name} must be an absolute ws:// or wss:// URL`);
  }
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
    throw new TypeError(`${name} must use ws:// or wss://, got ${parsed.protocol}`);
  }
}

export function checkEventName(eventName: unknown): asserts eventName is string {
  if (typeof eventName !== "string" || !isValidEventName(eventName)) {
    throw new TypeError(
      `eventName must match ${EVENT_NAME_PATTERN} (it travels in HTTP headers and handler URLs), got ${JSON.stringify(eventName)}`,
    );
  }
}

/** An optional callback option: undefined or a function; `expected` says what it must be. */
export function checkOptionalFunction(value: unknown, name: string, expected: string): void {
  if (value !== undefined && typeof value !== "function") throw new TypeError(`${name} must be ${expected}`);
}

/** A stream's `options.idleTimeoutInMs` (openGroupStream, onGroupStream): absent, or whole ms a timer can wait. */
export function checkIdleTimeout(idle: unknown): void {
  if (idle === undefined) return;
  if (typeof idle !== "number" || !Number.isSafeInteger(idle) || idle < 1 || idle > MAX_TIMER_MS) {
    throw new RangeError(
      `options.idleTimeoutInMs must be an integer from 1 to ${MAX_TIMER_MS}, got ${String(idle).slice(0, 40)}`,
    );
  }
}

/** onGroupStream's arguments. */
export function checkOnGroupStream(callback: unknown, options: unknown): void {
  if (typeof callback !== "function") throw new TypeError("callback must be a function");
  checkOptionsObject(options);
  const o = options as { idleTimeoutInMs?: unknown; handleFromStart?: unknown; groupNames?: unknown };
  checkIdleTimeout(o.idleTimeoutInMs);
  if (o.handleFromStart !== undefined && typeof o.handleFromStart !== "boolean") {
    throw new TypeError("options.handleFromStart must be a boolean");
  }
  if (o.groupNames !== undefined && (!Array.isArray(o.groupNames) || o.groupNames.some((g) => typeof g !== "string"))) {
    throw new TypeError("options.groupNames must be an array of group names");
  }
}
