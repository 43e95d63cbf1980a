// One upstream HTTP call with a per-attempt timeout, bounded retries and cancellation (Node global fetch), the answer
// read with core's size-limited reader.
import { BodyTooLargeError, readLimited, utf8Decode } from "@webpubsub/core";
import { capped } from "../bounded-text.ts";

export interface DeliveryRequest {
  method: "POST" | "OPTIONS" | "GET";
  url: string;
  headers: Headers;
  body?: Uint8Array | string;
}

export interface DeliveryPolicy {
  /** Timeout of one attempt, headers and body included. */
  timeoutMs: number;
  /** Delay before each retry; its length is the number of retries. */
  retryDelaysMs: readonly number[];
  /** Largest response body accepted. */
  maxResponseBytes: number;
  /** Aborted when the invoker closes: ends the attempt or the wait at once. */
  signal: AbortSignal;
  /** Aborted when the caller gives up on this one request (a cancelled invocation): ends it as `cancelled`. */
  cancel?: AbortSignal | undefined;
}

export interface DeliveryResponse {
  kind: "response";
  status: number;
  headers: Headers;
  body: Uint8Array;
  attempts: number;
}

export interface DeliveryFailure {
  kind: "failure";
  /**
   * network: connection refused/reset/...; timeout: no complete answer in time; closed: the invoker closed;
   * too-large: the answer exceeded the body limit; not-validated: the handler failed abuse protection (nothing sent);
   * invalid-request: the event could not be expressed as an HTTP request (nothing sent); cancelled: the caller's
   * `cancel` signal ended it.
   */
  reason: "network" | "timeout" | "closed" | "too-large" | "not-validated" | "invalid-request" | "cancelled";
  message: string;
  attempts: number;
}

export type DeliveryOutcome = DeliveryResponse | DeliveryFailure;

/** 408 and 5xx answers and network failures are retried; timeouts and other statuses are not. */
export function isRetryable(outcome: DeliveryOutcome): boolean {
  if (outcome.kind === "response") return outcome.status === 408 || (outcome.status >= 500 && outcome.status <= 599);
  return outcome.reason === "network";
}

export function describeOutcome(outcome: DeliveryOutcome): string {
  return outcome.kind === "response" ? `status ${outcome.status}` : outcome.message;
}

/** An answer's body as text for a log line or an error message: trimmed, capped at `max` characters. */
export function responseText(body: Uint8Array, max = 512): string {
  return capped(utf8Decode(body).trim(), max);
}

async function readAnswer(response: Response, limit: number): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array(0);
  const declaredLength = response.headers.get("content-length");
  try {
    return await readLimited(response.body, limit, { declaredLength });
  } catch (error) {
    // refused from Content-Length: nothing was read, so cancel the body here (a streamed one is already cancelled)
    if (error instanceof BodyTooLargeError && error.declared) await response.body?.cancel().catch(() => {});
    throw error;
  }
}

function networkMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return `${err.message}: ${typeof code === "string" ? code : cause.message}`;
  }
  return err.message;
}

async function attemptOnce(request: DeliveryRequest, policy: DeliveryPolicy): Promise<DeliveryOutcome> {
  const timeout = AbortSignal.timeout(policy.timeoutMs);
  const signal = AbortSignal.any(
    policy.cancel === undefined ? [timeout, policy.signal] : [timeout, policy.signal, policy.cancel],
  );
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body as BodyInit | undefined,
      signal,
      redirect: "manual",
    });
    const body = await readAnswer(response, policy.maxResponseBytes);
    return { kind: "response", status: response.status, headers: response.headers, body, attempts: 1 };
  } catch (err) {
    if (policy.signal.aborted)
      return { kind: "failure", reason: "closed", message: "the emulator is closing", attempts: 1 };
    if (isCancelled(policy)) return CANCELLED;
    if (timeout.aborted) {
      return { kind: "failure", reason: "timeout", message: `timed out after ${policy.timeoutMs} ms`, attempts: 1 };
    }
    if (err instanceof BodyTooLargeError) {
      return { kind: "failure", reason: "too-large", message: `response ${err.message}`, attempts: 1 };
    }
    return { kind: "failure", reason: "network", message: networkMessage(err), attempts: 1 };
  }
}

const CANCELLED: DeliveryFailure = { kind: "failure", reason: "cancelled", message: "cancelled", attempts: 1 };

function isCancelled(policy: DeliveryPolicy): boolean {
  return policy.cancel?.aborted === true;
}

function waitOrAbort(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Sends the request, retrying per policy. Never throws: every end is an outcome.
 * `onRetry` is told why an attempt is retried and after how long.
 */
export async function deliver(
  request: DeliveryRequest,
  policy: DeliveryPolicy,
  onRetry?: (reason: string, attempt: number, delayMs: number) => void,
): Promise<DeliveryOutcome> {
  for (let attempt = 1; ; attempt++) {
    if (policy.signal.aborted) {
      return { kind: "failure", reason: "closed", message: "the emulator is closing", attempts: attempt - 1 };
    }
    if (isCancelled(policy)) return { ...CANCELLED, attempts: attempt - 1 };
    const outcome = { ...(await attemptOnce(request, policy)), attempts: attempt };
    const delayMs = policy.retryDelaysMs[attempt - 1];
    if (!isRetryable(outcome) || delayMs === undefined) return outcome;
    onRetry?.(describeOutcome(outcome), attempt, delayMs);
    const waitSignal = policy.cancel === undefined ? policy.signal : AbortSignal.any([policy.signal, policy.cancel]);
    if (!(await waitOrAbort(delayMs, waitSignal))) {
      if (isCancelled(policy) && !policy.signal.aborted) return { ...CANCELLED, attempts: attempt };
      return { kind: "failure", reason: "closed", message: "the emulator is closing", attempts: attempt };
    }
  }
}
