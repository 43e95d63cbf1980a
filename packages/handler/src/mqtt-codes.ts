// MQTT CONNACK and DISCONNECT codes (from the MQTT 3.1.1 and 5.0 specifications) and the mapping between them and the
// HTTP statuses a Web PubSub connect handler answers with.

/** MQTT 3.1.1 CONNACK return codes (non-zero means refused). */
export const MqttV311ConnectReturnCode = {
  UnacceptableProtocolVersion: 1,
  IdentifierRejected: 2,
  ServerUnavailable: 3,
  BadUsernameOrPassword: 4,
  NotAuthorized: 5,
} as const;
export type MqttV311ConnectReturnCode = (typeof MqttV311ConnectReturnCode)[keyof typeof MqttV311ConnectReturnCode];

/**
 * The MQTT 5.0 reason codes that both CONNACK and DISCONNECT use: MQTT 5.0 has one reason-code table, and each packet
 * uses part of it.
 */
const MqttV500SharedReasonCode = {
  UnspecifiedError: 0x80,
  MalformedPacket: 0x81,
  ProtocolError: 0x82,
  ImplementationSpecificError: 0x83,
  NotAuthorized: 0x87,
  ServerBusy: 0x89,
  TopicNameInvalid: 0x90,
  PacketTooLarge: 0x95,
  QuotaExceeded: 0x97,
  PayloadFormatInvalid: 0x99,
  RetainNotSupported: 0x9a,
  QosNotSupported: 0x9b,
  UseAnotherServer: 0x9c,
  ServerMoved: 0x9d,
  ConnectionRateExceeded: 0x9f,
} as const;

/** MQTT 5.0 CONNACK reason codes that refuse a connection. */
export const MqttV500ConnectReasonCode = {
  ...MqttV500SharedReasonCode,
  UnsupportedProtocolVersion: 0x84,
  ClientIdentifierNotValid: 0x85,
  BadUserNameOrPassword: 0x86,
  ServerUnavailable: 0x88,
  Banned: 0x8a,
  BadAuthenticationMethod: 0x8c,
} as const;
export type MqttV500ConnectReasonCode = (typeof MqttV500ConnectReasonCode)[keyof typeof MqttV500ConnectReasonCode];

/** MQTT 5.0 DISCONNECT reason codes (what `disconnected` events may carry for MQTT clients). */
export const MqttDisconnectReasonCode = {
  ...MqttV500SharedReasonCode,
  NormalDisconnection: 0x00,
  DisconnectWithWillMessage: 0x04,
  ServerShuttingDown: 0x8b,
  KeepAliveTimeout: 0x8d,
  SessionTakenOver: 0x8e,
  TopicFilterInvalid: 0x8f,
  ReceiveMaximumExceeded: 0x93,
  TopicAliasInvalid: 0x94,
  MessageRateTooHigh: 0x96,
  AdministrativeAction: 0x98,
  SharedSubscriptionsNotSupported: 0x9e,
  MaximumConnectTime: 0xa0,
  SubscriptionIdentifiersNotSupported: 0xa1,
  WildcardSubscriptionsNotSupported: 0xa2,
} as const;
export type MqttDisconnectReasonCode = (typeof MqttDisconnectReasonCode)[keyof typeof MqttDisconnectReasonCode];

const v311Codes = new Set<number>(Object.values(MqttV311ConnectReturnCode));
const v500Codes = new Set<number>(Object.values(MqttV500ConnectReasonCode));

/** The MQTT version a CONNECT's protocol version names (3 and 4 are 3.1 and 3.1.1, 5 is 5.0), undefined for another. */
function mqttVersion(protocolVersion: unknown): "3.1.1" | "5.0" | undefined {
  if (protocolVersion === 5) return "5.0";
  if (protocolVersion === 4 || protocolVersion === 3) return "3.1.1";
  return undefined;
}

/** Names the CONNACK codes `isMqttConnectErrorCode` takes for a protocol version, for error messages. */
export function connackVersions(protocolVersion: unknown): string {
  const version = mqttVersion(protocolVersion);
  return version === undefined
    ? "MQTT 3.1.1 or 5.0"
    : `MQTT ${version} (the client's protocol version ${protocolVersion})`;
}

/**
 * Whether `code` is a refusing CONNACK code of the client's MQTT version (`protocolVersion` from its CONNECT), or of
 * MQTT 3.1.1 or 5.0 when the version is unknown.
 */
export function isMqttConnectErrorCode(
  code: unknown,
  protocolVersion?: unknown,
): code is MqttV311ConnectReturnCode | MqttV500ConnectReasonCode {
  if (typeof code !== "number") return false;
  const version = mqttVersion(protocolVersion);
  return (version !== "5.0" && v311Codes.has(code)) || (version !== "3.1.1" && v500Codes.has(code));
}

/** The HTTP status the service expects for a refusing CONNACK code (400, 401, 403, 429, 500 or 503). */
export function httpStatusForMqttConnectCode(code: number): number {
  switch (code) {
    case MqttV311ConnectReturnCode.UnacceptableProtocolVersion:
    case MqttV311ConnectReturnCode.IdentifierRejected:
      return 400;
    case MqttV311ConnectReturnCode.ServerUnavailable:
      return 503;
    case MqttV311ConnectReturnCode.BadUsernameOrPassword:
    case MqttV311ConnectReturnCode.NotAuthorized:
    case MqttV500ConnectReasonCode.BadUserNameOrPassword:
    case MqttV500ConnectReasonCode.NotAuthorized:
      return 401;
    case MqttV500ConnectReasonCode.Banned:
      return 403;
    case MqttV500ConnectReasonCode.QuotaExceeded:
    case MqttV500ConnectReasonCode.ConnectionRateExceeded:
      return 429;
    case MqttV500ConnectReasonCode.ServerUnavailable:
    case MqttV500ConnectReasonCode.ServerBusy:
      return 503;
    case MqttV500ConnectReasonCode.MalformedPacket:
    case MqttV500ConnectReasonCode.ProtocolError:
    case MqttV500ConnectReasonCode.ImplementationSpecificError:
    case MqttV500ConnectReasonCode.UnsupportedProtocolVersion:
    case MqttV500ConnectReasonCode.ClientIdentifierNotValid:
    case MqttV500ConnectReasonCode.BadAuthenticationMethod:
    case MqttV500ConnectReasonCode.TopicNameInvalid:
    case MqttV500ConnectReasonCode.PacketTooLarge:
    case MqttV500ConnectReasonCode.PayloadFormatInvalid:
    case MqttV500ConnectReasonCode.RetainNotSupported:
    case MqttV500ConnectReasonCode.QosNotSupported:
      return 400;
    default:
      return 500;
  }
}

/** The CONNACK codes of one MQTT version for a refusing HTTP status: 400, 401 or 403, and any other. */
interface RefusalCodes {
  badRequest: number;
  unauthorized: number;
  other: number;
}

const v500Refusals: RefusalCodes = {
  badRequest: MqttV500ConnectReasonCode.BadUserNameOrPassword,
  unauthorized: MqttV500ConnectReasonCode.NotAuthorized,
  other: MqttV500ConnectReasonCode.UnspecifiedError,
};

const v311Refusals: RefusalCodes = {
  badRequest: MqttV311ConnectReturnCode.BadUsernameOrPassword,
  unauthorized: MqttV311ConnectReturnCode.NotAuthorized,
  other: MqttV311ConnectReturnCode.ServerUnavailable,
};

/** The refusal codes of an MQTT protocol version, undefined for an unknown one. */
function refusalCodes(protocolVersion: number | undefined): RefusalCodes | undefined {
  const version = mqttVersion(protocolVersion);
  if (version === undefined) return undefined;
  return version === "5.0" ? v500Refusals : v311Refusals;
}

/**
 * The CONNACK code that matches an HTTP rejection status for the client's MQTT protocol version (4 = 3.1.1, 5 = 5.0).
 * An unknown protocol version answers "unacceptable protocol version", which every MQTT client understands.
 */
export function mqttConnectCodeForHttpStatus(status: number, protocolVersion: number | undefined): number {
  const codes = refusalCodes(protocolVersion);
  if (codes === undefined) return MqttV311ConnectReturnCode.UnacceptableProtocolVersion;
  if (status === 400) return codes.badRequest;
  return status === 401 || status === 403 ? codes.unauthorized : codes.other;
}
