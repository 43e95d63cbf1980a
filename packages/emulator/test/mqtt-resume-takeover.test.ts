// Rule: a CONNECT that resumes a persistent session still connected elsewhere takes it over as MQTT 5.0 section 3.1.4
// says: the existing client gets DISCONNECT 0x8E (Session taken over) and a closed network connection (3.1.1: the
// close alone), not a cut socket; the new client gets the session (CONNACK session present). Before, the old socket
// was terminated. Checked both ways: a takeover without resume (clean start) also sends 0x8E, as it did.
import type { Packet } from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { ALL_GROUP_ROLES, hubNames } from "./helpers/clients.ts";
import { mqttToken, mqttUrl, quietKeepAlive, RawMqtt } from "./mqtt-helpers.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
const hub = hubNames("mqtko");

async function persistent(h: string, version: 4 | 5, clientId: string, clean: boolean): Promise<[RawMqtt, Packet]> {
  const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), version);
  await raw.opened;
  const properties = version === 5 ? { properties: { sessionExpiryInterval: 30 } } : {};
  raw.send({
    cmd: "connect",
    protocolId: "MQTT",
    protocolVersion: version,
    clean,
    clientId,
    keepalive: quietKeepAlive(version),
    ...properties,
  });
  return [raw, await raw.next("connack")];
}

describe.each([4, 5] as const)("MQTT level %i takeover", (version) => {
  it.each([
    ["resumes", false],
    ["starts clean", true],
  ])("a CONNECT that %s: the old client is told (5.0) and closed with 1000", async (_, clean) => {
    const h = hub();
    const [old] = await persistent(h, version, "dev", false);
    const [next, connack] = await persistent(h, version, "dev", clean);
    expect(connack).toMatchObject({ cmd: "connack", sessionPresent: !clean });
    expect(await old.closed).toBe(1000);
    const told = old.packets.filter((p) => p.cmd === "disconnect");
    expect(told).toEqual(version === 5 ? [expect.objectContaining({ reasonCode: 0x8e })] : []);
    next.ws.close();
  });
});
