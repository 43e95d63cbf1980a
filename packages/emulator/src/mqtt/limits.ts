// The bounds of the MQTT endpoint: what one client may send or hold before it is refused.

import { MAX_QUEUED_BYTES } from "../inbound-queue.ts";
import { RELIABLE_MAX_BYTES } from "../reliable-buffer.ts";

/** Largest MQTT packet accepted (fixed header included); also sent to 5.0 clients as Maximum Packet Size. */
export const MAX_PACKET_BYTES = 1024 * 1024;
/** Topics (= group names) longer than this are refused. */
export const MAX_TOPIC_CHARS = 1024;
/** Subscriptions one session may hold. */
export const MAX_SUBSCRIPTIONS = 1000;
/**
 * Topic filters in one SUBSCRIBE or UNSUBSCRIBE (as many as a session may hold, and as a WebSocket frame's items):
 * counted before the packet is parsed (packet-scan.ts).
 */
export const MAX_FILTERS_PER_PACKET = 1000;
/**
 * MQTT 5.0 user properties in one packet (a CONNECT's and its will's together), counted before it is parsed
 * (packet-scan.ts): 60,000 of them took mqtt-packet 0.1-0.2 s to build.
 */
export const MAX_USER_PROPERTIES_PER_PACKET = 1000;
/**
 * Client identifiers longer than this are refused (the service's documented length, "between 1 and 128"; see
 * README's MQTT section for the source and for the documented rules not enforced).
 */
export const MAX_CLIENT_ID_CHARS = 128;
/** The largest keep-alive of a 3.1.1 CONNECT, in seconds: the service documents 1 - 180 for 3.1.1 (0 is refused). */
export const V4_MAX_KEEP_ALIVE_SECONDS = 180;
/** Largest last-will payload of a CONNECT, in bytes (the service's documented "up to 2,000 bytes"). */
export const MAX_WILL_PAYLOAD_BYTES = 2000;
/** QoS 1/2 messages to a client that may wait for its acknowledgement (or for it to come back). */
export const MAX_INFLIGHT = 10_000;
/** Payload bytes of those messages a session may keep: the bound of a reliable Web PubSub session's buffer. */
export const MAX_INFLIGHT_BYTES = RELIABLE_MAX_BYTES;
/** QoS 2 messages from a client that may wait for their PUBREL. */
export const MAX_INCOMING_QOS2 = 1000;
/** Packets a client may send while its CONNECT is still being decided (the upstream connect event). */
export const MAX_EARLY_PACKETS = 100;
/**
 * Their bytes (remaining lengths) together: the bound of WebSocket frames waiting behind an upstream call
 * (inbound-queue.ts), so 100 packets of the largest size cannot hold 100 MiB per connection.
 */
export const MAX_EARLY_BYTES = MAX_QUEUED_BYTES;
/** How long a new network connection may take to send CONNECT. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** How long a persistent session waits for its client to reconnect (the service keeps it up to 30 s). */
export const SESSION_KEEP_MS = 30_000;
/** Server messages (sendToAll, sendToUser, sendToConnection) arrive on this topic. */
export const SERVER_MESSAGES_TOPIC = "$webpubsub/server/messages";
