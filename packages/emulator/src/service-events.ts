// What happens in the emulated service, as typed events for observers (the dashboard's activity feed subscribes to
// them, as the upstream invoker reports through `onOutcome`). Nothing is built while nobody listens: every method
// returns before creating its event. Parties are passed as the connections themselves (anything with an id, a user
// and a hub name), so this file depends on no other.
import type { MessagePayload } from "@webpubsub/core";
import type { Outgoing } from "./outgoing.ts";
import type { UpstreamOutcome } from "./upstream/types.ts";

/** A connection as the events name it. */
export interface Party {
  readonly id: string;
  readonly userId: string | null;
  readonly hub: { readonly name: string };
}

interface About {
  hub: string;
  connectionId: string;
  userId: string | null;
}

export type ServiceEvent =
  | (About & { type: "connected"; subprotocol: string | undefined })
  /** the session ended for good */
  | (About & { type: "disconnected"; reason: string; code: number | undefined })
  /** a reliable session lost its socket and waits `recoveryWindowMs` for a recovery */
  | (About & { type: "dropped"; recoveryWindowMs: number; code: number })
  | (About & { type: "recovered"; replayed: number })
  | (About & { type: "joined" | "left"; group: string })
  /** an event from a client: a subprotocol `event`, or a simple client's frame (the `message` event) */
  | (About & { type: "clientEvent"; event: string; payload: MessagePayload })
  /**
   * a data message handed to `recipients` connections, one event per send: `from` is "server" (REST sends, event
   * handler replies) or the sending connection's id, `to` is "all", "user <id>", "group <name>" or "connection <id>"
   */
  | {
      type: "message";
      hub: string;
      from: string;
      to: string;
      message: Outgoing;
      recipients: number;
      sender: { id: string; userId: string | null } | undefined;
    }
  /** one upstream call (see UpstreamInvokerOptions.onOutcome) */
  | { type: "upstream"; outcome: UpstreamOutcome }
  /** an `invoke` from a client: received (with its payload), or answered (`error`: the failure's name, if any) */
  | (About & { type: "invocation"; invocationId: string; event: string } & (
        | { phase: "received"; payload: MessagePayload | undefined }
        | { phase: "answered"; error: string | undefined }
      ))
  /** a group stream of a connection opened, or closed (`error`: the terminal error's name, if any) */
  | (About & { type: "stream"; streamId: string; group: string } & (
        | { phase: "opened" }
        | { phase: "closed"; fragments: number; error: string | undefined }
      ));

export type ServiceListener = (event: ServiceEvent) => void;

export class ServiceEvents {
  readonly #listeners = new Set<ServiceListener>();

  /** Calls `listener` with every event from now on; returns the function that stops it. */
  subscribe(listener: ServiceListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  connected(c: Party, subprotocol: string | undefined): void {
    if (this.#listeners.size > 0) this.#emit({ type: "connected", ...about(c), subprotocol });
  }

  disconnected(c: Party, reason: string, code: number | undefined): void {
    if (this.#listeners.size > 0) this.#emit({ type: "disconnected", ...about(c), reason, code });
  }

  dropped(c: Party, recoveryWindowMs: number, code: number): void {
    if (this.#listeners.size > 0) this.#emit({ type: "dropped", ...about(c), recoveryWindowMs, code });
  }

  recovered(c: Party, replayed: number): void {
    if (this.#listeners.size > 0) this.#emit({ type: "recovered", ...about(c), replayed });
  }

  joined(c: Party, group: string): void {
    if (this.#listeners.size > 0) this.#emit({ type: "joined", ...about(c), group });
  }

  left(c: Party, group: string): void {
    if (this.#listeners.size > 0) this.#emit({ type: "left", ...about(c), group });
  }

  clientEvent(c: Party, event: string, payload: MessagePayload): void {
    if (this.#listeners.size > 0) this.#emit({ type: "clientEvent", ...about(c), event, payload });
  }

  message(hub: string, from: string, to: string, message: Outgoing, recipients: number, sender?: Party): void {
    if (this.#listeners.size === 0) return;
    const s = sender === undefined ? undefined : { id: sender.id, userId: sender.userId };
    this.#emit({ type: "message", hub, from, to, message, recipients, sender: s });
  }

  invocationReceived(c: Party, invocationId: string, event: string, payload: MessagePayload | undefined): void {
    if (this.#listeners.size === 0) return;
    this.#emit({ type: "invocation", ...about(c), invocationId, event, phase: "received", payload });
  }

  invocationAnswered(c: Party, invocationId: string, event: string, error: string | undefined): void {
    if (this.#listeners.size === 0) return;
    this.#emit({ type: "invocation", ...about(c), invocationId, event, phase: "answered", error });
  }

  streamOpened(c: Party, streamId: string, group: string): void {
    if (this.#listeners.size > 0) this.#emit({ type: "stream", ...about(c), streamId, group, phase: "opened" });
  }

  streamClosed(c: Party, streamId: string, group: string, fragments: number, error: string | undefined): void {
    if (this.#listeners.size === 0) return;
    this.#emit({ type: "stream", ...about(c), streamId, group, phase: "closed", fragments, error });
  }

  upstream(outcome: UpstreamOutcome): void {
    if (this.#listeners.size > 0) this.#emit({ type: "upstream", outcome });
  }

  #emit(event: ServiceEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

function about(c: Party): About {
  return { hub: c.hub.name, connectionId: c.id, userId: c.userId };
}
