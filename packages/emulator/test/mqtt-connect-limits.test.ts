// The CONNECT limits Azure Web PubSub documents for MQTT clients ("How to connect MQTT clients", connection
// parameters), each checked on both sides with mqtt.js: a client id of at most 128 characters (129: refused, code 2 /
// 0x85), a 3.1.1 keep-alive of 1 - 180 s (0 and 181: refused, code 2; 5.0 has no such range), a last will of at most
// 2,000 payload bytes (2,001: refused, 3 / 0x95) and not on a `$` topic (3 / 0x90). mqtt.js's defaults (client id
// `mqttjs_` + 8 hex digits, keep-alive 60 s) connect at both levels: the documented client id characters (0-9, a-z,
// A-Z) are not enforced (the service's maintainers said `_` would be accepted; see the README's MQTT section).
import type { IClientOptions } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { MAX_CLIENT_ID_CHARS, MAX_WILL_PAYLOAD_BYTES, V4_MAX_KEEP_ALIVE_SECONDS } from "../src/mqtt/limits.ts";
import { ALL_GROUP_ROLES, hubNames } from "./helpers/clients.ts";
import { mqttToken, mqttUrl, openMqtt } from "./mqtt-helpers.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
const hub = hubNames("mql");

describe.each([4, 5] as const)("MQTT level %i CONNECT limits", (version) => {
  /** The CONNACK's refusal code of a CONNECT with `options`; undefined when it was accepted (then it disconnects). */
  async function refusal(options: IClientOptions): Promise<number | undefined> {
    const h = hub();
    const url = mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES }));
    try {
      const c = await openMqtt(url, { protocolVersion: version, ...options });
      await c.endAsync();
      return undefined;
    } catch (e) {
      return (e as { code?: number }).code;
    }
  }

  it("mqtt.js's default client id (`mqttjs_` + hex) and keep-alive connect", async () => {
    const h = hub();
    const c = await openMqtt(mqttUrl(emu, h, mqttToken(emu, h)), { protocolVersion: version, clientId: undefined });
    expect(c.options.clientId).toMatch(/^mqttjs_[0-9a-f]+$/);
    expect(c.options.keepalive).toBe(60);
    await c.endAsync();
  });

  it(`a client id of ${MAX_CLIENT_ID_CHARS} characters connects; one more is refused`, async () => {
    expect(await refusal({ clientId: "a".repeat(MAX_CLIENT_ID_CHARS) })).toBeUndefined();
    expect(await refusal({ clientId: "a".repeat(MAX_CLIENT_ID_CHARS + 1) })).toBe(version === 5 ? 0x85 : 2);
  });

  it(`a keep-alive of 1 and ${V4_MAX_KEEP_ALIVE_SECONDS} s connects; 0 and one more are refused at 3.1.1 only`, async () => {
    expect(await refusal({ keepalive: 1 })).toBeUndefined();
    expect(await refusal({ keepalive: V4_MAX_KEEP_ALIVE_SECONDS })).toBeUndefined();
    const outside = version === 5 ? undefined : 2;
    expect(await refusal({ keepalive: 0 })).toBe(outside);
    expect(await refusal({ keepalive: V4_MAX_KEEP_ALIVE_SECONDS + 1 })).toBe(outside);
  });

  it(`a last will of ${MAX_WILL_PAYLOAD_BYTES} payload bytes connects; one more is refused`, async () => {
    const will = (size: number) => ({
      topic: "status",
      payload: Buffer.alloc(size, 0x61),
      qos: 0 as const,
      retain: false,
    });
    expect(await refusal({ will: will(MAX_WILL_PAYLOAD_BYTES) })).toBeUndefined();
    expect(await refusal({ will: will(MAX_WILL_PAYLOAD_BYTES + 1) })).toBe(version === 5 ? 0x95 : 3);
  });

  it("a last will on a `$` topic is refused; on `w$` it connects", async () => {
    const will = (topic: string) => ({ topic, payload: Buffer.from("gone"), qos: 0 as const, retain: false });
    expect(await refusal({ will: will("w$") })).toBeUndefined();
    expect(await refusal({ will: will("$w") })).toBe(version === 5 ? 0x90 : 3);
  });
});
