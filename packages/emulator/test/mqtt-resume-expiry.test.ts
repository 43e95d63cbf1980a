// Rule: the Session Expiry Interval of the CONNECT that resumes a 5.0 session is the one that applies from then on
// (MQTT 5.0 section 3.1.2.11.2: the session is kept after the network connection closes only if the interval is above
// 0): a session resumed with none ends with that connection, one resumed with an interval is kept. Before, the session
// kept the interval of the CONNECT that created it, so a session resumed without one was still there after the drop.
import type { Packet } from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { ALL_GROUP_ROLES, hubNames } from "./helpers/clients.ts";
import { mqttToken, mqttUrl, RawMqtt } from "./mqtt-helpers.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
const hub = hubNames("mqrex");

/** Connects client id "dev" with clean start 0 and `expiry` (none when 0); the CONNACK's session present flag. */
async function connect(h: string, expiry: number): Promise<[RawMqtt, boolean]> {
  const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), 5);
  await raw.opened;
  raw.send({
    cmd: "connect",
    protocolId: "MQTT",
    protocolVersion: 5,
    clean: false,
    clientId: "dev",
    keepalive: 0,
    ...(expiry > 0 ? { properties: { sessionExpiryInterval: expiry } } : {}),
  } as Packet);
  const connack = (await raw.next("connack")) as { reasonCode: number; sessionPresent: boolean };
  expect(connack.reasonCode).toBe(0);
  return [raw, connack.sessionPresent];
}

async function drop(raw: RawMqtt): Promise<void> {
  raw.ws.terminate();
  await raw.closed;
}

describe("MQTT 5.0 session resumed", () => {
  it.each([
    [0, false],
    [30, true],
  ])("with Session Expiry Interval %i: kept after that connection drops: %s", async (expiry, kept) => {
    const h = hub();
    const [first, presentFirst] = await connect(h, 30);
    expect(presentFirst).toBe(false);
    await drop(first);
    const [resumed, present] = await connect(h, expiry);
    expect(present).toBe(true);
    await drop(resumed);
    const [last, presentLast] = await connect(h, 30);
    expect(presentLast).toBe(kept);
    last.ws.close();
  });
});
