// MQTT reason codes the endpoint answers with, per protocol version (4 = 3.1.1, 5 = 5.0), from the two specifications.

export type MqttVersion = 4 | 5;

/** Why a CONNECT is refused. */
export type ConnectRefusal =
  | "protocol-version"
  | "client-id"
  | "bad-token"
  | "not-authorized"
  | "bad-request"
  | "unavailable"
  | "unspecified";

const V4: Record<ConnectRefusal, number> = {
  "protocol-version": 1,
  "client-id": 2,
  "bad-token": 5,
  "not-authorized": 5,
  "bad-request": 4,
  unavailable: 3,
  unspecified: 3,
};

const V5: Record<ConnectRefusal, number> = {
  "protocol-version": 0x84,
  "client-id": 0x85,
  "bad-token": 0x87,
  "not-authorized": 0x87,
  "bad-request": 0x86,
  unavailable: 0x88,
  unspecified: 0x80,
};

export function connackCode(why: ConnectRefusal, version: MqttVersion): number {
  return version === 5 ? V5[why] : V4[why];
}

/** The refusal an HTTP status stands for (a handshake step's, or a connect handler's without an MQTT code). */
export function refusalForStatus(status: number): ConnectRefusal {
  if (status === 401) return "bad-token";
  if (status === 403) return "not-authorized";
  if (status === 400) return "bad-request";
  if (status === 503 || status === 429) return "unavailable";
  return "unspecified";
}

const V4_CONNACK = new Set([1, 2, 3, 4, 5]);
const V5_CONNACK = new Set([
  0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c,
  0x9d, 0x9f,
]);

/** Whether a connect handler's code can refuse a client of `version` (an invalid one becomes "unspecified"). */
export function isConnackRefusal(code: number, version: MqttVersion): boolean {
  return version === 5 ? V5_CONNACK.has(code) : V4_CONNACK.has(code);
}

/** MQTT 5.0 reason codes of SUBACK, PUBACK, PUBREC, UNSUBACK and DISCONNECT used here. */
export const Reason = {
  Success: 0x00,
  NoSubscriptionExisted: 0x11,
  DisconnectWithWill: 0x04,
  UnspecifiedError: 0x80,
  MalformedPacket: 0x81,
  ProtocolError: 0x82,
  NotAuthorized: 0x87,
  ServerShuttingDown: 0x8b,
  KeepAliveTimeout: 0x8d,
  SessionTakenOver: 0x8e,
  TopicFilterInvalid: 0x8f,
  TopicNameInvalid: 0x90,
  PacketIdentifierNotFound: 0x92,
  ReceiveMaximumExceeded: 0x93,
  TopicAliasInvalid: 0x94,
  PacketTooLarge: 0x95,
  QuotaExceeded: 0x97,
  AdministrativeAction: 0x98,
  PayloadFormatInvalid: 0x99,
  RetainNotSupported: 0x9a,
  SharedSubscriptionsNotSupported: 0x9e,
  WildcardSubscriptionsNotSupported: 0xa2,
} as const;

/** MQTT 3.1.1 SUBACK failure. */
export const V4_SUBACK_FAILURE = 0x80;
