// The emulated service's state and the connection lifecycle: hubs, session start/end, service-initiated closes,
// reliable-session detach and recovery, and the upstream calls that go with them.
import { randomBytes } from "node:crypto";
import { signJwtSync } from "@webpubsub/core";
import type { WebSocket } from "ws";
import type { ActivityFeed } from "./activity-feed.ts";
import { clip, closeReason, MAX_LOG_CHARS } from "./bounded-text.ts";
import { type ClientKind, Connection, type ConnectionEvents } from "./connection.ts";
import { Hub } from "./hub.ts";
import type { ResolvedOptions } from "./options.ts";
import type { Outgoing } from "./outgoing.ts";
import { redactAndClip } from "./redact.ts";
import { noUpstream, type UpstreamContext, type UpstreamPort } from "./upstream-port.ts";

export class Service implements ConnectionEvents {
  readonly opts: ResolvedOptions;
  readonly hubs = new Map<string, Hub>();
  upstream: UpstreamPort = noUpstream;
  /** the dashboard's live feed; null (and never touched) when the dashboard is off */
  feed: ActivityFeed | null = null;
  #serial = 0;
  #closing = false;
  readonly #warned = new Set<string>();

  constructor(opts: ResolvedOptions) {
    this.opts = opts;
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** One log line, with secrets redacted (see redact.ts) and cut to MAX_LOG_CHARS. */
  log(line: string): void {
    this.opts.log?.(redactAndClip(line, MAX_LOG_CHARS, [this.opts.accessKey]), "info");
  }

  /**
   * A line the user should see even without verbose logging (the CLI prints these always), once per `key` (the first
   * MAX_WARNING_KEYS keys), so that a page retrying a refused request cannot flood the output.
   */
  warn(key: string, line: string): void {
    if (this.#warned.has(key) || this.#warned.size >= MAX_WARNING_KEYS) return;
    this.#warned.add(key);
    this.opts.log?.(redactAndClip(line, MAX_LOG_CHARS, [this.opts.accessKey]), "warn");
  }

  /** The hub (created on first use); hub names are case-insensitive. */
  hub(name: string): Hub {
    const key = name.toLowerCase();
    let hub = this.hubs.get(key);
    if (hub === undefined) {
      hub = new Hub(key, this.feed);
      this.hubs.set(key, hub);
    }
    return hub;
  }

  findHub(name: string): Hub | undefined {
    return this.hubs.get(name.toLowerCase());
  }

  newConnectionId(): string {
    return randomBytes(16).toString("base64url");
  }

  createConnection(init: {
    id?: string;
    hub: Hub;
    userId: string | null;
    kind: ClientKind;
    subprotocol: string | undefined;
    roles: Iterable<string>;
  }): Connection {
    const conn = new Connection({
      id: init.id ?? this.newConnectionId(),
      hub: init.hub,
      userId: init.userId,
      kind: init.kind,
      subprotocol: init.subprotocol,
      roles: init.roles,
      serial: ++this.#serial,
      events: this,
      maxBufferedBytes: this.opts.maxBufferedBytes,
    });
    if (conn.reliable) {
      conn.reconnectionToken = signJwtSync(
        {
          aud: conn.id,
          iss: "https://webpubsub.azure.com",
          hub: conn.hub.name,
          exp: Math.floor(Date.now() / 1000) + 7 * 24 * 3600,
        },
        this.opts.accessKey,
      );
    }
    return conn;
  }

  context(conn: Connection): UpstreamContext {
    const ctx: UpstreamContext = {
      hub: conn.hub.name,
      connectionId: conn.id,
      userId: conn.userId,
      nextEventId: () => conn.nextEventId(),
    };
    if (conn.subprotocol !== undefined) ctx.subprotocol = conn.subprotocol;
    if (conn.connectionState !== undefined) ctx.connectionState = conn.connectionState;
    return ctx;
  }

  /** Attaches a live socket to a session (first connect or recovery). */
  attach(conn: Connection, ws: WebSocket): void {
    conn.socket = ws;
    conn.alive = true;
    if (conn.recoveryTimer !== undefined) {
      clearTimeout(conn.recoveryTimer);
      conn.recoveryTimer = undefined;
    }
  }

  /** Called when the socket of `conn` closed, whoever closed it. */
  socketClosed(conn: Connection, ws: WebSocket, code: number, reason: string): void {
    if (conn.socket !== ws) return; // an older socket replaced by a recovery
    conn.socket = null;
    if (conn.ended) return;
    if (conn.reliable && code !== 1000 && !this.#closing) {
      this.log(`connection ${conn.id} dropped (code ${code}); recoverable for ${this.opts.recoveryWindowMs} ms`);
      this.feed?.record({
        kind: "dropped",
        hub: conn.hub.name,
        connectionId: conn.id,
        userId: conn.userId,
        reason: `awaiting recovery for ${this.opts.recoveryWindowMs} ms`,
        code,
      });
      conn.recoveryTimer = setTimeout(() => {
        conn.recoveryTimer = undefined;
        this.endSession(conn, "The connection was not recovered in time.");
      }, this.opts.recoveryWindowMs);
      conn.recoveryTimer.unref();
      return;
    }
    this.endSession(conn, code === 1000 ? reason || "Closed by the client." : `Connection lost (code ${code}).`, code);
  }

  /** Ends a session for good: removes it from every index and fires upstream `disconnected` once. */
  endSession(conn: Connection, reason: string, code?: number): void {
    if (conn.ended) return;
    conn.ended = true;
    if (this.feed !== null) {
      const entry: Parameters<ActivityFeed["record"]>[0] = {
        kind: "disconnected",
        hub: conn.hub.name,
        connectionId: conn.id,
        userId: conn.userId,
        reason,
      };
      if (code !== undefined) entry.code = code;
      this.feed.record(entry);
    }
    if (conn.recoveryTimer !== undefined) {
      clearTimeout(conn.recoveryTimer);
      conn.recoveryTimer = undefined;
    }
    conn.unacked = null;
    conn.unackedBytes = 0;
    conn.hub.remove(conn);
    if (conn.hub.isEmpty && conn.hub.groups.size === 0) this.hubs.delete(conn.hub.name);
    this.log(`connection ${conn.id} ended: ${reason}`);
    if (conn.upstreamOpen) {
      conn.upstreamOpen = false;
      try {
        this.upstream.disconnected(this.context(conn), reason);
      } catch (e) {
        this.log(`upstream disconnected failed for ${conn.id}: ${String(e)}`);
      }
    }
  }

  /**
   * A service-initiated close (REST close, shutdown, protocol violation): subprotocol clients get a `disconnected`
   * frame first; the session ends and cannot be recovered.
   */
  closeConnection(conn: Connection, why: string, code = 1000): void {
    if (conn.ended) return;
    // the reason may quote client input (REST ?reason=, an invalid message): bounded before it goes anywhere
    const reason = clip(why, MAX_REASON_CHARS);
    const ws = conn.socket;
    if (ws !== null) {
      conn.sendControl({ type: "system", event: "disconnected", message: reason });
      closeSocket(ws, code, reason);
    }
    this.endSession(conn, reason, code);
  }

  overflow(conn: Connection, reason: string, closeCode: number): void {
    if (conn.ended) return;
    const ws = conn.socket;
    this.log(`connection ${conn.id} closed: ${reason}`);
    if (ws !== null) {
      // The socket buffer is what overflowed in the slow-consumer case, so a close frame would queue behind it:
      // drop the socket now to free its memory.
      if (ws.bufferedAmount > conn.maxBufferedBytes / 2) ws.terminate();
      else closeSocket(ws, closeCode, reason);
    }
    this.endSession(conn, reason, closeCode);
  }

  /**
   * Delivers `msg` to every connection in `targets` that passes `accept`. `targets` may be a live index: a delivery
   * can only remove connections (slow consumers), and Map/Set iteration skips removed entries.
   */
  deliverTo(targets: Iterable<Connection>, msg: Outgoing, accept?: (c: Connection) => boolean): number {
    let n = 0;
    for (const c of targets) {
      if (accept !== undefined && !accept(c)) continue;
      c.deliver(msg);
      n++;
    }
    return n;
  }

  allConnections(): Connection[] {
    const out: Connection[] = [];
    for (const hub of this.hubs.values()) for (const c of hub.connections.values()) out.push(c);
    return out;
  }

  /** Ends every session (emulator shutdown). */
  shutdown(): void {
    this.#closing = true;
    for (const c of this.allConnections()) this.closeConnection(c, "The service is shutting down.", 1001);
  }
}

/** Distinct warnings logged (see Service.warn). */
const MAX_WARNING_KEYS = 100;

/** Characters of a close reason kept for the `disconnected` frame, the upstream event, the feed and the log. */
export const MAX_REASON_CHARS = 512;

/** Closes `ws` with `code` and the reason cut to the 123-byte WebSocket limit (at a character boundary). */
export function closeSocket(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, closeReason(reason));
  } catch {
    ws.terminate();
  }
}
