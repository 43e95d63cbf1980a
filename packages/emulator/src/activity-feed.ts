// The dashboard's live feed: a bounded ring buffer of what happened in the emulator (connections, group membership,
// messages, client events, upstream calls), pushed to Server-Sent Events readers. It exists only when the dashboard
// is on, and learns what happens by subscribing to the service events (`observe`): with the dashboard off nobody
// listens and nothing is built or kept. One entry per send, never per recipient. Shown strings are truncated and
// scrubbed of the access key and tokens.
import type { ServerResponse } from "node:http";
import type { Outgoing } from "./outgoing.ts";
import { redactAndClip } from "./redact.ts";
import type { ServiceEvent, ServiceEvents } from "./service-events.ts";
import type { MessagePayload } from "./upstream-port.ts";

export type ActivityKind =
  | "connected"
  | "disconnected"
  | "dropped"
  | "recovered"
  | "joined"
  | "left"
  | "message"
  | "event"
  | "upstream"
  | "invoke"
  | "stream";

export interface ActivityEntry {
  /** increasing id, also the SSE event id */
  id: number;
  /** epoch milliseconds */
  time: number;
  kind: ActivityKind;
  hub: string;
  connectionId?: string;
  userId?: string | null;
  subprotocol?: string;
  group?: string;
  /** messages: who sent it ("server" for REST sends and event replies, or a connection id) */
  from?: string;
  /** messages: "all", "user <id>", "group <name>", "connection <id>" */
  to?: string;
  /** messages: how many connections it was delivered to */
  recipients?: number;
  dataType?: string;
  /** the payload, truncated; binary payloads as "<n bytes>" */
  preview?: string;
  /** client and upstream events, invocations: the event name */
  event?: string;
  /** invocations: the client's invocationId */
  invocationId?: string;
  /** group streams: the publisher's streamId */
  streamId?: string;
  /** upstream calls: the HTTP status, or the failure */
  status?: number;
  error?: string;
  durationMs?: number;
  /**
   * disconnections: the reason and the WebSocket close code; invocations and streams: what happened ("received",
   * "succeeded", "failed: <error name>", "opened", "ended", "closed: <error name>")
   */
  reason?: string;
  code?: number;
}

export type ActivityInit = Omit<ActivityEntry, "id" | "time">;

export const DEFAULT_FEED_CAPACITY = 200;
export const PREVIEW_CHARS = 200;
/** Bytes an SSE reader may have queued before it is dropped (EventSource reconnects and resumes by id). */
export const SSE_MAX_BUFFERED = 1024 * 1024;
const HEARTBEAT_MS = 15_000;

export class ActivityFeed {
  readonly capacity: number;
  readonly #ring: (ActivityEntry | undefined)[];
  #next = 0;
  #count = 0;
  #id = 0;
  readonly #secrets: string[];
  readonly #clients = new Set<ServerResponse>();
  /** the last entry id written to the SSE readers */
  #flushedId = 0;
  #flushScheduled = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(opts: { capacity?: number; secrets?: string[] } = {}) {
    const capacity = opts.capacity ?? DEFAULT_FEED_CAPACITY;
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError("capacity must be a positive integer");
    this.capacity = capacity;
    this.#ring = new Array(capacity);
    this.#secrets = (opts.secrets ?? []).filter((s) => s.length > 0);
  }

  // ---- recording -------------------------------------------------------------------------------------------------

  /** Records every service event from now on; returns the function that stops it. */
  observe(events: ServiceEvents): () => void {
    return events.subscribe((e) => this.#onEvent(e));
  }

  #onEvent(e: ServiceEvent): void {
    switch (e.type) {
      case "connected":
        this.record({ kind: "connected", ...who(e), subprotocol: e.subprotocol ?? "(simple)" });
        return;
      case "disconnected": {
        const entry: ActivityInit = { kind: "disconnected", ...who(e), reason: e.reason };
        if (e.code !== undefined) entry.code = e.code;
        this.record(entry);
        return;
      }
      case "dropped":
        this.record({
          kind: "dropped",
          ...who(e),
          reason: `awaiting recovery for ${e.recoveryWindowMs} ms`,
          code: e.code,
        });
        return;
      case "recovered":
        this.record({ kind: "recovered", ...who(e), reason: `replaying ${e.replayed} message(s)` });
        return;
      case "joined":
      case "left":
        this.record({ kind: e.type, ...who(e), group: e.group });
        return;
      case "clientEvent":
        this.clientEvent(e.hub, e.connectionId, e.userId, e.event, e.payload);
        return;
      case "message":
        this.message(e.hub, e.from, e.to, e.message, e.recipients, e.sender);
        return;
      case "invocation":
        this.record(this.#invocationEntry(e));
        return;
      case "stream":
        this.record(this.#streamEntry(e));
        return;
      case "upstream":
        this.record(upstreamEntry(e.outcome));
        return;
    }
  }

  #invocationEntry(e: EventOf<"invocation">): ActivityInit {
    const entry: ActivityInit = { kind: "invoke", ...who(e), from: e.connectionId, event: e.event };
    entry.invocationId = this.scrub(e.invocationId);
    if (e.phase === "received") {
      entry.reason = "received";
      if (e.payload !== undefined) {
        entry.dataType = e.payload.dataType;
        entry.preview = previewOf(e.payload);
      }
    } else {
      entry.reason = e.error === undefined ? "succeeded" : `failed: ${e.error}`;
    }
    return entry;
  }

  #streamEntry(e: EventOf<"stream">): ActivityInit {
    const entry: ActivityInit = { kind: "stream", ...who(e), from: e.connectionId, group: e.group };
    entry.streamId = this.scrub(e.streamId);
    if (e.phase === "opened") entry.reason = "opened";
    else {
      entry.reason = `${e.error === undefined ? "ended" : `closed: ${e.error}`} after ${e.fragments} fragment(s)`;
    }
    return entry;
  }

  record(init: ActivityInit): ActivityEntry {
    const entry: ActivityEntry = { id: ++this.#id, time: Date.now(), ...init };
    for (const k of ["preview", "reason", "error", "to", "group", "event"] as const) {
      const v = entry[k];
      if (v !== undefined) entry[k] = this.scrub(v);
    }
    // a user id may be as long as a connect handler's answer
    if (typeof entry.userId === "string") entry.userId = this.scrub(entry.userId);
    this.#ring[this.#next] = entry;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#count < this.capacity) this.#count++;
    if (this.#clients.size > 0) this.#scheduleFlush();
    else this.#flushedId = entry.id;
    return entry;
  }

  /**
   * A data message handed to `recipients` connections (one entry per send). `from` is "server" or the sending
   * connection's id; `sender` (client sends) also fills the entry's connection and user.
   */
  message(
    hub: string,
    from: string,
    to: string,
    msg: Outgoing,
    recipients: number,
    sender?: { id: string; userId: string | null },
  ): void {
    const p = msg.payload;
    const init: ActivityInit = { kind: "message", hub, from, to, recipients, dataType: p.kind };
    if (sender !== undefined) {
      init.connectionId = sender.id;
      init.userId = sender.userId;
    }
    init.preview =
      p.kind === "text" || p.kind === "json" ? (p.text ?? "") : `<${p.bytes === undefined ? 0 : p.bytes.length} bytes>`;
    if (msg.group !== undefined) init.group = msg.group;
    this.record(init);
  }

  /** A client event (subprotocol `event`, or a simple client's frame that becomes the `message` event). */
  clientEvent(hub: string, connectionId: string, userId: string | null, event: string, payload: MessagePayload): void {
    this.record({
      kind: "event",
      hub,
      connectionId,
      userId,
      from: connectionId,
      event,
      dataType: payload.dataType,
      preview: previewOf(payload),
    });
  }

  /**
   * Hides the access key (and fragments of it), JWTs and secret URL parameters (see redact.ts), then truncates to
   * PREVIEW_CHARS: redaction comes first, so the cut can never leave part of a secret visible.
   */
  scrub(text: string): string {
    return redactAndClip(text, PREVIEW_CHARS, this.#secrets, false);
  }

  /** The buffered entries, oldest first; `afterId` keeps only newer ones. */
  entries(afterId = 0): ActivityEntry[] {
    const out: ActivityEntry[] = [];
    const start = (this.#next - this.#count + this.capacity) % this.capacity;
    for (let i = 0; i < this.#count; i++) {
      const e = this.#ring[(start + i) % this.capacity]!;
      if (e.id > afterId) out.push(e);
    }
    return out;
  }

  get lastId(): number {
    return this.#id;
  }

  // ---- Server-Sent Events ----------------------------------------------------------------------------------------

  get streams(): number {
    return this.#clients.size;
  }

  /** Starts an SSE stream on `res`: replays the buffered entries newer than `afterId`, then every new one. */
  subscribe(res: ServerResponse, afterId: number): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    if (this.#closed) {
      res.end();
      return;
    }
    // the replay stops where the next flush starts, so no entry is sent twice
    let head = "retry: 1000\n\n";
    for (const e of this.entries(afterId)) if (e.id <= this.#flushedId) head += frame(e);
    res.write(head);
    this.#clients.add(res);
    const drop = () => this.#clients.delete(res);
    res.once("close", drop);
    res.once("error", drop);
    if (this.#heartbeat === undefined) {
      this.#heartbeat = setInterval(() => this.#broadcast(": keep-alive\n\n"), HEARTBEAT_MS);
      this.#heartbeat.unref();
    }
  }

  /** Ends every SSE stream and stops accepting new ones (emulator shutdown). */
  close(): void {
    this.#closed = true;
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    // a clean end of each stream; the server's closeAllConnections() then frees the sockets
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // one write per reader per tick, however many entries were recorded in it; entries are serialized here, from the
    // ring, so a burst costs at most `capacity` serializations and the queue never outgrows the ring
    setImmediate(() => {
      this.#flushScheduled = false;
      let chunk = "";
      for (const e of this.entries(this.#flushedId)) chunk += frame(e);
      this.#flushedId = this.#id;
      if (chunk !== "") this.#broadcast(chunk);
    });
  }

  #broadcast(chunk: string): void {
    for (const res of this.#clients) {
      if (res.writableLength > SSE_MAX_BUFFERED) {
        // a reader that does not keep up is dropped rather than buffered without bound
        this.#clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(chunk);
    }
    if (this.#clients.size === 0 && this.#heartbeat !== undefined) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
    }
  }
}

type EventOf<T extends ServiceEvent["type"]> = Extract<ServiceEvent, { type: T }>;

/** An upstream delivery's outcome as a feed entry (its URL and error are scrubbed by record()). */
function upstreamEntry(o: EventOf<"upstream">["outcome"]): ActivityInit {
  const entry: ActivityInit = {
    kind: "upstream",
    hub: o.hub,
    connectionId: o.connectionId,
    userId: o.userId,
    event: o.event,
    durationMs: o.durationMs,
  };
  if (o.url !== undefined) entry.to = o.url;
  if (o.status !== undefined) entry.status = o.status;
  if (o.error !== undefined) entry.error = o.error;
  return entry;
}

function who(e: { hub: string; connectionId: string; userId: string | null }) {
  return { hub: e.hub, connectionId: e.connectionId, userId: e.userId };
}

function frame(e: ActivityEntry): string {
  return `id: ${e.id}\nevent: activity\ndata: ${JSON.stringify(e)}\n\n`;
}

function previewOf(p: MessagePayload): string {
  if (p.dataType === "text") return p.data;
  if (p.dataType === "json") {
    try {
      return JSON.stringify(p.data) ?? "null";
    } catch {
      return "<json>";
    }
  }
  return `<${p.data.byteLength} bytes>`;
}
