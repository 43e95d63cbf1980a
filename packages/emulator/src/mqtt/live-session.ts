// An open MQTT session on its network connection, and what it does with its client's packets: SUBSCRIBE and
// UNSUBSCRIBE join and leave groups (subscriptions.ts), PUBLISH goes to the topic's group with its QoS handshake,
// acknowledgements release the messages in flight (and send those the client's Receive Maximum held back), PINGREQ is
// answered, DISCONNECT ends the network connection as the client asks. When the network connection closes, the last
// will goes out (unless a DISCONNECT came) and a persistent session waits its keep time for its client; a protocol
// problem drops the connection (5.0: DISCONNECT first).
import type { Connection } from "../connection.ts";
import type { Service } from "../service.ts";
import { closeSocket } from "../ws/close-socket.ts";
import { Reason } from "./codes.ts";
import { PayloadInvalid } from "./content.ts";
import { type IDisconnectPacket, type IPublishPacket, type Packet, shown } from "./deps.ts";
import { sendToTopic } from "./group-publish.ts";
import { LastWill } from "./last-will.ts";
import { MAX_INCOMING_QOS2 } from "./limits.ts";
import type { MqttLink } from "./packet-io.ts";
import type { MqttSession } from "./session.ts";
import { forgetSession } from "./session-store.ts";
import { subscribeAll, unsubscribeAll } from "./subscriptions.ts";
import { isServerTopic, topicProblem } from "./topics.ts";
import { userPropertyList } from "./user-properties.ts";

export class LiveSession {
  readonly service: Service;
  readonly conn: Connection;
  readonly session: MqttSession;
  readonly link: MqttLink;
  /** the client asked to end the session with its network connection (5.0 session expiry 0 on DISCONNECT) */
  #endOnClose = false;

  constructor(service: Service, conn: Connection, session: MqttSession, link: MqttLink) {
    this.service = service;
    this.conn = conn;
    this.session = session;
    this.link = link;
  }

  handle(p: Packet): void {
    const { session, link } = this;
    switch (p.cmd) {
      case "subscribe": {
        const id = p.properties?.subscriptionIdentifier;
        const problem =
          requestProblem(p.messageId, p.subscriptions.length) ??
          (id === 0 ? "A Subscription Identifier must not be 0." : undefined);
        if (problem !== undefined) {
          this.drop(Reason.ProtocolError, problem);
          return;
        }
        link.write({
          cmd: "suback",
          messageId: p.messageId,
          granted: subscribeAll(this.conn, session, p.subscriptions, id),
        });
        return;
      }
      case "unsubscribe": {
        const problem = requestProblem(p.messageId, p.unsubscriptions.length);
        if (problem !== undefined) {
          this.drop(Reason.ProtocolError, problem);
          return;
        }
        const codes = unsubscribeAll(this.conn, session, p.unsubscriptions);
        link.write({ cmd: "unsuback", messageId: p.messageId ?? 0, granted: session.version === 5 ? codes : [] });
        return;
      }
      case "publish":
        this.#publish(p);
        return;
      case "puback":
      case "pubcomp":
        if (p.messageId !== undefined && session.complete(p.messageId)) session.release(this.#write);
        return;
      case "pubrec":
        if (p.messageId === undefined) return;
        // 5.0: a PUBREC with a failure code ends the exchange (no PUBREL)
        if ((p.reasonCode ?? 0) >= 0x80) {
          if (session.complete(p.messageId)) session.release(this.#write);
        } else this.#released(p.messageId);
        return;
      case "pubrel": {
        if (p.messageId === undefined) return;
        const held = session.incomingQos2.delete(p.messageId);
        if (held || session.version !== 5) link.write({ cmd: "pubcomp", messageId: p.messageId });
        else link.write({ cmd: "pubcomp", messageId: p.messageId, reasonCode: Reason.PacketIdentifierNotFound });
        return;
      }
      case "pingreq":
        link.write({ cmd: "pingresp" });
        return;
      case "disconnect":
        this.#disconnect(p);
        return;
      default:
        this.drop(Reason.ProtocolError, `Unexpected MQTT packet '${p.cmd}'.`);
    }
  }

  /** Ends the network connection for a protocol problem: a 5.0 client gets a DISCONNECT with `reason` first. */
  drop(reason: number, message: string): void {
    const { session, link } = this;
    // already closing (taken over, or dropped before): the session may live on elsewhere and is left as it is
    if (link.ws.readyState !== 1) return;
    this.service.log(`mqtt connection ${this.conn.id}: ${message}`);
    session.disconnect = { initiatedByClient: false, disconnectPacket: { code: reason } };
    if (session.version === 5) {
      link.write({ cmd: "disconnect", reasonCode: reason, properties: { reasonString: message } });
    }
    closeSocket(link.ws, 1000, message);
  }

  /** The network connection closed: the session ends, or (persistent) waits for its client. */
  closed(code: number, reason: string): void {
    const { service, conn, session } = this;
    if (!conn.detach(this.link.ws)) return;
    if (conn.ended) {
      forgetSession(service, conn, session.clientId);
      return;
    }
    session.disconnect ??= { initiatedByClient: true };
    const kept = session.persistent && !this.#endOnClose && !service.closing && session.keepMs > 0;
    LastWill.of(service, conn, session).dropped(kept);
    if (kept) {
      service.log(`mqtt session ${conn.id} (${session.clientId}) dropped; kept for ${session.keepMs} ms`);
      service.events.dropped(conn, session.keepMs, code);
      conn.awaitRecovery(session.keepMs, () => {
        service.endSession(conn, "The MQTT session expired.");
        forgetSession(service, conn, session.clientId);
      });
      return;
    }
    const why = code === 1000 ? reason || "Closed by the client." : `Connection lost (code ${code}).`;
    service.endSession(conn, why, code);
    forgetSession(service, conn, session.clientId);
  }

  /** PUBREC: a PUBREL follows, with Packet Identifier Not Found when the id was not in flight. */
  /** Writes a packet on this session's network connection (what release() sends again after a resume). */
  readonly #write = (packet: Packet): void => this.link.write(packet);

  #released(id: number): void {
    if (this.session.received(id)) this.link.write({ cmd: "pubrel", messageId: id });
    else this.link.write({ cmd: "pubrel", messageId: id, reasonCode: Reason.PacketIdentifierNotFound });
  }

  #disconnect(p: IDisconnectPacket): void {
    const { session } = this;
    // a Session Expiry Interval of a session that had none makes it no valid DISCONNECT: the will is kept
    if ((p.properties?.sessionExpiryInterval ?? 0) > 0 && !session.persistent) {
      this.drop(Reason.ProtocolError, "A DISCONNECT may not set a Session Expiry Interval the CONNECT did not.");
      return;
    }
    // a normal DISCONNECT deletes the last will; 0x04 (Disconnect with Will Message) keeps it
    if (p.reasonCode !== Reason.DisconnectWithWill) session.will = undefined;
    if (p.properties?.sessionExpiryInterval === 0) this.#endOnClose = true;
    const packet: { code: number; userProperties?: { name: string; value: string }[] } = { code: p.reasonCode ?? 0 };
    const userProperties = userPropertyList(p.properties?.userProperties);
    if (userProperties !== undefined) packet.userProperties = userProperties;
    session.disconnect = { initiatedByClient: true, disconnectPacket: packet };
    closeSocket(this.link.ws, 1000, "DISCONNECT");
  }

  #publish(p: IPublishPacket): void {
    const { session, link } = this;
    const v5 = session.version === 5;
    const problem = publishProblem(p, v5);
    if (problem !== undefined) {
      this.drop(problem.reason, problem.message);
      return;
    }
    const id = p.messageId;
    if (p.qos === 2 && id !== undefined && session.incomingQos2.has(id)) {
      link.write({ cmd: "pubrec", messageId: id });
      return;
    }
    if (p.qos === 2 && session.incomingQos2.size >= MAX_INCOMING_QOS2) {
      this.drop(Reason.ReceiveMaximumExceeded, `More than ${MAX_INCOMING_QOS2} QoS 2 messages wait for PUBREL.`);
      return;
    }
    const code = this.#forward(p);
    if (p.qos === 1 && id !== undefined) {
      link.write(v5 ? { cmd: "puback", messageId: id, reasonCode: code } : { cmd: "puback", messageId: id });
    } else if (p.qos === 2 && id !== undefined) {
      if (code === Reason.Success) session.incomingQos2.add(id);
      link.write(v5 ? { cmd: "pubrec", messageId: id, reasonCode: code } : { cmd: "pubrec", messageId: id });
    }
  }

  /**
   * Sends a PUBLISH on to its group; the reason code of its acknowledgement. A `$` topic is the server's: the PUBLISH
   * reaches nobody, 0x90 Topic Name invalid (a 3.1.1 client's is acknowledged as usual, as for a refused permission).
   */
  #forward(p: IPublishPacket): number {
    const { service, conn, session } = this;
    if (isServerTopic(p.topic)) {
      service.log(`mqtt connection ${conn.id}: topic ${shown(p.topic)} is reserved for the server; not delivered`);
      return Reason.TopicNameInvalid;
    }
    if (!conn.allowed("sendToGroup", p.topic)) {
      service.log(`mqtt connection ${conn.id}: no sendToGroup permission for topic ${shown(p.topic)}`);
      return Reason.NotAuthorized;
    }
    const v5 = session.version === 5;
    const contentType = v5 ? p.properties?.contentType : undefined;
    const expirySeconds = v5 ? p.properties?.messageExpiryInterval : undefined;
    const m = { topic: p.topic, payload: Buffer.from(p.payload), contentType, qos: p.qos, expirySeconds };
    try {
      sendToTopic(service, conn, m, session.subscriptions.get(p.topic)?.noLocal === true);
      return Reason.Success;
    } catch (e) {
      if (!(e instanceof PayloadInvalid)) throw e;
      return Reason.PayloadFormatInvalid;
    }
  }
}

/**
 * What ends the connection of a client's PUBLISH: a topic alias, retain (5.0), a Subscription Identifier, packet id 0
 * at QoS 1/2, an invalid topic.
 */
function publishProblem(p: IPublishPacket, v5: boolean): { reason: number; message: string } | undefined {
  if (p.properties?.topicAlias !== undefined) {
    return { reason: Reason.TopicAliasInvalid, message: "Topic aliases are not supported." };
  }
  if (p.retain && v5) return { reason: Reason.RetainNotSupported, message: "Retained messages are not supported." };
  // the server sets it on what it sends; a client's is a protocol error ([MQTT-3.3.4-6])
  if (p.properties?.subscriptionIdentifier !== undefined) {
    return {
      reason: Reason.ProtocolError,
      message: "A PUBLISH from a client must not carry a Subscription Identifier.",
    };
  }
  const zero = p.qos > 0 ? idProblem(p.messageId) : undefined;
  if (zero !== undefined) return { reason: Reason.ProtocolError, message: zero };
  return topicProblem(p.topic);
}

/**
 * Why a SUBSCRIBE or UNSUBSCRIBE of `filters` topic filters is a protocol error: packet id 0, or no topic filter (3.1.1
 * [MQTT-3.8.3-3] and [MQTT-3.10.3-2], 5.0 [MQTT-3.8.3-2] and [MQTT-3.10.3-2]; mqtt-packet parses it, and an empty SUBACK
 * cannot even be written).
 */
function requestProblem(messageId: number | undefined, filters: number): string | undefined {
  if (filters === 0) return "A SUBSCRIBE or UNSUBSCRIBE needs at least one topic filter.";
  return idProblem(messageId);
}

/** Why a packet identifier the client chose is a protocol error: it is 0 (3.1.1 [MQTT-2.3.1-1], 5.0 [MQTT-2.2.1-3]). */
function idProblem(messageId: number | undefined): string | undefined {
  return messageId === 0 ? "A packet identifier must not be 0." : undefined;
}
