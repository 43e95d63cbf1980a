// SUBSCRIBE and UNSUBSCRIBE on a session: each topic filter (= group name) is checked (syntax, joinLeaveGroup
// permission, MAX_SUBSCRIPTIONS) and joins or leaves its group; the answer is one code per filter, in order.
import type { Connection } from "../connection.ts";
import { Reason, V4_SUBACK_FAILURE } from "./codes.ts";
import type { ISubscribePacket } from "./deps.ts";
import { MAX_SUBSCRIPTIONS } from "./limits.ts";
import type { MqttSession } from "./session.ts";
import { filterProblem } from "./topics.ts";

/**
 * Joins the subscribed groups, with the SUBSCRIBE's 5.0 Subscription Identifier; the SUBACK codes (the granted QoS, or
 * a failure).
 */
export function subscribeAll(
  conn: Connection,
  session: MqttSession,
  subscriptions: ISubscribePacket["subscriptions"],
  subscriptionId?: number,
): number[] {
  const v5 = session.version === 5;
  const granted: number[] = [];
  for (const s of subscriptions) {
    const problem = filterProblem(s.topic);
    if (problem !== undefined) granted.push(v5 ? problem.reason : V4_SUBACK_FAILURE);
    else if (!conn.allowed("joinLeaveGroup", s.topic)) granted.push(v5 ? Reason.NotAuthorized : V4_SUBACK_FAILURE);
    else if (!conn.groups?.has(s.topic) && (conn.groups?.size ?? 0) >= MAX_SUBSCRIPTIONS) {
      granted.push(v5 ? Reason.QuotaExceeded : V4_SUBACK_FAILURE);
    } else {
      session.subscriptions.set(s.topic, { qos: s.qos, noLocal: s.nl === true, id: subscriptionId });
      conn.hub.join(conn, s.topic);
      granted.push(s.qos);
    }
  }
  return granted;
}

/** Leaves the unsubscribed groups; the 5.0 UNSUBACK codes. */
export function unsubscribeAll(conn: Connection, session: MqttSession, topics: readonly string[]): number[] {
  const codes: number[] = [];
  for (const topic of topics) {
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
  return codes;
}
