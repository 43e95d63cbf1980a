// The CONNACK packets: a refusal (a 3.1.1 return code, or a 5.0 reason code with its reason string and the connect
// handler's user properties) and an acceptance (5.0: the server's limits, the session expiry it grants and the client
// id it assigned).
import type { MqttUserProperty } from "../upstream/types.ts";
import type { MqttVersion } from "./codes.ts";
import type { ConnectRequest } from "./connect-request.ts";
import type { IConnackPacket } from "./deps.ts";
import { MAX_INCOMING_QOS2, MAX_PACKET_BYTES } from "./limits.ts";
import { userPropertyRecord } from "./user-properties.ts";

type ConnackProperties = NonNullable<IConnackPacket["properties"]>;

/** The longest reason string a refusal carries. */
const MAX_REASON_CHARS = 256;

export function refusalConnack(
  version: MqttVersion,
  code: number,
  reason?: string,
  userProperties?: MqttUserProperty[],
): IConnackPacket {
  if (version !== 5) return { cmd: "connack", sessionPresent: false, returnCode: code };
  const properties: ConnackProperties = {};
  if (reason) properties.reasonString = reason.slice(0, MAX_REASON_CHARS);
  const up = userPropertyRecord(userProperties);
  if (up !== undefined) properties.userProperties = up;
  return { cmd: "connack", sessionPresent: false, reasonCode: code, properties };
}

export function acceptConnack(
  request: ConnectRequest,
  sessionPresent: boolean,
  userProperties: MqttUserProperty[] | undefined,
): IConnackPacket {
  if (request.version === 4) return { cmd: "connack", returnCode: 0, sessionPresent };
  const properties: ConnackProperties = {
    receiveMaximum: MAX_INCOMING_QOS2,
    maximumPacketSize: MAX_PACKET_BYTES,
    retainAvailable: false,
    wildcardSubscriptionAvailable: false,
    sharedSubscriptionAvailable: false,
    topicAliasMaximum: 0,
  };
  const { persistent, expiry, keepMs } = request;
  if (persistent && expiry * 1000 > keepMs) properties.sessionExpiryInterval = keepMs / 1000;
  if (request.assigned) properties.assignedClientIdentifier = request.clientId;
  const up = userPropertyRecord(userProperties);
  if (up !== undefined) properties.userProperties = up;
  return { cmd: "connack", reasonCode: 0, sessionPresent, properties };
}
