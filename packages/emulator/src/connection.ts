// One client session and everything it owns: identity, permissions, ack history, connection state, the socket it is
// attached to (none while a reliable session waits for recovery), keep-alive, the in-order handling of its frames
// and, for reliable protocols, the unacked-message buffer. Every field is private or read-only: other modules change a
// session only through its methods. Group membership is the hub's (see hub.ts). Kept small: idle connections allocate
// no ack set, revocation set or unacked list until they need one.
import { type JsonDownstreamMessage, type Permission, RoleSet, roleFor } from "@webpubsub/core";
import type { WebSocket } from "ws";
import type { Hub } from "./hub.ts";
import { InboundQueue } from "./inbound-queue.ts";
import type { Outgoing } from "./outgoing.ts";
import { NO_FRAME, type WireFormat, type WireFrame } from "./protocols/wire-format.ts";
import { ReliableBuffer } from "./reliable-buffer.ts";
import { overBuffered, SLOW_CONSUMER } from "./send-buffer.ts";
import type { SessionExtension } from "./session-extension.ts";
import type { UpstreamContext } from "./upstream-port.ts";
import { closeSocket, cutSocket } from "./ws/close-socket.ts";

/**
 * Duplicate detection window: the ackIds of a connection's last 10,000 successful operations. An older ackId is
 * forgotten (reusing it executes the operation again), so a long session's history cannot grow without bound.
 */
export const ACK_HISTORY_LIMIT = 10_000;

const BINARY = { binary: true } as const;
const TEXT = { binary: false } as const;

export interface ConnectionEvents {
  /** The socket's send buffer overflowed or the reliable buffer did: the session must end. */
  overflow(conn: Connection, reason: string, closeCode: number): void;
}

/** What the handshake knows when it creates the session. */
export interface ConnectionInit {
  id: string;
  hub: Hub<Connection>;
  userId: string | null;
  protocol: WireFormat;
  /**
   * The negotiated WebSocket subprotocol: the protocol's own name, or one a `connect` handler chose that the emulator
   * does not speak (such a client is served as a simple client, under that name).
   */
  subprotocol: string | undefined;
  roles: Iterable<string>;
  /** creation order, for stable paging of group members */
  serial: number;
  events: ConnectionEvents;
  /** bytes the socket may have queued before the connection counts as a slow consumer */
  maxBufferedBytes: number;
  /** the state the `connect` handler set, if any */
  connectionState?: string | undefined;
  /** CloudEvents ids already used by the handshake (the `connect` event) */
  eventIds?: number;
  /** simple clients in sendToGroup mode: the group their frames go to */
  publishGroup?: string | undefined;
  /** simple clients in sendToGroup mode: their frames are not sent back to them */
  noEcho?: boolean;
  /** reliable sessions: the token a recovery must present */
  reconnectionToken?: string | undefined;
}

export class Connection {
  readonly id: string;
  readonly hub: Hub<Connection>;
  readonly userId: string | null;
  readonly protocol: WireFormat;
  readonly subprotocol: string | undefined;
  readonly serial: number;
  readonly events: ConnectionEvents;
  readonly maxBufferedBytes: number;
  readonly publishGroup: string | undefined;
  readonly noEcho: boolean;
  readonly reconnectionToken: string | undefined;
  /** the in-order handling of this connection's frames */
  readonly inbound = new InboundQueue();
  /** the roles of the token or the connect handler, wildcard patterns compiled once, plus runtime grants */
  readonly #roles: RoleSet;
  /** "<permission>\u0000<group>" pairs revoked at runtime although a broader role would allow them */
  #revoked: Set<string> | null = null;
  /** ackIds of operations that succeeded (idempotency keys), oldest first, at most ACK_HISTORY_LIMIT */
  #ackIds: Set<number> | null = null;
  #connectionState: string | undefined;
  #eventIds: number;
  readonly #reliable: ReliableBuffer | null;
  #socket: WebSocket | null = null;
  /** set when the session has ended for good (no more sends, no recovery) */
  #ended = false;
  /** keep-alive: whether the socket answered since the last ping */
  #alive = true;
  #recoveryTimer: NodeJS.Timeout | undefined;
  /** whether upstream `connected` was sent, so `disconnected` must follow exactly once */
  #upstreamOpen = false;
  /** optional features' per-session state (group streams, invocations), created on first use */
  #extensions: Map<object, SessionExtension> | null = null;

  constructor(init: ConnectionInit) {
    this.id = init.id;
    this.hub = init.hub;
    this.userId = init.userId;
    this.protocol = init.protocol;
    this.subprotocol = init.subprotocol;
    this.#roles = new RoleSet(init.roles);
    this.serial = init.serial;
    this.events = init.events;
    this.maxBufferedBytes = init.maxBufferedBytes;
    this.#connectionState = init.connectionState;
    this.#eventIds = init.eventIds ?? 0;
    this.publishGroup = init.publishGroup;
    this.noEcho = init.noEcho ?? false;
    this.reconnectionToken = init.reconnectionToken;
    this.#reliable = init.protocol.reliable ? new ReliableBuffer() : null;
  }

  get reliable(): boolean {
    return this.#reliable !== null;
  }

  /** The attached socket; null while a reliable session waits for recovery, and after the session ended. */
  get socket(): WebSocket | null {
    return this.#socket;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** The groups this connection is in (the hub's record); null when none. */
  get groups(): ReadonlySet<string> | null {
    return this.hub.groupsOf(this);
  }

  /** Reliable sessions: messages sent but not yet acknowledged. */
  get unackedCount(): number {
    return this.#reliable?.pending.length ?? 0;
  }

  get connectionState(): string | undefined {
    return this.#connectionState;
  }

  /** An event handler's new state: null clears it, undefined leaves it as it is. */
  setConnectionState(state: string | null | undefined): void {
    if (state === undefined) return;
    this.#connectionState = state === null ? undefined : state;
  }

  nextEventId(): number {
    return this.#eventIds++;
  }

  /** What an upstream event needs to know of this connection, read when the event is raised. */
  upstreamContext(): UpstreamContext {
    const ctx: UpstreamContext = {
      hub: this.hub.name,
      connectionId: this.id,
      userId: this.userId,
      nextEventId: () => this.nextEventId(),
    };
    if (this.subprotocol !== undefined) ctx.subprotocol = this.subprotocol;
    if (this.#connectionState !== undefined) ctx.connectionState = this.#connectionState;
    const mqtt = this.protocol.upstreamMqtt?.();
    if (mqtt !== undefined) ctx.mqtt = mqtt;
    return ctx;
  }

  // ---- lifecycle -----------------------------------------------------------------------------------------------

  /** Attaches a live socket (first connect or recovery); an older socket still attached is dropped. */
  attach(socket: WebSocket): void {
    const old = this.#socket;
    this.#socket = socket;
    this.#alive = true;
    this.#cancelRecovery();
    if (old !== null && old !== socket) cutSocket(old);
  }

  /** Forgets `socket` when it is the attached one (it closed); false when it had been replaced already. */
  detach(socket: WebSocket): boolean {
    if (this.#socket !== socket) return false;
    this.#socket = null;
    return true;
  }

  /** A dropped reliable session waits `ms` for a recovery; `onExpired` runs when none came. */
  awaitRecovery(ms: number, onExpired: () => void): void {
    this.#cancelRecovery();
    this.#recoveryTimer = setTimeout(() => {
      this.#recoveryTimer = undefined;
      onExpired();
    }, ms);
    this.#recoveryTimer.unref();
  }

  /** Ends the session for good: no more sends, no recovery, unacked messages dropped. False when it had ended. */
  end(): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    this.#cancelRecovery();
    this.inbound.close();
    this.#reliable?.clear();
    const extensions = this.#extensions;
    this.#extensions = null;
    if (extensions !== null) for (const x of extensions.values()) x.ended();
    return true;
  }

  /**
   * The session's state of an optional feature, `create`d on first use and kept under `key` until the session ends
   * (see session-extension.ts). Idle sessions allocate nothing.
   */
  extension<T extends SessionExtension>(key: object, create: () => T): T {
    const existing = this.#extensions?.get(key);
    if (existing !== undefined) return existing as T;
    const x = create();
    // a session that has ended keeps nothing: the new state is ended at once
    if (this.#ended) {
      x.ended();
      return x;
    }
    this.#extensions ??= new Map();
    this.#extensions.set(key, x);
    return x;
  }

  /** Upstream `connected` was sent: `disconnected` is owed. */
  markUpstreamOpen(): void {
    this.#upstreamOpen = true;
  }

  /** Whether upstream `disconnected` is owed; true once only. */
  takeUpstreamOpen(): boolean {
    const open = this.#upstreamOpen;
    this.#upstreamOpen = false;
    return open;
  }

  /** The client showed it is there (a frame or a pong). */
  markAlive(): void {
    this.#alive = true;
  }

  /**
   * One keep-alive round: an open socket that answered since the last round is pinged, one that did not is dropped
   * (terminated; its close then ends or suspends the session) unless its frames keep it paused; "idle" when no socket
   * is open.
   */
  keepAliveRound(): "pinged" | "dropped" | "idle" {
    const ws = this.#socket;
    if (ws === null || ws.readyState !== 1) return "idle";
    // a socket paused while its frames wait for a later turn (inbound-queue.ts) cannot have its pong read yet
    if (!this.#alive && !ws.isPaused) {
      cutSocket(ws);
      return "dropped";
    }
    this.#alive = false;
    ws.ping();
    return "pinged";
  }

  /** A service-initiated close of the socket: the `disconnected` control frame, then the close frame. */
  close(code: number, reason: string): void {
    const ws = this.#socket;
    if (ws === null) return;
    this.sendControl({ type: "system", event: "disconnected", message: reason });
    closeSocket(ws, code, reason);
  }

  /**
   * Drops the socket after an overflow. When its own send buffer is what overflowed (a slow consumer), a close frame
   * would queue behind it: the socket is terminated at once to free its memory.
   */
  dropSocket(code: number, reason: string): void {
    const ws = this.#socket;
    if (ws === null) return;
    if (ws.bufferedAmount > this.maxBufferedBytes / 2) cutSocket(ws);
    else closeSocket(ws, code, reason);
  }

  #cancelRecovery(): void {
    if (this.#recoveryTimer === undefined) return;
    clearTimeout(this.#recoveryTimer);
    this.#recoveryTimer = undefined;
  }

  // ---- ack history ---------------------------------------------------------------------------------------------

  hasSucceeded(ackId: number): boolean {
    return this.#ackIds?.has(ackId) === true;
  }

  /** Remembers a successful ackId, forgetting the oldest one beyond ACK_HISTORY_LIMIT. */
  recordSuccess(ackId: number): void {
    this.#ackIds ??= new Set();
    const ids = this.#ackIds;
    ids.add(ackId);
    if (ids.size > ACK_HISTORY_LIMIT) {
      const oldest = ids.values().next();
      if (oldest.done !== true) ids.delete(oldest.value);
    }
  }

  // ---- permissions ---------------------------------------------------------------------------------------------

  allowed(action: Permission, group: string): boolean {
    if (this.#revoked?.has(`${action}\u0000${group}`)) return false;
    return this.#roles.can(action, group);
  }

  grant(action: Permission, group: string): void {
    this.#roles.add(roleFor(action, group));
    this.#revoked?.delete(`${action}\u0000${group}`);
  }

  revoke(action: Permission, group: string): void {
    this.#roles.delete(roleFor(action, group));
    if (this.#roles.can(action, group)) {
      this.#revoked ??= new Set();
      this.#revoked.add(`${action}\u0000${group}`);
    }
  }

  // ---- sending -------------------------------------------------------------------------------------------------

  /** Delivers a data message in this connection's wire form (numbered and kept until acked when reliable). */
  deliver(msg: Outgoing): void {
    if (this.#ended) return;
    const reliable = this.#reliable;
    if (reliable === null) {
      this.#send(this.protocol.encodeData(msg, 0));
      return;
    }
    const seq = reliable.push(msg, (s) => this.protocol.dataSize(msg, s));
    if (seq === undefined) {
      this.events.overflow(this, "The reliable message buffer is full (too many unacknowledged messages).", 1008);
      return;
    }
    if (this.#socket !== null) this.#send(this.protocol.encodeData(msg, seq));
  }

  /**
   * Sends a control frame (system, ack, pong; on JSON subprotocols also invokeResponse and stream acks). Ignored by
   * protocols without them, while no socket is attached and after the session ended.
   */
  sendControl(msg: JsonDownstreamMessage): void {
    if (this.#ended) return;
    const frame = this.protocol.encodeControl(msg);
    if (frame !== undefined) this.#send(frame);
  }

  #send(frame: WireFrame): void {
    const ws = this.#socket;
    if (ws === null || ws.readyState !== 1 || frame === NO_FRAME) return;
    if (overBuffered(ws, this.maxBufferedBytes)) {
      this.events.overflow(this, SLOW_CONSUMER, 1008);
      return;
    }
    ws.send(frame.data, frame.binary ? BINARY : TEXT);
  }

  /** Cumulative ack from a reliable client: drops every buffered message with sequenceId <= `sequenceId`. */
  acknowledge(sequenceId: number): void {
    this.#reliable?.acknowledge(sequenceId);
  }

  /**
   * Replays unacked (and unexpired) messages in order on a freshly attached socket, then tells the session's
   * extensions it resumed; returns how many messages were kept.
   */
  replay(): number {
    const pending = this.#reliable?.pending ?? [];
    for (const u of pending) {
      if (u.msg.expired) continue;
      this.#send(this.protocol.encodeData(u.msg, u.seq));
    }
    if (this.#extensions !== null) for (const x of this.#extensions.values()) x.resumed();
    return pending.length;
  }
}
