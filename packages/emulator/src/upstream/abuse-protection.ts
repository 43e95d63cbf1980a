// Abuse-protection validation of event handler URLs (protocol.md 5.2), cached per URL.

import { shown } from "@webpubsub/core";
import { redactUrl } from "./event-handler-settings.ts";
import { type DeliveryOutcome, type DeliveryPolicy, deliver } from "./http-delivery.ts";

export type ValidationResult = { ok: true } | { ok: false; reason: string };

/** Whether a `WebHook-Allowed-Origin` value (possibly a comma-joined list) allows `origin`, case-insensitively. */
export function allowedOriginMatches(headerValue: string | null, origin: string): boolean {
  if (headerValue === null) return false;
  const wanted = origin.toLowerCase();
  return headerValue
    .split(",")
    .map((v) => v.trim().toLowerCase())
    .some((v) => v === "*" || v === wanted);
}

/**
 * Handler URLs whose validation is remembered. A `{hub}` template has one URL per hub, and hub names come from clients
 * (anyone can sign a token for any hub with the well-known development key): beyond this the oldest URL is forgotten,
 * and validated again when it is next used.
 */
export const MAX_REMEMBERED_URLS = 1000;

interface CacheEntry {
  result: Promise<ValidationResult>;
  /** When a failure stops being remembered (epoch ms); Infinity for success and while in flight. */
  expiresAt: number;
}

export interface AbuseProtectionOptions {
  origin: string;
  timeoutMs: number;
  failureTtlMs: number;
  maxResponseBytes: number;
  signal: AbortSignal;
  log: (line: string) => void;
  now?: () => number;
}

/**
 * Validates each handler URL once before its first event: `OPTIONS` with `WebHook-Request-Origin` (and
 * `ce-awpsversion`, which the official Express handler requires), falling back to `GET` when the handler answers 404.
 * The handler must answer 2xx with `WebHook-Allowed-Origin: *` or the emulator's origin. Concurrent events wait on the
 * same validation. Success is remembered; failure is remembered for `failureTtlMs`, then the URL is tried again.
 */
export class AbuseProtection {
  readonly #opts: AbuseProtectionOptions;
  readonly #cache = new Map<string, CacheEntry>();

  constructor(opts: AbuseProtectionOptions) {
    this.#opts = opts;
  }

  validate(url: string): Promise<ValidationResult> {
    const now = (this.#opts.now ?? Date.now)();
    const cached = this.#cache.get(url);
    if (cached !== undefined && cached.expiresAt > now) return cached.result;
    const entry: CacheEntry = { result: Promise.resolve({ ok: true }), expiresAt: Number.POSITIVE_INFINITY };
    entry.result = this.#run(url).then((result) => {
      if (!result.ok) entry.expiresAt = (this.#opts.now ?? Date.now)() + this.#opts.failureTtlMs;
      return result;
    });
    this.#cache.set(url, entry);
    if (this.#cache.size > MAX_REMEMBERED_URLS) this.#cache.delete(this.#cache.keys().next().value!);
    return entry.result;
  }

  async #run(url: string): Promise<ValidationResult> {
    const { origin, log } = this.#opts;
    const redacted = redactUrl(url);
    let method: "OPTIONS" | "GET" = "OPTIONS";
    let outcome = await this.#send("OPTIONS", url);
    if (outcome.kind === "response" && outcome.status === 404) {
      method = "GET";
      outcome = await this.#send("GET", url);
    }
    const result = judge(outcome, method, origin);
    if (result.ok) {
      log(`upstream: abuse-protection validation of ${redacted} passed`);
    } else if (!(outcome.kind === "failure" && outcome.reason === "closed")) {
      log(`upstream: abuse-protection validation of ${redacted} failed: ${result.reason}; the handler gets no events`);
    }
    return result;
  }

  #send(method: "OPTIONS" | "GET", url: string): Promise<DeliveryOutcome> {
    const policy: DeliveryPolicy = {
      timeoutMs: this.#opts.timeoutMs,
      retryDelaysMs: [],
      maxResponseBytes: this.#opts.maxResponseBytes,
      signal: this.#opts.signal,
    };
    const headers = new Headers({ "WebHook-Request-Origin": this.#opts.origin, "ce-awpsversion": "1.0" });
    return deliver({ method, url, headers }, policy);
  }
}

function judge(outcome: DeliveryOutcome, method: string, origin: string): ValidationResult {
  if (outcome.kind === "failure") return { ok: false, reason: `${method} request failed: ${outcome.message}` };
  if (outcome.status < 200 || outcome.status > 299) {
    return { ok: false, reason: `${method} answered ${outcome.status}, expected 2xx` };
  }
  const allowed = outcome.headers.get("webhook-allowed-origin");
  if (allowed === null) return { ok: false, reason: `${method} answer has no WebHook-Allowed-Origin header` };
  if (!allowedOriginMatches(allowed, origin)) {
    return { ok: false, reason: `WebHook-Allowed-Origin ${shown(allowed)} allows neither "*" nor ${shown(origin)}` };
  }
  return { ok: true };
}
