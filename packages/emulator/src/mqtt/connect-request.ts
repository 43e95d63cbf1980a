// A CONNECT read into what the endpoint decides with: protocol version, client id (assigned when empty), last will and
// session persistence, or a CONNACK refusal (an empty client id without clean session in 3.1.1, a client id over
// MAX_CLIENT_ID_CHARS, a 3.1.1 keep-alive outside 1 - V4_MAX_KEEP_ALIVE_SECONDS, a will with retain in 5.0, on an
// invalid or a `$` topic or over MAX_WILL_PAYLOAD_BYTES, a 5.0 Receive Maximum or Maximum Packet Size of 0). Also the
// CONNECT's fields as the upstream `connect` event carries them.
import type { MqttConnectProperties } from "../upstream/types.ts";
import { connackCode, type MqttVersion, Reason } from "./codes.ts";
import type { IConnectPacket } from "./deps.ts";
import { MAX_CLIENT_ID_CHARS, MAX_WILL_PAYLOAD_BYTES, SESSION_KEEP_MS, V4_MAX_KEEP_ALIVE_SECONDS } from "./limits.ts";
import type { Will } from "./session.ts";
import { isServerTopic, topicProblem } from "./topics.ts";
import { userPropertyList } from "./user-properties.ts";

export interface ConnectRequest {
  version: MqttVersion;
  clientId: string;
  /** the client sent an empty id and the server chose `clientId` */
  assigned: boolean;
  /** clean session (3.1.1) / clean start (5.0) */
  clean: boolean;
  will: Will | undefined;
  /** 5.0 session expiry interval asked for, in seconds (0 when absent) */
  expiry: number;
  /** whether the session outlives its network connection */
  persistent: boolean;
  /** how long the session waits for a reconnect, in ms */
  keepMs: number;
  /** 5.0 Receive Maximum: QoS 1/2 messages the client takes unacknowledged (65,535 when absent; 3.1.1: no limit) */
  receiveMaximum: number;
  /** 5.0 Maximum Packet Size: the largest packet the client takes, in bytes (no limit when absent, and at 3.1.1) */
  maximumPacketSize: number;
}

/** A CONNECT the endpoint refuses: the CONNACK's code (in the client's version) and reason. */
export class ConnackRefusal {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string) {
    this.code = code;
    this.reason = reason;
  }
}

/** Reads a CONNECT of version `v`; `newId` names a client that sent an empty id. */
export function readConnect(p: IConnectPacket, v: MqttVersion, newId: () => string): ConnectRequest | ConnackRefusal {
  let clientId = p.clientId;
  let assigned = false;
  if (clientId === "") {
    if (v === 4 && !p.clean) {
      return new ConnackRefusal(connackCode("client-id", v), "An empty client id needs a clean session.");
    }
    clientId = `awps-${newId()}`;
    assigned = true;
  }
  if (clientId.length > MAX_CLIENT_ID_CHARS) {
    return new ConnackRefusal(connackCode("client-id", v), "The client id is too long.");
  }
  const keepalive = p.keepalive ?? 0;
  if (v === 4 && (keepalive < 1 || keepalive > V4_MAX_KEEP_ALIVE_SECONDS)) {
    // 3.1.1 has no code for it: 2 (identifier rejected), as mosquitto answers a keep-alive over its maximum
    const why = `An MQTT 3.1.1 keep-alive must be 1 - ${V4_MAX_KEEP_ALIVE_SECONDS} seconds, got ${keepalive}.`;
    return new ConnackRefusal(connackCode("client-id", v), why);
  }
  const will = readWill(p, v);
  if (will instanceof ConnackRefusal) return will;
  const expiry = p.properties?.sessionExpiryInterval ?? 0;
  const receiveMaximum = v === 4 ? Number.POSITIVE_INFINITY : (p.properties?.receiveMaximum ?? 65_535);
  if (receiveMaximum === 0) return new ConnackRefusal(Reason.ProtocolError, "Receive Maximum must not be 0.");
  const maximumPacketSize = p.properties?.maximumPacketSize ?? Number.POSITIVE_INFINITY;
  if (maximumPacketSize === 0) return new ConnackRefusal(Reason.ProtocolError, "Maximum Packet Size must not be 0.");
  return {
    version: v,
    clientId,
    assigned,
    clean: p.clean === true,
    will,
    expiry,
    persistent: v === 4 ? !p.clean : expiry > 0,
    keepMs: v === 4 ? SESSION_KEEP_MS : Math.min(expiry * 1000, SESSION_KEEP_MS),
    receiveMaximum,
    maximumPacketSize,
  };
}

function readWill(p: IConnectPacket, v: MqttVersion): Will | ConnackRefusal | undefined {
  if (!p.will) return undefined;
  if (p.will.retain && v === 5)
    return new ConnackRefusal(Reason.RetainNotSupported, "Retained messages are not supported.");
  const problem = topicProblem(p.will.topic);
  if (problem !== undefined) return new ConnackRefusal(v === 5 ? problem.reason : 3, problem.message);
  if (isServerTopic(p.will.topic)) {
    const why = "A last will may not go to a topic starting with '$' (reserved for the server).";
    return new ConnackRefusal(v === 5 ? Reason.TopicNameInvalid : 3, why);
  }
  const payload = Buffer.from(p.will.payload);
  if (payload.length > MAX_WILL_PAYLOAD_BYTES) {
    const why = `A last will's payload is at most ${MAX_WILL_PAYLOAD_BYTES} bytes, got ${payload.length}.`;
    return new ConnackRefusal(v === 5 ? Reason.PacketTooLarge : 3, why);
  }
  return {
    topic: p.will.topic,
    payload,
    qos: p.will.qos ?? 0,
    contentType: v === 5 ? p.will.properties?.contentType : undefined,
    delaySeconds: p.will.properties?.willDelayInterval ?? 0,
  };
}

/** The CONNECT's fields for the upstream `connect` event (the password base64-encoded). */
export function upstreamConnectFields(p: IConnectPacket, v: MqttVersion): MqttConnectProperties {
  const mqtt: MqttConnectProperties = { protocolVersion: v };
  if (p.username !== undefined) mqtt.username = p.username;
  if (p.password !== undefined) mqtt.password = Buffer.from(p.password).toString("base64");
  const up = userPropertyList(p.properties?.userProperties);
  if (up !== undefined) mqtt.userProperties = up;
  return mqtt;
}
