// A session's invocations (`invoke` / `cancelInvocation`, JSON subprotocols): each `invoke` is the blocking upstream
// user event of its `event` name, sent exactly as an `event` frame's is, and its outcome is answered with an
// `invokeResponse` for the same invocationId. An invocation runs beside the connection's other frames (a
// `cancelInvocation` must reach it while it waits), and cancelling aborts its upstream HTTP request. An answer that is
// ready while a reliable session waits for recovery is held and sent on the recovered socket; the end of the session
// aborts every upstream call still in flight.
import type { InvokeMessage, InvokeResponseMessage, MessagePayload } from "@webpubsub/core";
import { capped } from "../bounded-text.ts";
import type { Connection } from "../connection.ts";
import type { Service } from "../service.ts";
import type { SessionExtension } from "../session-extension.ts";
import { MAX_OPEN_INVOCATIONS } from "../session-limits.ts";
import type { UserEventResult } from "../upstream-port.ts";

/** Characters of an invokeResponse error message (it may quote the event handler's answer). */
const MAX_ERROR_MESSAGE_CHARS = 512;

/** What the event handler receives for an `invoke` without a payload: an empty text body. */
const NO_PAYLOAD: MessagePayload = { dataType: "text", data: "" };

export class Invocations implements SessionExtension {
  readonly #conn: Connection;
  readonly #service: Service;
  /** invocations waiting for their upstream call, by invocationId */
  readonly #open = new Map<string, { event: string; abort: AbortController }>();
  /** answers ready while no socket was attached (reliable sessions awaiting recovery); at most one per invocation */
  #held: InvokeResponseMessage[] = [];

  private constructor(conn: Connection, service: Service) {
    this.#conn = conn;
    this.#service = service;
  }

  /** The invocations of `conn` (created on first use). */
  static of(conn: Connection, service: Service): Invocations {
    return conn.extension(Invocations, () => new Invocations(conn, service));
  }

  get openCount(): number {
    return this.#open.size;
  }

  invoke(m: InvokeMessage): void {
    const { invocationId: id, event } = m;
    const payload: MessagePayload | undefined =
      m.dataType === undefined ? undefined : ({ dataType: m.dataType, data: m.data } as MessagePayload);
    this.#service.events.invocationReceived(this.#conn, id, event, payload);
    if (this.#open.has(id)) {
      this.#answer(failure(id, "BadRequest", "An invocation with this invocationId is already in progress."), event);
      return;
    }
    if (this.#open.size >= MAX_OPEN_INVOCATIONS) {
      const why = `Too many invocations in progress on this connection (limit ${MAX_OPEN_INVOCATIONS}).`;
      this.#answer(failure(id, "BadRequest", why), event);
      return;
    }
    const upstream = this.#service.upstream;
    if (!upstream.hasHandler(this.#conn.hub.name, { user: event })) {
      const why = `No event handler is configured for event '${event}'.`;
      this.#answer(failure(id, "InternalServerError", why), event);
      return;
    }
    const entry = { event, abort: new AbortController() };
    this.#open.set(id, entry);
    upstream.userEvent(this.#conn.upstreamContext(), event, payload ?? NO_PAYLOAD, entry.abort.signal).then(
      (result) => this.#finish(id, entry, result),
      (e: unknown) => {
        this.#service.log(`connection ${this.#conn.id}: invocation failed: ${String(e)}`);
        this.#finish(id, entry, { kind: "error", message: "the service failed to call the event handler" });
      },
    );
  }

  /** Aborts the upstream call of invocation `id` (answered `Cancelled`); an unknown or finished id is ignored. */
  cancel(id: string): void {
    this.#open.get(id)?.abort.abort();
  }

  resumed(): void {
    const held = this.#held;
    this.#held = [];
    for (const r of held) this.#conn.sendControl(r);
  }

  ended(): void {
    const open = [...this.#open.values()];
    this.#open.clear();
    this.#held = [];
    for (const entry of open) entry.abort.abort();
  }

  #finish(id: string, entry: { event: string }, result: UserEventResult): void {
    // an invocation the session's end already dropped is not answered
    if (this.#open.get(id) !== entry) return;
    this.#open.delete(id);
    if (result.kind === "ok") this.#conn.setConnectionState(result.connectionState);
    this.#answer(responseOf(id, entry.event, result), entry.event);
  }

  #answer(r: InvokeResponseMessage, event: string): void {
    const conn = this.#conn;
    if (conn.ended) return;
    this.#service.events.invocationAnswered(conn, r.invocationId, event, r.error?.name);
    // no socket, or one already closing: kept for the socket a recovery attaches (sent at once when it never comes
    // for a non-reliable session, where sendControl drops it)
    if (conn.reliable && (conn.socket === null || conn.socket.readyState !== 1)) this.#held.push(r);
    else conn.sendControl(r);
  }
}

function failure(invocationId: string, name: string, message: string): InvokeResponseMessage {
  return {
    type: "invokeResponse",
    invocationId,
    success: false,
    error: { name, message: capped(message, MAX_ERROR_MESSAGE_CHARS) },
  };
}

/** The invokeResponse for an upstream result: the handler's reply, or an error named after what went wrong. */
function responseOf(invocationId: string, event: string, result: UserEventResult): InvokeResponseMessage {
  if (result.kind === "ok") {
    const ok: InvokeResponseMessage = { type: "invokeResponse", invocationId, success: true };
    return result.reply === undefined ? ok : { ...ok, ...result.reply };
  }
  if (result.kind === "no-handler") {
    return failure(invocationId, "InternalServerError", `No event handler is configured for event '${event}'.`);
  }
  if (result.reason === "cancelled") return failure(invocationId, "Cancelled", "The invocation was cancelled.");
  if (result.reason === "timeout") {
    return failure(invocationId, "Timeout", `The event handler did not answer in time: ${result.message}`);
  }
  return failure(invocationId, "InternalServerError", `The event handler failed: ${result.message}`);
}
