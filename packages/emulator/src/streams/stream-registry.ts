// The group streams of one publishing session (client-spec 3.6, JSON subprotocols): start (permission checked like
// sendToGroup), in-order fragments published to the group as group messages carrying `stream` metadata, duplicates
// acknowledged but not published again, gaps answered with a `streamNack`, keepalives, the idle timeout, the end with
// an optional user error, and the end of the session. Acks of accepted fragments are batched: one `streamAck` per
// stream per event-loop turn. State lives as long as the session (it survives a reliable recovery; the publisher
// resends what it has not seen acknowledged) and the session's end closes every stream for its subscribers.
//
// Subscribers on a JSON subprotocol see every fragment and the terminal message with its `stream` metadata. Protobuf
// and simple subscribers of the group receive each fragment as a plain group message (their wire forms have no stream
// field) and no terminal message (it has no payload, and without the metadata it would be an empty message).
import {
  isProtobufSubprotocol,
  isWebPubSubSubprotocol,
  type StreamDataMessage,
  type StreamEndMessage,
  type StreamError,
  type StreamStartMessage,
  shown,
} from "@webpubsub/core";
import { capped } from "../bounded-text.ts";
import type { Connection } from "../connection.ts";
import { Outgoing, type Payload } from "../outgoing.ts";
import type { Service } from "../service.ts";
import type { SessionExtension } from "../session-extension.ts";
import {
  MAX_FRAGMENT_BYTES,
  MAX_OPEN_STREAMS,
  MAX_STREAM_ERROR_MESSAGE_CHARS,
  MAX_USER_ERROR_CODE_CHARS,
} from "../session-limits.ts";
import { fromUpstream, publish } from "../ws/client-actions.ts";
import { GroupStream } from "./group-stream.ts";

/** A terminal stream message carries no data: an empty text payload (readers skip it as no fragment). */
const EMPTY: Payload = { kind: "text", text: "" };

/** Whether `c` receives stream metadata (JSON subprotocols), and so the terminal messages. */
function speaksStreams(c: Connection): boolean {
  const name = c.protocol.name;
  return name !== undefined && isWebPubSubSubprotocol(name) && !isProtobufSubprotocol(name);
}

export class StreamRegistry implements SessionExtension {
  readonly #conn: Connection;
  readonly #service: Service;
  readonly #streams = new Map<string, GroupStream>();
  /** streams with fragments accepted since their last streamAck */
  readonly #ackDue = new Set<GroupStream>();
  #ackScheduled = false;

  private constructor(conn: Connection, service: Service) {
    this.#conn = conn;
    this.#service = service;
  }

  /** The streams of `conn` (created on first use). */
  static of(conn: Connection, service: Service): StreamRegistry {
    return conn.extension(StreamRegistry, () => new StreamRegistry(conn, service));
  }

  get openCount(): number {
    return this.#streams.size;
  }

  start(m: StreamStartMessage): void {
    const conn = this.#conn;
    const { streamId } = m.stream;
    const existing = this.#streams.get(streamId);
    if (existing !== undefined) {
      // a repeated start of the same stream (a publisher unsure whether its start arrived) is answered as a duplicate
      if (existing.group === m.group)
        this.#reply({ type: "streamAck", streamId, expectedSequenceId: existing.expected });
      else this.#refuse(streamId, "BadRequest", "A stream with this streamId is already open for another group.");
      return;
    }
    if (!conn.allowed("sendToGroup", m.group)) {
      this.#refuse(streamId, "Forbidden", `The connection has no permission to send to group ${shown(m.group)}.`);
      return;
    }
    if (this.#streams.size >= MAX_OPEN_STREAMS) {
      this.#refuse(streamId, "BadRequest", `Too many open streams on this connection (limit ${MAX_OPEN_STREAMS}).`);
      return;
    }
    const stream = new GroupStream({
      streamId,
      group: m.group,
      noEcho: m.noEcho === true,
      idleTimeoutMs: m.stream.idleTimeoutMs ?? this.#service.opts.streamIdleTimeoutMs,
      onIdle: (s) => {
        const message = `The stream had no activity for ${s.idleTimeoutMs} ms.`;
        this.#close(s, { name: "IdleTimeout", message }, { name: "IdleTimeout", message });
      },
    });
    this.#streams.set(streamId, stream);
    this.#service.events.streamOpened(conn, streamId, m.group);
    this.#reply({ type: "streamAck", streamId, expectedSequenceId: 1 });
  }

  data(m: StreamDataMessage): void {
    const stream = this.#find(m.streamId);
    if (stream === undefined) return;
    if (m.streamSequenceId === undefined) {
      stream.touch(); // a keepalive
      return;
    }
    const place = stream.place(m.streamSequenceId);
    if (place === "gap") {
      this.#reply({
        type: "streamNack",
        streamId: stream.streamId,
        expectedSequenceId: stream.expected,
        name: "InvalidSequenceId",
        message: `Expected streamSequenceId ${stream.expected}.`,
      });
      return;
    }
    stream.touch();
    if (place === "next") {
      if (!this.#conn.allowed("sendToGroup", stream.group)) {
        const error = { name: "Forbidden", message: "The connection lost its permission to send to the group." };
        this.#close(stream, error, error);
        return;
      }
      const payload = fromUpstream(m);
      const size = payload.bytes?.length ?? Buffer.byteLength(payload.text ?? "", "utf8");
      if (size > MAX_FRAGMENT_BYTES) {
        const message = `Fragment ${m.streamSequenceId} has ${size} bytes of data; the limit is ${MAX_FRAGMENT_BYTES}.`;
        this.#close(stream, { name: "BadRequest", message }, { name: "BadRequest", message });
        return;
      }
      this.#publish(stream, payload, { streamId: stream.streamId, streamSequenceId: m.streamSequenceId });
      stream.advance();
    }
    this.#ackLater(stream);
  }

  end(m: StreamEndMessage): void {
    const stream = this.#find(m.streamId);
    if (stream === undefined) return;
    let error: StreamError | undefined;
    if (m.error !== undefined) {
      error = { name: "UserError" };
      if (m.error.message !== undefined) error.message = capped(m.error.message, MAX_STREAM_ERROR_MESSAGE_CHARS);
      if (m.error.userErrorCode !== undefined) {
        error.userErrorCode = capped(m.error.userErrorCode, MAX_USER_ERROR_CODE_CHARS);
      }
    }
    this.#close(stream, error, undefined);
  }

  resumed(): void {
    // nothing to resend: the publisher replays what it has not seen acknowledged, and duplicates are acked
  }

  ended(): void {
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    this.#ackDue.clear();
    const error = { name: "Cancelled", message: "The publisher's connection ended." };
    for (const s of streams) this.#close(s, error, undefined, false);
  }

  /** The open stream `streamId`; undefined (after answering `StreamNotFound`) when there is none. */
  #find(streamId: string): GroupStream | undefined {
    const stream = this.#streams.get(streamId);
    if (stream === undefined) this.#refuse(streamId, "StreamNotFound", "No open stream has this streamId.");
    return stream;
  }

  /**
   * Ends `stream`: the terminal message to the group's stream-aware subscribers (with `forSubscribers` as its error),
   * and, while the publisher is there, a streamClosed (with `forPublisher` as its error).
   */
  #close(
    stream: GroupStream,
    forSubscribers: StreamError | undefined,
    forPublisher: { name: string; message: string } | undefined,
    tellPublisher = true,
  ): void {
    stream.close();
    this.#streams.delete(stream.streamId);
    this.#ackDue.delete(stream);
    const info = { streamId: stream.streamId, streamSequenceId: stream.expected, endOfStream: true };
    this.#publish(
      stream,
      EMPTY,
      forSubscribers === undefined ? info : { ...info, error: forSubscribers },
      speaksStreams,
    );
    this.#service.events.streamClosed(
      this.#conn,
      stream.streamId,
      stream.group,
      stream.published,
      forSubscribers?.name,
    );
    if (!tellPublisher) return;
    this.#reply(
      forPublisher === undefined
        ? { type: "streamClosed", streamId: stream.streamId }
        : { type: "streamClosed", streamId: stream.streamId, error: forPublisher },
    );
  }

  #publish(
    stream: GroupStream,
    payload: Payload,
    info: ConstructorParameters<typeof Outgoing>[0]["stream"],
    only?: (c: Connection) => boolean,
  ): void {
    const conn = this.#conn;
    const msg = new Outgoing({ payload, from: "group", group: stream.group, fromUserId: conn.userId, stream: info });
    if (only === undefined) {
      publish(this.#service, conn, stream.group, msg, stream.noEcho);
      return;
    }
    const route = { hub: conn.hub.name, from: conn.id, to: `group ${stream.group}`, sender: conn };
    const members = conn.hub.groups.get(stream.group) ?? [];
    this.#service.send(route, members, msg, (c) => only(c) && !(stream.noEcho && c === conn));
  }

  #refuse(streamId: string, name: string, message: string): void {
    this.#reply({ type: "streamClosed", streamId, error: { name, message } });
  }

  #reply(msg: Parameters<Connection["sendControl"]>[0]): void {
    this.#conn.sendControl(msg);
  }

  /** Schedules the stream's streamAck for the end of this event-loop turn (one ack for a burst of fragments). */
  #ackLater(stream: GroupStream): void {
    this.#ackDue.add(stream);
    if (this.#ackScheduled) return;
    this.#ackScheduled = true;
    setImmediate(() => {
      this.#ackScheduled = false;
      const due = [...this.#ackDue];
      this.#ackDue.clear();
      for (const s of due) this.#reply({ type: "streamAck", streamId: s.streamId, expectedSequenceId: s.expected });
    });
  }
}
