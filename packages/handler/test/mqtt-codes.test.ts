// Rule: a refusing HTTP status becomes the CONNACK code of the client's own MQTT version (400 -> bad user name or
// password, 401 and 403 -> not authorized, any other status -> the version's generic refusal), and a client whose
// version is unknown is told "unacceptable protocol version". MQTT 5.0 CONNACK and DISCONNECT codes that share a name
// share the value, as the MQTT 5.0 specification has one reason-code table.
import { describe, expect, it } from "vitest";
import {
  MqttDisconnectReasonCode,
  MqttV311ConnectReturnCode,
  MqttV500ConnectReasonCode,
  mqttConnectCodeForHttpStatus,
} from "../src/index.ts";

describe("mqttConnectCodeForHttpStatus", () => {
  // per MQTT protocol version: HTTP status -> CONNACK code
  const expected: [number, Record<number, number>][] = [
    [5, { 400: 0x86, 401: 0x87, 403: 0x87, 404: 0x80, 500: 0x80 }],
    [4, { 400: 4, 401: 5, 403: 5, 402: 3, 500: 3 }],
    [3, { 400: 4, 403: 5, 429: 3 }],
  ];
  it.each(expected)("MQTT protocol version %i: %o", (version, codes) => {
    for (const [status, code] of Object.entries(codes)) {
      expect(mqttConnectCodeForHttpStatus(Number(status), version), `HTTP ${status}`).toBe(code);
    }
  });

  it.each([undefined, 2, 6])("an unknown protocol version (%s) is answered with code 1", (version) => {
    for (const status of [400, 401, 500]) {
      expect(mqttConnectCodeForHttpStatus(status, version)).toBe(MqttV311ConnectReturnCode.UnacceptableProtocolVersion);
    }
  });
});

describe("MQTT 5.0 reason codes", () => {
  it("a name in both the CONNACK and the DISCONNECT table has the same value in both", () => {
    const connack: Record<string, number> = MqttV500ConnectReasonCode;
    const shared = Object.entries(MqttDisconnectReasonCode).filter(([name]) => name in connack);
    expect(shared.length).toBe(15);
    for (const [name, value] of shared) expect(connack[name], name).toBe(value);
  });

  it("keeps the values of the specification", () => {
    expect(MqttV500ConnectReasonCode.UnsupportedProtocolVersion).toBe(0x84);
    expect(MqttV500ConnectReasonCode.Banned).toBe(0x8a);
    expect(MqttV500ConnectReasonCode.ConnectionRateExceeded).toBe(0x9f);
    expect(MqttDisconnectReasonCode.NormalDisconnection).toBe(0);
    expect(MqttDisconnectReasonCode.KeepAliveTimeout).toBe(0x8d);
    expect(MqttDisconnectReasonCode.WildcardSubscriptionsNotSupported).toBe(0xa2);
    expect(Object.keys(MqttV500ConnectReasonCode)).toHaveLength(21);
    expect(Object.keys(MqttDisconnectReasonCode)).toHaveLength(29);
  });
});
