// Argument checks: each throws a TypeError/RangeError naming the argument, before any side effect.
import { EVENT_NAME_PATTERN, isValidEventName, shown, shownValue } from "@webpubsub/core/client-wire";
import { MAX_TIMER_MS } from "@webpubsub/core/timers";
import type { GroupOptions, MessageStreamOptions, SendToGroupOptions } from "./types.ts";

/** The group-name rule is core's. */
export { checkGroupName } from "@webpubsub/core/client-wire";

/**
 * Throws `<name> must be <what>, got <got>` (a TypeError unless `type` says otherwise); `got` is shown by core's
 * shownValue (a string quoted up to 64 characters, an object by its type), so that nothing unbounded is echoed.
 */
export function refuse(name: string, what: string, got: unknown, type: ErrorConstructor = TypeError): never {
  throw new type(`${name} must be ${what}, got ${shownValue(got)}`);
}

export function checkAckId(ackId: unknown): void {
  if (ackId !== undefined && !(Number.isSafeInteger(ackId) && (ackId as number) >= 0)) {
    refuse("options.ackId", "a safe integer >= 0", ackId, RangeError);
  }
}

export function checkSignal(signal: unknown, name: string): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`${name} must be an AbortSignal`);
}

/** An optional switch: undefined or a boolean. */
export function checkBoolean(value: unknown, name: string): asserts value is boolean | undefined {
  if (value !== undefined && typeof value !== "boolean") refuse(name, "a boolean", value);
}

export function checkOptionsObject(options: unknown, name = "options"): asserts options is object {
  if (options === null || typeof options !== "object") throw new TypeError(`${name} must be an object`);
}

export function checkSendOptions(options: unknown): asserts options is SendToGroupOptions {
  checkGroupOptions(options);
  const o = options as SendToGroupOptions;
  checkBoolean(o.fireAndForget, "options.fireAndForget");
  checkBoolean(o.noEcho, "options.noEcho");
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
  if (typeof url !== "string") refuse(name, "a string", url);
  let scheme = "an invalid URL"; // never the URL itself: it holds the access token
  try {
    scheme = new URL(url).protocol;
  } catch {
    // scheme stays "an invalid URL"
  }
  if (scheme !== "ws:" && scheme !== "wss:") refuse(name, "an absolute ws:// or wss:// URL", scheme);
}

export function checkEventName(eventName: unknown): asserts eventName is string {
  if (typeof eventName !== "string" || !isValidEventName(eventName)) {
    throw new TypeError(
      `eventName must match ${EVENT_NAME_PATTERN} (it travels in HTTP headers and handler URLs), got ${typeof eventName === "string" ? shown(eventName) : typeof eventName}`,
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
  if (!(Number.isSafeInteger(idle) && (idle as number) >= 1 && (idle as number) <= MAX_TIMER_MS)) {
    refuse("options.idleTimeoutInMs", `an integer from 1 to ${MAX_TIMER_MS}`, idle, RangeError);
  }
}

/** onGroupStream's arguments. */
export function checkOnGroupStream(callback: unknown, options: unknown): void {
  if (typeof callback !== "function") throw new TypeError("callback must be a function");
  checkOptionsObject(options);
  const o = options as { idleTimeoutInMs?: unknown; handleFromStart?: unknown; groupNames?: unknown };
  checkIdleTimeout(o.idleTimeoutInMs);
  checkBoolean(o.handleFromStart, "options.handleFromStart");
  if (o.groupNames !== undefined && (!Array.isArray(o.groupNames) || o.groupNames.some((g) => typeof g !== "string"))) {
    throw new TypeError("options.groupNames must be an array of group names");
  }
}
