// Topic = group. A topic filter or name must be a group name; what MQTT allows and the service does not (wildcards,
// shared subscriptions, over-long topics) is refused with the reason the MQTT 5.0 specification has for it. Topic
// names starting with `$` are the server's (MQTT 3.1.1 and 5.0 section 4.7.2; the service sends on
// `$webpubsub/server/messages`): a client's PUBLISH to one reaches nobody and a last will on one is refused.
import { Reason } from "./codes.ts";
import { isValidGroupName } from "./deps.ts";
import { MAX_TOPIC_CHARS } from "./limits.ts";

export interface TopicProblem {
  reason: number;
  message: string;
}

/** Why a SUBSCRIBE/UNSUBSCRIBE topic filter cannot be a group; undefined when it can. */
export function filterProblem(filter: string): TopicProblem | undefined {
  if (filter.startsWith("$share/")) {
    return { reason: Reason.SharedSubscriptionsNotSupported, message: "Shared subscriptions are not supported." };
  }
  if (filter.includes("#") || filter.includes("+")) {
    return { reason: Reason.WildcardSubscriptionsNotSupported, message: "Wildcard subscriptions are not supported." };
  }
  return nameProblem(filter, Reason.TopicFilterInvalid);
}

/** Why a PUBLISH topic name cannot be a group; undefined when it can. */
export function topicProblem(topic: string): TopicProblem | undefined {
  if (topic.includes("#") || topic.includes("+")) {
    return { reason: Reason.TopicNameInvalid, message: "A topic name may not contain wildcards." };
  }
  return nameProblem(topic, Reason.TopicNameInvalid);
}

function nameProblem(topic: string, reason: number): TopicProblem | undefined {
  if (topic.length > MAX_TOPIC_CHARS) {
    return { reason, message: `A topic is at most ${MAX_TOPIC_CHARS} characters, got ${topic.length}.` };
  }
  if (!isValidGroupName(topic)) return { reason, message: "A topic must be a valid group name (not blank)." };
  return undefined;
}

/**
 * Whether `topic` is reserved for the server (it starts with `$`, MQTT 3.1.1 and 5.0 section 4.7.2): clients may not
 * use it to exchange messages. One character is read, whatever the topic's length.
 */
export function isServerTopic(topic: string): boolean {
  return topic.charCodeAt(0) === 0x24;
}
