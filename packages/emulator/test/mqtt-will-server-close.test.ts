// Rule: the last will is published whenever the network connection closes without the client's normal DISCONNECT,
// including when the service closes it (MQTT 5.0 section 3.1.2.5: "The Server closes the Network Connection without
// first receiving a DISCONNECT packet with a Reason Code 0x00"): a REST closeConnection and a session taken over by a
// new CONNECT of the client id (clean or resuming) publish it. Before, only a drop did; a service-side close ended the
// session first and the will was forgotten, and a resuming CONNECT replaced it. Checked both ways: a client that sent
// DISCONNECT has no will published. A REST send to the will's topic is the fence that shows what came.
import type { Packet } from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { ALL_GROUP_ROLES, hubNames, rest } from "./helpers/clients.ts";
import { mqttToken, mqttUrl, payloadText, publishesBeforeFence, quietKeepAlive, RawMqtt } from "./mqtt-helpers.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
const hub = hubNames("mqwill");

async function watcher(h: string, version: 4 | 5): Promise<RawMqtt> {
  const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), version);
  await raw.connect();
  raw.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "status", qos: 0 }] });
  await raw.next("suback");
  return raw;
}

/**
 * A client of user `user` and client id `clientId` with a last will (default "gone <clientId>") on topic `status`;
 * `resume`: a persistent session (5.0: session expiry 60 s) resumed if there is one.
 */
async function device(
  h: string,
  version: 4 | 5,
  user: string,
  clientId: string,
  options: { resume?: boolean; will?: string; willDelaySeconds?: number } = {},
): Promise<RawMqtt> {
  const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES, sub: user })), version);
  await raw.opened;
  const text = options.will ?? `gone ${clientId}`;
  const delay = options.willDelaySeconds;
  const will = {
    topic: "status",
    payload: Buffer.from(text),
    qos: 0 as const,
    retain: false,
    ...(delay !== undefined ? { properties: { willDelayInterval: delay } } : {}),
  };
  const resume = options.resume ?? false;
  const properties = resume && version === 5 ? { properties: { sessionExpiryInterval: 60 } } : {};
  const connect = { cmd: "connect", protocolId: "MQTT", protocolVersion: version, clean: !resume, clientId } as const;
  raw.send({ ...connect, keepalive: quietKeepAlive(version), will, ...properties });
  expect(await raw.next("connack")).toMatchObject({ cmd: "connack" });
  return raw;
}

/** The texts on `status` up to a REST fence sent now. */
async function statusUntilFence(w: RawMqtt, h: string): Promise<string[]> {
  return (await publishesBeforeFence(emu, w, h, "status")).map(payloadText);
}

describe.each([4, 5] as const)("MQTT level %i last will on a service-side close", (version) => {
  it("a REST closeConnection publishes the will", async () => {
    const h = hub();
    const w = await watcher(h, version);
    const dev = await device(h, version, "dev", "d1");
    expect((await rest(emu, "POST", `/api/hubs/${h}/users/dev/:closeConnections`)).status).toBe(204);
    await dev.closed;
    expect(await statusUntilFence(w, h)).toEqual(["gone d1"]);
    w.ws.close();
  });

  it("a session taken over by a new CONNECT of its client id publishes the old connection's will", async () => {
    const h = hub();
    const w = await watcher(h, version);
    const old = await device(h, version, "dev", "same");
    const next = await device(h, version, "dev", "same");
    await old.closed;
    expect(await statusUntilFence(w, h)).toEqual(["gone same"]);
    next.ws.close();
    w.ws.close();
  });

  // the takeover of a connected session by a resuming CONNECT (clean 0) too; the new connection's will replaces it
  it("a resuming CONNECT that takes over a connected session publishes the old connection's will, keeps the new one", async () => {
    const h = hub();
    const w = await watcher(h, version);
    const a = await device(h, version, "dev", "dev", { resume: true, will: "gone a" });
    const b = await device(h, version, "dev", "dev", { resume: true, will: "gone b" });
    await a.closed;
    expect(await statusUntilFence(w, h)).toEqual(["gone a"]);
    b.ws.close();
    await b.closed;
    expect(await statusUntilFence(w, h)).toEqual(["gone b"]);
    w.ws.close();
  });

  it("not after the client's DISCONNECT, even when the service then closes", async () => {
    const h = hub();
    const w = await watcher(h, version);
    const dev = await device(h, version, "dev", "d2");
    dev.send({ cmd: "disconnect" } as Packet);
    await dev.closed;
    await rest(emu, "POST", `/api/hubs/${h}/users/dev/:closeConnections`);
    expect(await statusUntilFence(w, h)).toEqual([]);
    w.ws.close();
  });
});

// Rule: a 5.0 will with a Will Delay Interval waits for it while the session is kept, and a new network connection to
// the session before then means it is never sent ([MQTT-3.1.3-9]); the timing itself is in mqtt-rules ("last will").
// Before, the will went out as soon as the connection closed, delay or not.
describe("MQTT 5.0 Will Delay Interval", () => {
  it("a persistent session that drops and is resumed within the delay never sends the old will", async () => {
    const h = hub();
    const w = await watcher(h, 5);
    const a = await device(h, 5, "dev", "dev", { resume: true, will: "gone a", willDelaySeconds: 60 });
    a.ws.terminate();
    await a.closed;
    const b = await device(h, 5, "dev", "dev", { resume: true, will: "gone b" });
    expect(await statusUntilFence(w, h)).toEqual([]);
    b.ws.terminate(); // no delay: the new will goes at once
    await b.closed;
    expect(await statusUntilFence(w, h)).toEqual(["gone b"]);
    w.ws.close();
  });

  it("a resuming CONNECT that takes over a connected session within the delay never sends its will", async () => {
    const h = hub();
    const w = await watcher(h, 5);
    const a = await device(h, 5, "dev", "dev", { resume: true, will: "gone a", willDelaySeconds: 60 });
    const b = await device(h, 5, "dev", "dev", { resume: true, will: "gone b", willDelaySeconds: 0 });
    await a.closed;
    expect(await statusUntilFence(w, h)).toEqual([]);
    b.ws.close();
    w.ws.close();
  });

  it("a session that ends with its connection sends the will at once, delay or not", async () => {
    const h = hub();
    const w = await watcher(h, 5);
    const a = await device(h, 5, "dev", "d", { will: "gone a", willDelaySeconds: 60 });
    a.ws.terminate();
    await a.closed;
    expect(await statusUntilFence(w, h)).toEqual(["gone a"]);
    w.ws.close();
  });
});
