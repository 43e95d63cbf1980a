// One client session: identity, groups, permissions, ack history and (for reliable clients) the unacked-message
// buffer. The WebSocket may be detached while a reliable session waits for recovery. Kept small: idle connections
// allocate no group set, ack set or buffer until they need one.
import { can, type DownstreamMessage, type Permission, protobufCodec, roleFor } from "@webpubsub/core";
import type { WebSocket } from "ws";

import type { Hub } from "./hub.ts";
import type { Outgoing } from "./outgoing.ts";

export const KIND_SIMPLE = 0;
export const KIND_JSON = 1;
export const KIND_RELIABLE_JSON = 2;
export const KIND_PROTOBUF = 3;
export const KIND_RELIABLE_PROTOBUF = 4;
export type ClientKind = 0 | 1 | 2 | 3 | 4;

export const RELIABLE_MAX_MESSAGES = 1000;
/** Limit of the unacked buffer, counted in bytes of the frames as sent (JSON text or protobuf). */
export const RELIABLE_MAX_BYTES = 16 * 1024 * 1024;
/**
 * Duplicate detection window: the ackIds of a connection's last 10,000 successful operations. An older ackId is
 * forgotten (reusing it executes the operation again), so a long session's history cannot grow without bound.
 */
export const ACK_HISTORY_LIMIT = 10_000;
/**
 * Frames a connection may have waiting while one of its messages is in an upstream call (an `event`, a simple
 * client's `message`): beyond either limit the connection is closed with 1008.
 */
export const MAX_QUEUED_FRAMES = 1000;
export const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

const BINARY = { binary: true } as const;
const TEXT = { binary: false } as const;

interface Unacked {
  seq: number;
  msg: Outgoing;
  /** bytes of the reliable frame for this sequenceId, in this connection's encoding */
  size: number;
}

export interface ConnectionEvents {
  /** The socket's send buffer overflowed or the reliable buffer did: the session must end. */
  overflow(conn: Connection, reason: string, closeCode: number): void;
}

export class Connection {
  readonly id: string;
  readonly hub: Hub;
  readonly userId: string | null;
  readonly kind: ClientKind;
  readonly subprotocol: string | undefined;
  readonly serial: number;
  readonly events: ConnectionEvents;
  readonly maxBufferedBytes: number;
  socket: WebSocket | null = null;
  groups: Set<string> | null = null;
  roles: Set<string>;
  /** "<permission>\u0000<group>" pairs revoked at runtime although a broader role would allow them */
  revoked: Set<string> | null = null;
  /** ackIds of operations that succeeded (idempotency keys), oldest first, at most ACK_HISTORY_LIMIT */
  ackIds: Set<number> | null = null;
  connectionState: string | undefined;
  /** simple clients in sendToGroup mode */
  publishGroup: string | undefined;
  noEcho = false;
  /** reliable: last sequenceId assigned, and messages not yet acknowledged */
  seq = 0;
  unacked: Unacked[] | null = null;
  unackedBytes = 0;
  reconnectionToken: string | undefined;
  /** set when the session has ended for good (no more sends, no recovery) */
  ended = false;
  /** keep-alive: whether the socket answered since the last ping */
  alive = true;
  recoveryTimer: NodeJS.Timeout | undefined;
  /** serializes message handling while an upstream call is in flight */
  busy: Promise<void> | null = null;
  /** frames waiting on `busy`, and their bytes (bounded by MAX_QUEUED_FRAMES / MAX_QUEUED_BYTES) */
  queuedFrames = 0;
  queuedBytes = 0;
  eventIds = 0;
  /** whether upstream `connected` was sent, so `disconnected` must follow exactly once */
  upstreamOpen = false;

  constructor(init: {
    id: string;
    hub: Hub;
    userId: string | null;
    kind: ClientKind;
    subprotocol: string | undefined;
    roles: Iterable<string>;
    serial: number;
    events: ConnectionEvents;
    maxBufferedBytes: number;
  }) {
    this.id = init.id;
    this.hub = init.hub;
    this.userId = init.userId;
    this.kind = init.kind;
    this.subprotocol = init.subprotocol;
    this.roles = new Set(init.roles);
    this.serial = init.serial;
    this.events = init.events;
    this.maxBufferedBytes = init.maxBufferedBytes;
  }

  get reliable(): boolean {
    return this.kind === KIND_RELIABLE_JSON || this.kind === KIND_RELIABLE_PROTOBUF;
  }

  get protobuf(): boolean {
    return this.kind === KIND_PROTOBUF || this.kind === KIND_RELIABLE_PROTOBUF;
  }

  nextEventId(): number {
    return this.eventIds++;
  }

  // ---- ack history ---------------------------------------------------------------------------------------------

  hasSucceeded(ackId: number): boolean {
    return this.ackIds?.has(ackId) === true;
  }

  /** Remembers a successful ackId, forgetting the oldest one beyond ACK_HISTORY_LIMIT. */
  recordSuccess(ackId: number): void {
    this.ackIds ??= new Set();
    const ids = this.ackIds;
    ids.add(ackId);
    if (ids.size > ACK_HISTORY_LIMIT) {
      const oldest = ids.values().next();
      if (oldest.done !== true) ids.delete(oldest.value);
    }
  }

  // ---- permissions ---------------------------------------------------------------------------------------------

  allowed(action: Permission, group: string): boolean {
    if (this.revoked?.has(`${action}\u0000${group}`)) return false;
    return can(this.roles, action, group);
  }

  grant(action: Permission, group: string): void {
    this.roles.add(roleFor(action, group));
    this.revoked?.delete(`${action}\u0000${group}`);
  }

  revoke(action: Permission, group: string): void {
    this.roles.delete(roleFor(action, group));
    if (can(this.roles, action, group)) {
      this.revoked ??= new Set();
      this.revoked.add(`${action}\u0000${group}`);
    }
  }

  // ---- sending -------------------------------------------------------------------------------------------------

  /** Delivers a data message in this connection's wire form. */
  deliver(msg: Outgoing): void {
    if (this.ended) return;
    if (this.kind === KIND_SIMPLE) {
      const f = msg.raw();
      this.sendFrame(f.data, f.binary);
    } else if (this.kind === KIND_JSON) {
      this.sendFrame(msg.json(), false);
    } else if (this.kind === KIND_PROTOBUF) {
      this.sendFrame(msg.protobuf(), true);
    } else {
      const seq = ++this.seq;
      const size = this.kind === KIND_RELIABLE_PROTOBUF ? msg.reliableProtobufSize(seq) : msg.reliableJsonSize(seq);
      this.unacked ??= [];
      const list = this.unacked;
      list.push({ seq, msg, size });
      this.unackedBytes += size;
      if (list.length > RELIABLE_MAX_MESSAGES || this.unackedBytes > RELIABLE_MAX_BYTES) {
        this.events.overflow(this, "The reliable message buffer is full (too many unacknowledged messages).", 1008);
        return;
      }
      if (this.socket !== null) this.#sendReliable(msg, seq);
    }
  }

  #sendReliable(msg: Outgoing, seq: number): void {
    if (this.kind === KIND_RELIABLE_PROTOBUF) this.sendFrame(msg.reliableProtobuf(seq), true);
    else this.sendFrame(msg.reliableJson(seq), false);
  }

  /** Sends a control frame (system, ack, pong). Ignored for simple clients and detached sessions. */
  sendControl(msg: DownstreamMessage): void {
    if (this.kind === KIND_SIMPLE || this.ended) return;
    if (this.protobuf) {
      const bytes = protobufCodec.encodeDownstream(msg);
      this.sendFrame(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), true);
    } else {
      this.sendFrame(Buffer.from(JSON.stringify(msg), "utf8"), false);
    }
  }

  sendFrame(data: Buffer, binary: boolean): void {
    const ws = this.socket;
    if (ws === null || ws.readyState !== 1) return;
    // what is already queued decides: one message is always accepted while the queue is under the limit
    if (ws.bufferedAmount > this.maxBufferedBytes) {
      this.events.overflow(this, "The connection is too slow to receive its messages.", 1008);
      return;
    }
    ws.send(data, binary ? BINARY : TEXT);
  }

  /** Cumulative ack from a reliable client: drops every buffered message with sequenceId <= `sequenceId`. */
  acknowledge(sequenceId: number): void {
    const list = this.unacked;
    if (list === null || list.length === 0) return;
    let n = 0;
    let bytes = 0;
    while (n < list.length && list[n]!.seq <= sequenceId) {
      bytes += list[n]!.size;
      n++;
    }
    if (n === 0) return;
    list.splice(0, n);
    this.unackedBytes -= bytes;
    if (list.length === 0) this.unacked = null;
  }

  /** Replays unacked (and unexpired) messages in order on a freshly attached socket. */
  replay(): void {
    const list = this.unacked;
    if (list === null) return;
    for (const u of list) {
      if (u.msg.expired) continue;
      this.#sendReliable(u.msg, u.seq);
    }
  }
}
