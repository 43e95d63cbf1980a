// A message an MQTT client sends to a topic (= group): its PUBLISH packets and its last will go out the same way, as a
// sendToGroup of the client's connection (once its permission is checked), with the MQTT payload read by its content
// type, the QoS it was sent with kept for the subscribers' delivery, and a 5.0 Message Expiry Interval as its TTL.
import type { Connection } from "../connection.ts";
import { Outgoing } from "../outgoing.ts";
import type { Service } from "../service.ts";
import { publish } from "../ws/client-actions.ts";
import { markSentQos, payloadFromMqtt } from "./content.ts";
import type { QoS } from "./deps.ts";

export interface TopicMessage {
  topic: string;
  payload: Buffer;
  contentType: string | undefined;
  qos: QoS;
  /** 5.0 Message Expiry Interval, in seconds (undefined: none) */
  expirySeconds?: number | undefined;
}

/** Sends `m` to its topic's group; `noLocal`: not back to `conn`. Throws PayloadInvalid for a payload not of its type. */
export function sendToTopic(service: Service, conn: Connection, m: TopicMessage, noLocal: boolean): void {
  const msg = new Outgoing({
    payload: payloadFromMqtt(m.payload, m.contentType),
    from: "group",
    group: m.topic,
    fromUserId: conn.userId,
    ...(m.expirySeconds !== undefined ? { ttlSeconds: m.expirySeconds } : {}),
  });
  markSentQos(msg, m.qos);
  publish(service, conn, m.topic, msg, noLocal);
}
