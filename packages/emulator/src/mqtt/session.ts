// One MQTT session (a Web PubSub connection): its client identifier and protocol version, its subscriptions (topic =
// group, with the granted QoS), the QoS 1/2 messages sent to it and not yet acknowledged (kept across a reconnect),
// the QoS 2 messages it sent that wait for PUBREL, its last will, and the network connection it is on. It is the
// connection's wire format: a data message becomes a PUBLISH on the message's group topic (or the server messages
// topic; none for a client's message to a `$` group), the `connected` system message its CONNACK and a service close
// its DISCONNECT (5.0).
import type { DownstreamMessage } from "@webpubsub/core";
import type { Connection } from "../connection.ts";
import type { Outgoing } from "../outgoing.ts";
import { NO_FRAME, type WireFormat, type WireFrame } from "../protocols/wire-format.ts";
import type { MqttEventContext } from "../upstream/types.ts";
import type { MqttVersion } from "./codes.ts";
import { Reason } from "./codes.ts";
import { contentTypeOf, deliveryQos, payloadBytes } from "./content.ts";
import { generate, type IConnackPacket, type IPublishPacket, type Packet, type QoS } from "./deps.ts";
import { MAX_INFLIGHT, MAX_INFLIGHT_BYTES, SERVER_MESSAGES_TOPIC } from "./limits.ts";
import { isServerTopic } from "./topics.ts";

export interface Subscription {
  qos: QoS;
  /** MQTT 5.0 No Local: the session's own publishes to the topic are not sent back to it */
  noLocal: boolean;
  /** MQTT 5.0 Subscription Identifier of the SUBSCRIBE that made it, sent back on the PUBLISHes it delivers */
  id?: number | undefined;
}

export interface Will {
  topic: string;
  payload: Buffer;
  qos: QoS;
  contentType: string | undefined;
  /** 5.0 Will Delay Interval, in seconds (0: none) */
  delaySeconds: number;
}

interface Inflight {
  packet: IPublishPacket;
  /** "publish": waiting for PUBACK / PUBREC; "pubrel": PUBREC came, waiting for PUBCOMP */
  stage: "publish" | "pubrel";
}

/** Shared encodings of QoS 0 PUBLISH packets, one per protocol version (the same bytes for every recipient). */
const QOS0_V4 = {};
const QOS0_V5 = {};

export class MqttSession implements WireFormat {
  readonly name = "mqtt";
  readonly reliable = false;
  readonly binary = true;
  readonly clientId: string;
  readonly version: MqttVersion;
  /**
   * whether the session outlives its network connection (clean session 0 / session expiry > 0), as the CONNECT that
   * opened or last resumed it says
   */
  persistent: boolean;
  /** how long it waits for a reconnect, in ms (from the same CONNECT) */
  keepMs: number;
  readonly subscriptions = new Map<string, Subscription>();
  /** QoS 2 packet ids received and delivered, waiting for the client's PUBREL */
  readonly incomingQos2 = new Set<number>();
  readonly #inflight = new Map<number, Inflight>();
  /** payload bytes of the messages in #inflight */
  #inflightBytes = 0;
  /**
   * The client's Receive Maximum (5.0 CONNECT; none for 3.1.1): how many QoS 1/2 messages it takes unacknowledged on
   * its current network connection. Messages beyond it wait in #held, in order, until acknowledgements make room.
   */
  receiveMaximum = Number.POSITIVE_INFINITY;
  /** The client's Maximum Packet Size (5.0 CONNECT; none for 3.1.1), in bytes: larger PUBLISHes are not sent to it. */
  maximumPacketSize = Number.POSITIVE_INFINITY;
  readonly #held: { msg: Outgoing; size: number }[] = [];
  #heldBytes = 0;
  /**
   * Ids in #inflight from an earlier network connection not yet sent again on this one (a resume sends them, in order,
   * as the new connection's Receive Maximum has room).
   */
  #resend = new Set<number>();
  /** release() is handing a held message to the connection: it is sent, not held again */
  #releasing = false;
  #nextId = 1;
  #conn: Connection | undefined;
  will: Will | undefined;
  /** the CONNACK the `connected` system message becomes */
  connack: IConnackPacket = { cmd: "connack", sessionPresent: false };
  /** the DISCONNECT reason of a service close (5.0) */
  serverDisconnectCode: number = Reason.AdministrativeAction;
  physicalConnectionId = "";
  /** how the session ended, for the upstream `disconnected` event */
  disconnect: MqttEventContext["disconnect"];

  constructor(init: { clientId: string; version: MqttVersion; persistent: boolean; keepMs: number }) {
    this.clientId = init.clientId;
    this.version = init.version;
    this.persistent = init.persistent;
    this.keepMs = init.keepMs;
  }

  get label(): string {
    return this.version === 5 ? "mqtt 5.0" : "mqtt 3.1.1";
  }

  /** The connection this session is the wire format of (set once, right after it is created). */
  bind(conn: Connection): void {
    this.#conn = conn;
  }

  upstreamMqtt(): MqttEventContext {
    const ctx: MqttEventContext = { physicalConnectionId: this.physicalConnectionId, sessionId: this.clientId };
    if (this.disconnect !== undefined) ctx.disconnect = this.disconnect;
    return ctx;
  }

  encode(packet: Packet): Buffer {
    return generate(packet, { protocolVersion: this.version });
  }

  // ---- WireFormat ------------------------------------------------------------------------------------------------

  encodeData(msg: Outgoing): WireFrame {
    const topic = msg.from === "group" && msg.group !== undefined ? msg.group : SERVER_MESSAGES_TOPIC;
    // a Web PubSub client's sendToGroup to a `$` group: clients do not exchange messages on the server's topics (a REST
    // send, fromUserId undefined, is the server's and goes out)
    if (msg.from === "group" && msg.fromUserId !== undefined && isServerTopic(topic)) return NO_FRAME;
    const subscription = msg.from === "group" ? this.subscriptions.get(topic) : undefined;
    const granted = msg.from === "group" ? (subscription?.qos ?? 1) : 1;
    const qos = deliveryQos(msg, granted);
    const subscriptionId = this.version === 5 ? subscription?.id : undefined;
    if (qos === 0 && subscriptionId !== undefined) {
      // a PUBLISH of this subscriber's own: the shared encoding has no identifier
      return this.#fitting({
        data: this.encode(this.#publish(msg, topic, 0, undefined, subscriptionId)),
        binary: true,
      });
    }
    if (qos === 0) {
      return this.#fitting(
        msg.encoded(this.version === 5 ? QOS0_V5 : QOS0_V4, (m) => ({
          data: this.encode(this.#publish(m, topic, 0, undefined)),
          binary: true,
        })),
      );
    }
    if (!this.#hasRoom()) {
      const conn = this.#conn;
      if (conn !== undefined) {
        const limit = `limit ${MAX_INFLIGHT} messages or ${MAX_INFLIGHT_BYTES / (1024 * 1024)} MiB`;
        conn.events.overflow(conn, `Too many unacknowledged QoS 1/2 messages (${limit}).`, 1008);
      }
      return NO_FRAME;
    }
    // held, not in flight, while the client is away (a persistent session): its delivery has not started, so it may
    // still expire, and a resume sends it with the interval left and DUP 0 (MQTT 5.0 section 3.3.2.3.3)
    const away = this.#conn?.socket === null;
    if (!this.#releasing && (away || this.#held.length > 0 || this.#inflight.size >= this.receiveMaximum)) {
      const size = payloadBytes(msg.payload).length;
      this.#held.push({ msg, size });
      this.#heldBytes += size;
      return NO_FRAME;
    }
    const id = this.#allocateId();
    const packet = this.#publish(msg, topic, qos, id, subscriptionId);
    const frame = this.#fitting({ data: this.encode(packet), binary: true });
    if (frame !== NO_FRAME) {
      this.#inflight.set(id, { packet, stage: "publish" });
      this.#inflightBytes += packet.payload.length;
    }
    return frame;
  }

  /**
   * `frame`, or NO_FRAME when it is larger than the client's Maximum Packet Size: such a PUBLISH is not sent, and the
   * message counts as delivered (MQTT 5.0 section 3.1.2.11.4), so a QoS 1/2 one is not kept in flight.
   */
  #fitting(frame: WireFrame): WireFrame {
    return this.#fits(frame.data) ? frame : NO_FRAME;
  }

  /** Whether `packet`'s bytes are within the client's Maximum Packet Size. */
  #fits(packet: Buffer): boolean {
    return packet.length <= this.maximumPacketSize;
  }

  dataSize(msg: Outgoing): number {
    return payloadBytes(msg.payload).length;
  }

  encodeControl(msg: DownstreamMessage): WireFrame | undefined {
    if (msg.type !== "system") return undefined;
    if (msg.event === "connected") return { data: this.encode(this.connack), binary: true };
    if (msg.event === "disconnected" && this.version === 5) {
      const code = this.serverDisconnectCode;
      this.disconnect = { initiatedByClient: false, disconnectPacket: { code } };
      return { data: this.encode({ cmd: "disconnect", reasonCode: code }), binary: true };
    }
    if (msg.event === "disconnected") this.disconnect = { initiatedByClient: false, disconnectPacket: { code: 0 } };
    return undefined;
  }

  #publish(msg: Outgoing, topic: string, qos: QoS, id: number | undefined, subscriptionId?: number): IPublishPacket {
    const packet: IPublishPacket = {
      cmd: "publish",
      topic,
      qos,
      dup: false,
      retain: false,
      payload: payloadBytes(msg.payload),
    };
    if (id !== undefined) packet.messageId = id;
    if (this.version === 5) {
      const properties: NonNullable<IPublishPacket["properties"]> = { contentType: contentTypeOf(msg.payload.kind) };
      if (msg.expiresAt !== 0) {
        properties.messageExpiryInterval = Math.max(1, Math.ceil((msg.expiresAt - Date.now()) / 1000));
      }
      if (subscriptionId !== undefined) properties.subscriptionIdentifier = subscriptionId;
      packet.properties = properties;
    }
    return packet;
  }

  /**
   * Whether one more QoS 1/2 message may be kept (in flight or held). What is already kept decides: one message is
   * always taken while the messages and bytes kept are under the limits.
   */
  #hasRoom(): boolean {
    const kept = this.#inflight.size + this.#held.length;
    return kept < MAX_INFLIGHT && this.#inflightBytes + this.#heldBytes < MAX_INFLIGHT_BYTES;
  }

  /** A packet id not in flight (there are fewer than MAX_INFLIGHT < 65535 in flight). */
  #allocateId(): number {
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id === 65535 ? 1 : id + 1;
      if (!this.#inflight.has(id)) return id;
    }
  }

  // ---- acknowledgements ------------------------------------------------------------------------------------------

  /** PUBACK (QoS 1) or PUBCOMP (QoS 2): the message is done. False when the id was not in flight. */
  complete(id: number): boolean {
    const entry = this.#inflight.get(id);
    if (entry === undefined) return false;
    this.#inflight.delete(id);
    this.#inflightBytes -= entry.packet.payload.length;
    this.#resend.delete(id);
    return true;
  }

  /** PUBREC: the QoS 2 message arrived; PUBREL follows. False when the id was not in flight. */
  received(id: number): boolean {
    const entry = this.#inflight.get(id);
    if (entry === undefined) return false;
    entry.stage = "pubrel";
    return true;
  }

  get inflightCount(): number {
    return this.#inflight.size;
  }

  /** QoS 1/2 messages held back by the client's Receive Maximum. */
  get heldCount(): number {
    return this.#held.length;
  }

  /**
   * Sends what the client's Receive Maximum now has room for, oldest first (after an acknowledgement, or a resume):
   * first the messages of an earlier connection still unacknowledged (`write`: PUBLISH with DUP set, or PUBREL; a
   * PUBLISH over the client's Maximum Packet Size is done with unsent), then the held ones; expired held ones are
   * dropped.
   */
  release(write: (packet: Packet) => void): void {
    while (this.#resend.size > 0 && this.#inflight.size - this.#resend.size < this.receiveMaximum) {
      const id = this.#resend.values().next().value!;
      this.#resend.delete(id);
      const entry = this.#inflight.get(id)!;
      if (entry.stage === "pubrel") {
        write({ cmd: "pubrel", messageId: id });
        continue;
      }
      const again: IPublishPacket = { ...entry.packet, dup: true };
      // the new connection's Maximum Packet Size may be smaller: a PUBLISH over it counts as delivered
      if (this.#fits(this.encode(again))) write(again);
      else this.complete(id);
    }
    const conn = this.#conn;
    if (conn === undefined || this.#resend.size > 0) return;
    while (this.#held.length > 0 && this.#inflight.size < this.receiveMaximum) {
      const { msg, size } = this.#held.shift()!;
      this.#heldBytes -= size;
      if (msg.expired) continue;
      this.#releasing = true;
      try {
        conn.deliver(msg);
      } finally {
        this.#releasing = false;
      }
    }
  }

  /**
   * A resumed session on its new connection: the Receive Maximum count starts again (MQTT 5.0 section 4.9) and what
   * is unacknowledged goes again, in order, as release() has room (unacknowledged PUBLISHes with DUP set, pending
   * PUBRELs), then the held messages.
   */
  resume(write: (packet: Packet) => void): void {
    this.#resend = new Set(this.#inflight.keys());
    this.release(write);
  }
}
