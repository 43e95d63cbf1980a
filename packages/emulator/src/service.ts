// The emulated service: its hubs, and the session lifecycle (open, drop and recovery of reliable sessions, end,
// service-initiated closes) with the upstream calls that go with it. What happens is told to ServiceEvents observers.
import { randomBytes } from "node:crypto";
import { signJwtSync } from "@webpubsub/core";
import type { WebSocket } from "ws";
import { capped, MAX_LOG_CHARS } from "./bounded-text.ts";
import { Connection, type ConnectionEvents, type ConnectionInit } from "./connection.ts";
import { Hub } from "./hub.ts";
import type { ResolvedOptions } from "./options.ts";
import type { Outgoing } from "./outgoing.ts";
import { redactAndClip } from "./redact.ts";
import { ServiceEvents } from "./service-events.ts";
import { noUpstream, type UpstreamPort } from "./upstream-port.ts";

/** Where a send went, for the service events: who sent it ("server" or a connection id) and to whom. */
export interface SendRoute {
  hub: string;
  from: string;
  to: string;
  /** the sending connection, for client sends */
  sender?: Connection;
}

export class Service implements ConnectionEvents {
  readonly opts: ResolvedOptions;
  readonly hubs = new Map<string, Hub<Connection>>();
  readonly events = new ServiceEvents();
  upstream: UpstreamPort = noUpstream;
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
  hub(name: string): Hub<Connection> {
    const key = name.toLowerCase();
    let hub = this.hubs.get(key);
    if (hub === undefined) {
      hub = new Hub(key, this.events);
      this.hubs.set(key, hub);
    }
    return hub;
  }

  findHub(name: string): Hub<Connection> | undefined {
    return this.hubs.get(name.toLowerCase());
  }

  newConnectionId(): string {
    return randomBytes(16).toString("base64url");
  }

  /** A new session (not yet in its hub); reliable ones get their reconnection token. */
  createConnection(
    init: Omit<ConnectionInit, "serial" | "events" | "maxBufferedBytes" | "reconnectionToken">,
  ): Connection {
    const reconnectionToken = init.protocol.reliable
      ? signJwtSync(
          {
            aud: init.id,
            iss: "https://webpubsub.azure.com",
            hub: init.hub.name,
            exp: Math.floor(Date.now() / 1000) + 7 * 24 * 3600,
          },
          this.opts.accessKey,
        )
      : undefined;
    return new Connection({
      ...init,
      serial: ++this.#serial,
      events: this,
      maxBufferedBytes: this.opts.maxBufferedBytes,
      reconnectionToken,
    });
  }

  /**
   * Starts an accepted session on its socket: into its hub and initial groups, the `connected` frame, then upstream
   * `connected`.
   */
  open(conn: Connection, socket: WebSocket, groups: readonly string[]): void {
    conn.hub.add(conn);
    this.events.connected(conn, conn.protocol.label ?? conn.subprotocol);
    for (const g of groups) conn.hub.join(conn, g);
    conn.attach(socket);
    conn.sendControl(this.#connectedFrame(conn));
    conn.markUpstreamOpen();
    this.log(
      `connection ${conn.id} opened: hub=${conn.hub.name} user=${conn.userId ?? "(anonymous)"} protocol=${conn.protocol.label ?? conn.subprotocol ?? "(simple)"}`,
    );
    if (this.upstream.hasHandler(conn.hub.name, "connected")) {
      try {
        this.upstream.connected(conn.upstreamContext());
      } catch (e) {
        this.log(`upstream connected failed for ${conn.id}: ${String(e)}`);
      }
    }
  }

  /**
   * A recovered reliable session on its new socket: a `connected` frame for the same session (its id, user and
   * reconnection token; clients resume paused streams on it and must not treat it as a new connection), then the
   * unacked messages are replayed.
   */
  resume(conn: Connection, socket: WebSocket): void {
    conn.attach(socket);
    conn.sendControl(this.#connectedFrame(conn));
    const pending = conn.unackedCount;
    this.log(`connection ${conn.id} recovered; replaying ${pending} message(s)`);
    this.events.recovered(conn, pending);
    conn.replay();
  }

  #connectedFrame(conn: Connection) {
    return {
      type: "system",
      event: "connected",
      userId: conn.userId,
      connectionId: conn.id,
      ...(conn.reconnectionToken !== undefined ? { reconnectionToken: conn.reconnectionToken } : {}),
    } as const;
  }

  /** Called when the socket of `conn` closed, whoever closed it. */
  socketClosed(conn: Connection, ws: WebSocket, code: number, reason: string): void {
    if (!conn.detach(ws)) return; // an older socket replaced by a recovery
    if (conn.ended) return;
    if (conn.reliable && code !== 1000 && !this.#closing) {
      const windowMs = this.opts.recoveryWindowMs;
      this.log(`connection ${conn.id} dropped (code ${code}); recoverable for ${windowMs} ms`);
      this.events.dropped(conn, windowMs, code);
      conn.awaitRecovery(windowMs, () => this.endSession(conn, "The connection was not recovered in time."));
      return;
    }
    this.endSession(conn, code === 1000 ? reason || "Closed by the client." : `Connection lost (code ${code}).`, code);
  }

  /** Ends a session for good: removes it from every index and fires upstream `disconnected` once. */
  endSession(conn: Connection, reason: string, code?: number): void {
    if (!conn.end()) return;
    this.events.disconnected(conn, reason, code);
    conn.hub.remove(conn);
    if (conn.hub.isEmpty && conn.hub.groups.size === 0) this.hubs.delete(conn.hub.name);
    this.log(`connection ${conn.id} ended: ${reason}`);
    if (conn.takeUpstreamOpen()) {
      try {
        this.upstream.disconnected(conn.upstreamContext(), reason);
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
    const reason = capped(why, MAX_REASON_CHARS);
    conn.close(code, reason);
    this.endSession(conn, reason, code);
  }

  overflow(conn: Connection, reason: string, closeCode: number): void {
    if (conn.ended) return;
    this.log(`connection ${conn.id} closed: ${reason}`);
    conn.dropSocket(closeCode, reason);
    this.endSession(conn, reason, closeCode);
  }

  /**
   * Delivers `msg` to every connection in `targets` that passes `accept`, and tells the service events (one event per
   * send). `targets` may be a live index: a delivery can only remove connections (slow consumers), and Map/Set
   * iteration skips removed entries. Returns the number of recipients.
   */
  send(route: SendRoute, targets: Iterable<Connection>, msg: Outgoing, accept?: (c: Connection) => boolean): number {
    let n = 0;
    for (const c of targets) {
      if (accept !== undefined && !accept(c)) continue;
      c.deliver(msg);
      n++;
    }
    this.events.message(route.hub, route.from, route.to, msg, n, route.sender);
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
