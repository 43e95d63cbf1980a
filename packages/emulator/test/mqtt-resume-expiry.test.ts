import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { hubNames } from "./helpers/clients.ts";
import { connectRaw5, type RawMqtt } from "./mqtt-helpers.ts";

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
  const properties = expiry > 0 ? { properties: { sessionExpiryInterval: expiry } } : {};
  const { raw, reasonCode, sessionPresent } = await connectRaw5(emu, h, {
    clean: false,
    clientId: "dev",
    ...properties,
  });
  expect(reasonCode).toBe(0);
  return [raw, sessionPresent];
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
