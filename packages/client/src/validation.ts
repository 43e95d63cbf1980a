// Argument checks: each throws a TypeError/RangeError naming the argument, before any side effect.
import type { GroupOptions, SendToGroupOptions } from "./types.ts";

export function validateAckId(ackId: unknown): void {
  if (ackId !== undefined && (typeof ackId !== "number" || !Number.isSafeInteger(ackId) || ackId < 0)) {
    throw new RangeError(`options.ackId must be a safe integer >= 0, got ${String(ackId)}`);
  }
}

export function validateSignal(signal: unknown, name: string): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`${name} must be an AbortSignal`);
}

export function validateSendOptions(options: unknown): asserts options is SendToGroupOptions {
  if (options === null || typeof options !== "object") throw new TypeError("options must be an object");
  const o = options as SendToGroupOptions;
  validateAckId(o.ackId);
  validateSignal(o.abortSignal, "options.abortSignal");
  if (o.fireAndForget !== undefined && typeof o.fireAndForget !== "boolean") {
    throw new TypeError("options.fireAndForget must be a boolean");
  }
  if (o.noEcho !== undefined && typeof o.noEcho !== "boolean") throw new TypeError("options.noEcho must be a boolean");
  if (o.fireAndForget && o.ackId !== undefined) {
    throw new TypeError("options.ackId cannot be combined with options.fireAndForget (fire-and-forget sends no ackId)");
  }
}

export function validateUrl(url: unknown, name: string): asserts url is string {
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

export function validateGroupOptions(options: unknown): asserts options is GroupOptions {
  if (options === null || typeof options !== "object") throw new TypeError("options must be an object");
  validateAckId((options as GroupOptions).ackId);
  validateSignal((options as GroupOptions).abortSignal, "options.abortSignal");
}
