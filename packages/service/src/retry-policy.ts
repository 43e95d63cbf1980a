// When a failed request is sent again.
//
// - "idempotent" operations (HEAD, GET, PUT, DELETE, and the POSTs whose effect does not add up: close connections,
//   add/remove connections to/from groups by filter, generate a token) are retried on transient failures: network
//   errors, attempts cut short by requestOptions.timeout, 408, 429, 500, 502, 503 and 504, honouring Retry-After.
// - "send" operations (the four :send calls) are only retried when the service cannot have accepted the message: the
//   connection was never established (ECONNREFUSED, ENOTFOUND, EAI_AGAIN, ENETUNREACH, EHOSTUNREACH) or the service
//   answered 429 (throttled, not processed). A reset connection, a timeout or a 5xx may come after the message was
//   delivered, so they surface to the caller instead of delivering the message twice.
// - "none": a one-shot stream body, which cannot be read twice, is never retried.

import { backoffDelay, checkTimerDuration, delay, type RetryOptions } from "@webpubsub/async";
import { shownValue } from "@webpubsub/core/shown";
import type { HttpResponse } from "@webpubsub/rest";
import { loadedHttpStack } from "./http-stack-loader.ts";
import { isRestError } from "./rest-error.ts";

export type RetryMode = "idempotent" | "send" | "none";

/**
 * The retry limits of the client: the backoff fields of @webpubsub/async's RetryOptions (same names, same meaning),
 * redeclared only to state this client's defaults. What is retried is decided per operation (above), not by options.
 */
export interface ServiceRetryOptions extends Pick<RetryOptions, "maxRetries" | "retryDelayInMs" | "maxRetryDelayInMs"> {
  /** Retries after the first attempt. Default 3; 0 disables retries. */
  maxRetries?: number;
  /** Base delay of the exponential backoff. Default 800 ms. */
  retryDelayInMs?: number;
  /** Upper bound of one delay, Retry-After included. Default 30 000 ms. */
  maxRetryDelayInMs?: number;
}

const TRANSIENT_STATUS: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
const NOT_CONNECTED: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
]);
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  ...NOT_CONNECTED,
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ECONNABORTED",
  "REQUEST_SEND_ERROR",
  "UND_ERR_SOCKET",
]);

export function isRetryableStatus(status: number, mode: RetryMode): boolean {
  if (mode === "none") return false;
  return mode === "send" ? status === 429 : TRANSIENT_STATUS.has(status);
}

export function isRetryableError(error: unknown, mode: RetryMode, signal?: AbortSignal): boolean {
  if (mode === "none") return false;
  // An attempt cut short by requestOptions.timeout (not by the caller's signal) is retried when idempotent.
  if (mode === "idempotent" && (error as Error | undefined)?.name === "AbortError" && !signal?.aborted) return true;
  if (!isRestError(error) || error.statusCode !== undefined) return false;
  const code = error.code ?? "";
  return mode === "send" ? NOT_CONNECTED.has(code) : TRANSIENT_CODES.has(code);
}

/** Milliseconds asked for by Retry-After / retry-after-ms, or undefined. */
export function retryAfterMs(headers: Record<string, string>): number | undefined {
  const ms = headers["retry-after-ms"] ?? headers["x-ms-retry-after-ms"];
  if (ms !== undefined && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers["retry-after"];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Checks the retry options of the client and fills in the defaults. */
export function checkRetryOptions(options: ServiceRetryOptions | undefined): Required<ServiceRetryOptions> {
  const maxRetries = options?.maxRetries ?? 3;
  const retryDelayInMs = options?.retryDelayInMs ?? 800;
  const maxRetryDelayInMs = options?.maxRetryDelayInMs ?? 30_000;
  for (const [name, value] of [
    ["maxRetries", maxRetries],
    ["retryDelayInMs", retryDelayInMs],
    ["maxRetryDelayInMs", maxRetryDelayInMs],
  ] as const) {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new RangeError(`options.retryOptions.${name} must be an integer >= 0, got ${shownValue(value)}.`);
    }
    if (name !== "maxRetries") checkTimerDuration(value, `options.retryOptions.${name}`);
  }
  return { maxRetries, retryDelayInMs, maxRetryDelayInMs };
}

/** Exponential backoff with jitter for retry number `attempt + 1`, by @webpubsub/async's rules. */
function backoff(attempt: number, options: Required<ServiceRetryOptions>): number {
  return backoffDelay(attempt + 1, {
    retryDelayInMs: options.retryDelayInMs,
    maxRetryDelayInMs: options.maxRetryDelayInMs,
  });
}

/** Sends a request, and sends it again as long as `mode` allows it and retries are left. */
export async function sendWithRetries(
  send: () => PromiseLike<HttpResponse>,
  mode: RetryMode,
  options: Required<ServiceRetryOptions>,
  signal: AbortSignal | undefined,
): Promise<HttpResponse> {
  for (let attempt = 0; ; attempt++) {
    let waitMs: number;
    try {
      const response = await send();
      const status = Number(response.status);
      if (attempt >= options.maxRetries || !isRetryableStatus(status, mode)) return response;
      waitMs = Math.min(options.maxRetryDelayInMs, retryAfterMs(response.headers) ?? backoff(attempt, options));
      loadedHttpStack().logger.info(
        `Retrying ${response.request.method} after status ${status} in ${waitMs} ms (retry ${attempt + 1}).`,
      );
    } catch (error) {
      if (signal?.aborted || attempt >= options.maxRetries || !isRetryableError(error, mode, signal)) throw error;
      waitMs = backoff(attempt, options);
      loadedHttpStack().logger.info(
        `Retrying after ${shownValue((error as Error).message)} in ${waitMs} ms (retry ${attempt + 1}).`,
      );
    }
    await delay(waitMs, { signal });
  }
}
