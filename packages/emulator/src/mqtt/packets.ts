// What an open MQTT session does with the packets of its client: SUBSCRIBE joins groups (joinLeaveGroup), UNSUBSCRIBE
// leaves them, PUBLISH sends to the topic's group (sendToGroup) with its QoS handshake, acknowledgements release the
// messages in flight, PINGREQ is answered, DISCONNECT ends the network connection as the client asks.
import type { Connection } from "../connection.ts";
import { Outgoing } from "../outgoing.ts";
import type { Service } from "../service.ts";
import { publish } from "../ws/client-actions.ts";
import { closeSocket } from "../ws/close-socket.ts";
import { Reason, V4_SUBACK_FAILURE } from "./codes.ts";
import { markSentQos, PayloadInvalid, payloadFromMqtt } from "./content.ts";
import type { IPublishPacket, ISubscribePacket, IUnsubscribePacket, Packet } from "./deps.ts";
import { MAX_INCOMING_QOS2, MAX_SUBSCRIPTIONS } from "./limits.ts";
import type { MqttLink } from "./packet-io.ts";
import type { MqttSession } from "./session.ts";
import { filterProblem, topicProblem } from "./topics.ts";

export interface Live {
  service: Service;
  conn: Connection;
  session: MqttSession;
  link: MqttLink;
  /** the client asked to end the session with its network connection (5.0 session expiry 0 on DISCONNECT) */
  endOnClose: boolean;
  /** a DISCONNECT came: no last will */
  clientDisconnected: boolean;
}

/** Ends the network connection for a protocol problem: a 5.0 client gets a DISCONNECT with `reason` first. */
export function dropLink(live: Live, reason: number, message: string): void {
  const { session, link, service, conn } = live;
  service.log(`mqtt connection ${conn.id}: ${message}`);
  session.disconnect = { initiatedByClient: false, disconnectPacket: { code: reason } };
  if (session.version === 5)
    link.write({ cmd: "disconnect", reasonCode: reason, properties: { reasonString: message } });
  closeSocket(link.ws, 1000, message);
}

export function handlePacket(live: Live, p: Packet): void {
  const { session, link } = live;
  switch (p.cmd) {
    case "subscribe":
      subscribe(live, p);
      return;
    case "unsubscribe":
      unsubscribe(live, p);
      return;
    case "publish":
      onPublish(live, p);
      return;
    case "puback":
    case "pubcomp":
      if (p.messageId !== undefined) session.complete(p.messageId);
      return;
    case "pubrec":
      if (p.messageId === undefined) return;
      if (session.received(p.messageId)) link.write({ cmd: "pubrel", messageId: p.messageId });
      else link.write({ cmd: "pubrel", messageId: p.messageId, reasonCode: Reason.PacketIdentifierNotFound });
      return;
    case "pubrel":
      if (p.messageId === undefined) return;
      session.incomingQos2.delete(p.messageId);
      link.write({ cmd: "pubcomp", messageId: p.messageId });
      return;
    case "pingreq":
      link.write({ cmd: "pingresp" });
      return;
    case "disconnect": {
      live.clientDisconnected = p.reasonCode !== Reason.DisconnectWithWill;
      if (!live.clientDisconnected) live.clientDisconnected = false;
      else session.will = undefined;
      if (p.properties?.sessionExpiryInterval === 0) live.endOnClose = true;
      const packet: { code: number; userProperties?: { name: string; value: string }[] } = { code: p.reasonCode ?? 0 };
      const props = p.properties?.userProperties;
      if (props !== undefined) {
        packet.userProperties = Object.entries(props).flatMap(([name, v]) =>
          (Array.isArray(v) ? v : [v]).map((value) => ({ name, value })),
        );
      }
      session.disconnect = { initiatedByClient: true, disconnectPacket: packet };
      closeSocket(link.ws, 1000, "DISCONNECT");
      return;
    }
    default:
      dropLink(live, Reason.ProtocolError, `Unexpected MQTT packet '${p.cmd}'.`);
  }
}

function subscribe(live: Live, p: ISubscribePacket): void {
  const { conn, session, link } = live;
  const v5 = session.version === 5;
  const granted: number[] = [];
  for (const s of p.subscriptions) {
    const problem = filterProblem(s.topic);
    if (problem !== undefined) granted.push(v5 ? problem.reason : V4_SUBACK_FAILURE);
    else if (!conn.allowed("joinLeaveGroup", s.topic)) granted.push(v5 ? Reason.NotAuthorized : V4_SUBACK_FAILURE);
    else if (!conn.groups?.has(s.topic) && (conn.groups?.size ?? 0) >= MAX_SUBSCRIPTIONS) {
      granted.push(v5 ? Reason.QuotaExceeded : V4_SUBACK_FAILURE);
    } else {
      session.subscriptions.set(s.topic, { qos: s.qos, noLocal: s.nl === true });
      conn.hub.join(conn, s.topic);
      granted.push(s.qos);
    }
  }
  link.write({ cmd: "suback", messageId: p.messageId, granted });
}

function unsubscribe(live: Live, p: IUnsubscribePacket): void {
  const { conn, session, link } = live;
  const codes: number[] = [];
  for (const topic of p.unsubscriptions) {
    const problem = filterProblem(topic);
    if (problem !== undefined) codes.push(Reason.TopicFilterInvalid);
    else if (!conn.allowed("joinLeaveGroup", topic)) codes.push(Reason.NotAuthorized);
    else {
      const had = conn.groups?.has(topic) === true;
      session.subscriptions.delete(topic);
      conn.hub.leave(conn, topic);
      codes.push(had ? Reason.Success : Reason.NoSubscriptionExisted);
    }
  }
  if (session.version === 5) link.write({ cmd: "unsuback", messageId: p.messageId ?? 0, granted: codes });
  else link.write({ cmd: "unsuback", messageId: p.messageId ?? 0, granted: [] });
}

function onPublish(live: Live, p: IPublishPacket): void {
  const { service, conn, session, link } = live;
  const v5 = session.version === 5;
  if (p.properties?.topicAlias !== undefined) {
    dropLink(live, Reason.TopicAliasInvalid, "Topic aliases are not supported.");
    return;
  }
  if (p.retain && v5) {
    dropLink(live, Reason.RetainNotSupported, "Retained messages are not supported.");
    return;
  }
  const problem = topicProblem(p.topic);
  if (problem !== undefined) {
    dropLink(live, problem.reason, problem.message);
    return;
  }
  const id = p.messageId;
  if (p.qos === 2 && id !== undefined && session.incomingQos2.has(id)) {
    link.write({ cmd: "pubrec", messageId: id });
    return;
  }
  if (p.qos === 2 && session.incomingQos2.size >= MAX_INCOMING_QOS2) {
    dropLink(live, 0x93, `More than ${MAX_INCOMING_QOS2} QoS 2 messages wait for PUBREL.`);
    return;
  }
  let code: number = Reason.Success;
  if (!conn.allowed("sendToGroup", p.topic)) {
    code = Reason.NotAuthorized;
    service.log(`mqtt connection ${conn.id}: no sendToGroup permission for topic '${p.topic}'`);
  } else {
    try {
      const payload = payloadFromMqtt(Buffer.from(p.payload), v5 ? p.properties?.contentType : undefined);
      const msg = new Outgoing({ payload, from: "group", group: p.topic, fromUserId: conn.userId });
      markSentQos(msg, p.qos);
      publish(service, conn, p.topic, msg, session.subscriptions.get(p.topic)?.noLocal === true);
    } catch (e) {
      if (!(e instanceof PayloadInvalid)) throw e;
      code = Reason.PayloadFormatInvalid;
    }
  }
  if (p.qos === 1 && id !== undefined) {
    link.write(v5 ? { cmd: "puback", messageId: id, reasonCode: code } : { cmd: "puback", messageId: id });
  } else if (p.qos === 2 && id !== undefined) {
    if (code === Reason.Success) session.incomingQos2.add(id);
    link.write(v5 ? { cmd: "pubrec", messageId: id, reasonCode: code } : { cmd: "pubrec", messageId: id });
  }
}
