// Delivers a connection's events to the hub's event handlers as CloudEvents (protocol.md 5).
import { CloudEventTypes, checkTimerDuration, type MessagePayload, shown, signConnectionId } from "@webpubsub/core";
import { AbuseProtection } from "./abuse-protection.ts";
import { buildCloudEventHeaders } from "./cloud-event.ts";
import { buildConnectBody, interpretConnectResponse } from "./connect-event.ts";
import { checkEventHandlerSettings, expandUrlTemplate, redactUrl, selectHandler } from "./event-handler-settings.ts";
import { type DeliveryOutcome, type DeliveryPolicy, deliver } from "./http-delivery.ts";
import { isSystemEventName, SYSTEM_EVENT_NAMES } from "./system-events.ts";
import type {
  ConnectEventInput,
  ConnectResult,
  EventHandlerSettings,
  MqttEventContext,
  UpstreamContext,
  UpstreamEvent,
  UpstreamInvokerOptions,
  UpstreamOutcome,
  UserEventResult,
} from "./types.ts";
import { encodeUserEventBody, interpretUserEventResponse } from "./user-event.ts";

const DEFAULT_TIMEOUT_MS = 100_000;
const DEFAULT_VALIDATION_TIMEOUT_MS = 10_000;
const DEFAULT_RETRY_DELAYS_MS = [1000, 3000, 5000] as const;
const DEFAULT_VALIDATION_FAILURE_TTL_MS = 10_000;
/**
 * Largest answer read from a handler by default: 1 MiB, the bound of a client frame and of a REST body. An answer is
 * decoded in one turn (a connect answer's JSON parsed and its groups joined, a reply's JSON parsed and re-encoded for
 * the client): 15 MiB of groups took 2.8 s, so the bound keeps that turn short (test/upstream-answer-bounds).
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
const SYSTEM_JSON = "application/json; charset=utf-8";

/** What an event needs from its connection, read synchronously when the event is raised. */
interface EventSnapshot {
  hub: string;
  connectionId: string;
  userId: string | null;
  subprotocol: string | undefined;
  connectionState: string | undefined;
  eventId: number;
  mqtt: MqttEventContext | undefined;
}

/** An optional duration option: core's timer rule (0..MAX_TIMER_MS), and at least `min`. */
function checkMs(value: unknown, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  checkTimerDuration(value, name);
  if (value < min) throw new RangeError(`${name} must be at least ${min} ms, got ${value}.`);
  return value;
}

function checkContext(ctx: unknown, name = "ctx"): asserts ctx is UpstreamContext {
  if (ctx === null || typeof ctx !== "object") throw new TypeError(`${name} must be an UpstreamContext object`);
  const c = ctx as Record<string, unknown>;
  if (typeof c.hub !== "string" || c.hub === "") throw new TypeError(`${name}.hub must be a non-empty string`);
  if (typeof c.connectionId !== "string" || c.connectionId === "") {
    throw new TypeError(`${name}.connectionId must be a non-empty string`);
  }
  if (c.userId !== null && typeof c.userId !== "string") throw new TypeError(`${name}.userId must be a string or null`);
  if (c.subprotocol !== undefined && typeof c.subprotocol !== "string") {
    throw new TypeError(`${name}.subprotocol must be a string when present`);
  }
  if (c.connectionState !== undefined && typeof c.connectionState !== "string") {
    throw new TypeError(`${name}.connectionState must be a string when present`);
  }
  if (typeof c.nextEventId !== "function") throw new TypeError(`${name}.nextEventId must be a function`);
}

function checkEvent(event: unknown): asserts event is UpstreamEvent {
  if (isSystemEventName(event)) return;
  if (
    event !== null &&
    typeof event === "object" &&
    typeof (event as { user?: unknown }).user === "string" &&
    (event as { user: string }).user !== ""
  ) {
    return;
  }
  const names = SYSTEM_EVENT_NAMES.map((e) => `"${e}"`).join(", ");
  throw new TypeError(`event must be ${names} or { user: <non-empty event name> }`);
}

/**
 * Sends CloudEvents to the event handlers of a hub: blocking `connect` and user events, fire-and-forget `connected`
 * and `disconnected`. Each handler URL passes abuse-protection validation before its first event. Requests run
 * concurrently; a slow handler delays only the events that wait for its answer. A connection's `disconnected` is sent
 * after its other events in flight have finished, so a handler never sees it first.
 */
export class UpstreamInvoker {
  readonly #getHandlers: (hub: string) => EventHandlerSettings[];
  readonly #accessKeys: string[];
  readonly #origin: string;
  readonly #log: (line: string) => void;
  readonly #policy: DeliveryPolicy;
  readonly #closing = new AbortController();
  readonly #validator: AbuseProtection;
  readonly #pending = new Set<Promise<unknown>>();
  readonly #byConnection = new Map<string, Set<Promise<unknown>>>();
  readonly #onOutcome: ((outcome: UpstreamOutcome) => void) | undefined;

  constructor(opts: UpstreamInvokerOptions) {
    if (opts === null || typeof opts !== "object") throw new TypeError("opts must be an object");
    if (typeof opts.getHandlers !== "function") throw new TypeError("opts.getHandlers must be a function");
    if (
      !Array.isArray(opts.accessKeys) ||
      opts.accessKeys.length === 0 ||
      !opts.accessKeys.every((k) => typeof k === "string" && k !== "")
    ) {
      throw new TypeError("opts.accessKeys must be a non-empty array of non-empty strings");
    }
    if (typeof opts.origin !== "string" || opts.origin.trim() === "") {
      throw new TypeError("opts.origin must be the emulator's host:port, a non-empty string");
    }
    if (typeof opts.log !== "function") throw new TypeError("opts.log must be a function");
    const timeoutMs = checkMs(opts.timeoutMs, "opts.timeoutMs", 1) ?? DEFAULT_TIMEOUT_MS;
    const validationTimeoutMs =
      checkMs(opts.validationTimeoutMs, "opts.validationTimeoutMs", 1) ?? DEFAULT_VALIDATION_TIMEOUT_MS;
    const failureTtlMs =
      checkMs(opts.validationFailureTtlMs, "opts.validationFailureTtlMs", 0) ?? DEFAULT_VALIDATION_FAILURE_TTL_MS;
    let retryDelaysMs: readonly number[] = DEFAULT_RETRY_DELAYS_MS;
    if (opts.retryDelaysMs !== undefined) {
      if (!Array.isArray(opts.retryDelaysMs) || opts.retryDelaysMs.length > 10) {
        throw new RangeError("opts.retryDelaysMs must be an array of at most 10 delays");
      }
      retryDelaysMs = opts.retryDelaysMs.map((d, i) => checkMs(d, `opts.retryDelaysMs[${i}]`, 0)!);
    }
    const maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1) {
      throw new RangeError("opts.maxResponseBytes must be a positive integer");
    }
    if (opts.onOutcome !== undefined && typeof opts.onOutcome !== "function") {
      throw new TypeError("opts.onOutcome must be a function");
    }
    this.#onOutcome = opts.onOutcome;
    this.#getHandlers = opts.getHandlers;
    this.#accessKeys = [...opts.accessKeys];
    this.#origin = opts.origin;
    this.#log = opts.log;
    this.#policy = { timeoutMs, retryDelaysMs, maxResponseBytes, signal: this.#closing.signal };
    this.#validator = new AbuseProtection({
      origin: opts.origin,
      timeoutMs: validationTimeoutMs,
      failureTtlMs,
      maxResponseBytes,
      signal: this.#closing.signal,
      log: opts.log,
    });
  }

  /** Whether some handler of the hub subscribes to the event (the first match would receive it). */
  hasHandler(hub: string, event: UpstreamEvent): boolean {
    if (typeof hub !== "string" || hub === "") throw new TypeError("hub must be a non-empty string");
    checkEvent(event);
    return this.#select(hub, event) !== undefined;
  }

  /**
   * The blocking `connect` event. Without a subscribed handler the connection is accepted with the token's defaults.
   * Never throws for handler problems: they become a rejection (the handshake status).
   */
  connect(ctx: UpstreamContext, body: ConnectEventInput): Promise<ConnectResult> {
    checkContext(ctx);
    if (body === null || typeof body !== "object") throw new TypeError("body must be the connect request data");
    if (!Array.isArray(body.subprotocols) || !body.subprotocols.every((s) => typeof s === "string")) {
      throw new TypeError("body.subprotocols must be an array of strings");
    }
    if (this.#closing.signal.aborted) {
      return Promise.resolve({ kind: "reject", status: 503, message: "the emulator is closing" });
    }
    const handler = this.#select(ctx.hub, "connect");
    if (handler === undefined) return Promise.resolve({ kind: "accept" });
    const payload = JSON.stringify(buildConnectBody(body));
    const snap = this.#snapshot(ctx);
    return this.#track(
      snap.connectionId,
      this.#send(snap, handler, "connect", CloudEventTypes.connect, SYSTEM_JSON, payload).then((outcome) =>
        outcome.kind === "failure" && outcome.reason === "closed"
          ? { kind: "reject" as const, status: 503, message: "the emulator is closing" }
          : interpretConnectResponse(outcome, body.subprotocols),
      ),
    );
  }

  /** The fire-and-forget `connected` event; failures are only logged. */
  connected(ctx: UpstreamContext): void {
    checkContext(ctx);
    if (this.#closing.signal.aborted) return;
    const handler = this.#select(ctx.hub, "connected");
    if (handler === undefined) return;
    const snap = this.#snapshot(ctx);
    void this.#track(
      snap.connectionId,
      this.#send(snap, handler, "connected", CloudEventTypes.connected, SYSTEM_JSON, "{}"),
    );
  }

  /**
   * The fire-and-forget `disconnected` event with `{ reason }`. It is sent once the connection's other events in flight
   * have finished; failures are only logged.
   */
  disconnected(ctx: UpstreamContext, reason: string): void {
    checkContext(ctx);
    if (typeof reason !== "string") throw new TypeError("reason must be a string");
    if (this.#closing.signal.aborted) return;
    const handler = this.#select(ctx.hub, "disconnected");
    if (handler === undefined) return;
    const snap = this.#snapshot(ctx);
    const earlier = [...(this.#byConnection.get(snap.connectionId) ?? [])];
    const details = ctx.mqtt?.disconnect;
    const payload = JSON.stringify(details === undefined ? { reason } : { reason, mqtt: details });
    void this.#track(
      snap.connectionId,
      Promise.allSettled(earlier).then(() =>
        this.#send(snap, handler, "disconnected", CloudEventTypes.disconnected, SYSTEM_JSON, payload),
      ),
    );
  }

  /**
   * A blocking user event (`message` for simple clients, the `event` name for subprotocol `event` and `invoke`).
   * `no-handler` when no handler subscribes to it; `error` when the handler failed; `ok` with the reply otherwise.
   * Aborting `cancel` ends the request (and its retries) at once: `error` with reason `cancelled`.
   */
  userEvent(
    ctx: UpstreamContext,
    event: string,
    payload: MessagePayload,
    cancel?: AbortSignal,
  ): Promise<UserEventResult> {
    checkContext(ctx);
    if (typeof event !== "string" || event === "") throw new TypeError("event must be a non-empty string");
    if (payload === null || typeof payload !== "object") throw new TypeError("payload must be a MessagePayload");
    const { contentType, body } = encodeUserEventBody(payload);
    const handler = this.#select(ctx.hub, { user: event });
    if (handler === undefined) return Promise.resolve({ kind: "no-handler" });
    if (this.#closing.signal.aborted) return Promise.resolve({ kind: "error", message: "the emulator is closing" });
    const snap = this.#snapshot(ctx);
    return this.#track(
      snap.connectionId,
      this.#send(snap, handler, event, CloudEventTypes.userPrefix + event, contentType, body, cancel).then((outcome) =>
        interpretUserEventResponse(outcome, event),
      ),
    );
  }

  /** Cancels requests in flight and pending retries, then resolves once every event has settled. Idempotent. */
  async close(): Promise<void> {
    this.#closing.abort();
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #select(hub: string, event: UpstreamEvent): EventHandlerSettings | undefined {
    let handlers: EventHandlerSettings[];
    try {
      handlers = this.#getHandlers(hub) ?? [];
    } catch (err) {
      this.#log(`upstream: reading the event handlers of hub ${shown(hub)} failed: ${String(err)}`);
      return undefined;
    }
    return selectHandler(handlers, event);
  }

  #snapshot(ctx: UpstreamContext): EventSnapshot {
    return {
      hub: ctx.hub,
      connectionId: ctx.connectionId,
      userId: ctx.userId,
      subprotocol: ctx.subprotocol,
      connectionState: ctx.connectionState,
      eventId: ctx.nextEventId(),
      mqtt: ctx.mqtt,
    };
  }

  #track<T>(connectionId: string, work: Promise<T>): Promise<T> {
    let set = this.#byConnection.get(connectionId);
    if (set === undefined) {
      set = new Set();
      this.#byConnection.set(connectionId, set);
    }
    const connectionSet = set;
    connectionSet.add(work);
    this.#pending.add(work);
    const done = () => {
      this.#pending.delete(work);
      connectionSet.delete(work);
      if (connectionSet.size === 0 && this.#byConnection.get(connectionId) === connectionSet) {
        this.#byConnection.delete(connectionId);
      }
    };
    work.then(done, done);
    return work;
  }

  /** Tells `onOutcome` (the dashboard's feed, through the service events) how one event went. */
  #report(
    snap: EventSnapshot,
    eventName: string,
    type: string,
    outcome: DeliveryOutcome,
    durationMs: number,
    url: string | undefined,
  ): void {
    if (this.#onOutcome === undefined) return;
    const o: UpstreamOutcome = {
      hub: snap.hub,
      connectionId: snap.connectionId,
      userId: snap.userId,
      event: eventName,
      type,
      durationMs,
    };
    if (url !== undefined) o.url = url;
    if (outcome.kind === "response") o.status = outcome.status;
    else o.error = outcome.message;
    try {
      this.#onOutcome(o);
    } catch (err) {
      this.#log(`upstream: the outcome listener failed: ${String(err)}`);
    }
  }

  async #send(
    snap: EventSnapshot,
    handler: EventHandlerSettings,
    eventName: string,
    type: string,
    contentType: string,
    body: Uint8Array | string,
    cancel?: AbortSignal,
  ): Promise<DeliveryOutcome> {
    const kind = type.startsWith(CloudEventTypes.userPrefix) ? `user event ${shown(eventName)}` : `${eventName} event`;
    const label = `${kind} of connection ${snap.connectionId} (hub ${snap.hub})`;
    const report = (outcome: DeliveryOutcome, durationMs: number, url?: string): void =>
      this.#report(snap, eventName, type, outcome, durationMs, url);
    const fail = (reason: "not-validated" | "invalid-request", message: string): DeliveryOutcome => {
      this.#log(`upstream: ${label} not sent: ${message}`);
      const outcome: DeliveryOutcome = { kind: "failure", reason, message, attempts: 0 };
      report(outcome, 0);
      return outcome;
    };
    try {
      checkEventHandlerSettings(handler, "event handler");
    } catch (err) {
      return fail("invalid-request", (err as Error).message);
    }
    const url = expandUrlTemplate(handler.urlTemplate, snap.hub, eventName);
    const validation = await this.#validator.validate(expandUrlTemplate(handler.urlTemplate, snap.hub, "validate"));
    if (this.#closing.signal.aborted) {
      return { kind: "failure", reason: "closed", message: "the emulator is closing", attempts: 0 };
    }
    if (!validation.ok) {
      return fail("not-validated", `the event handler failed abuse-protection validation (${validation.reason})`);
    }
    let headers: Headers;
    try {
      headers = buildCloudEventHeaders({
        type,
        eventName,
        eventId: snap.eventId,
        hub: snap.hub,
        connectionId: snap.connectionId,
        userId: snap.userId,
        subprotocol: snap.subprotocol,
        connectionState: snap.connectionState,
        signature: await signConnectionId(snap.connectionId, this.#accessKeys),
        origin: this.#origin,
        contentType,
        time: new Date(),
        physicalConnectionId: snap.mqtt?.physicalConnectionId,
        sessionId: snap.mqtt?.sessionId,
      });
    } catch (err) {
      return fail("invalid-request", (err as Error).message);
    }
    const redacted = redactUrl(url);
    const started = performance.now();
    const policy = cancel === undefined ? this.#policy : { ...this.#policy, cancel };
    const outcome = await deliver({ method: "POST", url, headers, body }, policy, (why, attempt, delayMs) =>
      this.#log(`upstream: ${label}: attempt ${attempt} to ${redacted} failed (${why}); retrying in ${delayMs} ms`),
    );
    const ms = Math.round(performance.now() - started);
    if (outcome.kind === "response") {
      this.#log(`upstream: ${label} -> POST ${redacted}: ${outcome.status} (${ms} ms, ${outcome.attempts} attempt(s))`);
    } else if (outcome.reason !== "closed") {
      this.#log(`upstream: ${label} -> POST ${redacted} failed: ${outcome.message} (${outcome.attempts} attempt(s))`);
    }
    if (outcome.kind === "response" || outcome.reason !== "closed") report(outcome, ms, redacted);
    return outcome;
  }
}
