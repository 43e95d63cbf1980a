// Rule: MQTT 5.0 subscription identifiers, which the service supports (reference-mqtt-support-status): the CONNACK
// does not say they are unavailable, a SUBSCRIBE's Subscription Identifier comes back on every PUBLISH its
// subscription delivers (QoS 0 and 1; MQTT 5.0 section 3.8.2.1.2), a subscription made again without one no longer
// has it, and an identifier of 0 is a protocol error (DISCONNECT 0x82). Before, the CONNACK said "not available" and
// the identifiers were dropped.
import type { IPublishPacket, Packet } from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { ALL_GROUP_ROLES, hubNames, rest } from "./helpers/clients.ts";
import { mqttToken, mqttUrl, openMqtt, RawMqtt } from "./mqtt-helpers.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
const hub = hubNames("mqsid");

async function client(h: string): Promise<{ raw: RawMqtt; connack: Packet }> {
  const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), 5);
  return { raw, connack: await raw.connect() };
}

function subscribe(raw: RawMqtt, topic: string, qos: 0 | 1, id?: number): Promise<Packet> {
  const properties = id === undefined ? {} : { properties: { subscriptionIdentifier: id } };
  raw.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic, qos }], ...properties });
  return raw.next("suback");
}

async function received(raw: RawMqtt, h: string, topic: string): Promise<IPublishPacket> {
  await rest(emu, "POST", `/api/hubs/${h}/groups/${topic}/:send`, { body: "x", contentType: "text/plain" });
  return (await raw.next("publish")) as IPublishPacket;
}

describe("MQTT 5.0 subscription identifiers", () => {
  it("are not refused in the CONNACK and come back on the PUBLISHes of their subscription, QoS 0 and 1", async () => {
    const h = hub();
    const { raw, connack } = await client(h);
    expect((connack as { properties?: Record<string, unknown> }).properties?.subscriptionIdentifiersAvailable).not.toBe(
      false,
    );
    // a second subscriber of the same group without an identifier: QoS 0 encodings are shared, its own has none
    const { raw: plain } = await client(h);
    await subscribe(plain, "a", 0);
    await subscribe(raw, "a", 0, 7);
    await subscribe(raw, "b", 1, 268_435_455);
    expect((await received(raw, h, "a")).properties?.subscriptionIdentifier).toBe(7);
    expect((await plain.next("publish")) as IPublishPacket).not.toHaveProperty("properties.subscriptionIdentifier");
    expect((await received(raw, h, "b")).properties?.subscriptionIdentifier).toBe(268_435_455);
    // subscribing again without an identifier replaces the subscription, and its identifier with it
    await subscribe(raw, "a", 0);
    expect(await received(raw, h, "a")).not.toHaveProperty("properties.subscriptionIdentifier");
    raw.ws.close();
    plain.ws.close();
  });

  it("mqtt.js receives its subscription's identifier", async () => {
    const h = hub();
    const c = await openMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), { protocolVersion: 5 });
    await c.subscribeAsync("a", { qos: 1, properties: { subscriptionIdentifier: 42 } });
    const got = new Promise<unknown>((resolve) =>
      c.once("message", (_t, _p, packet) => resolve(packet.properties?.subscriptionIdentifier)),
    );
    await rest(emu, "POST", `/api/hubs/${h}/groups/a/:send`, { body: "x", contentType: "text/plain" });
    expect(await got).toBe(42);
    await c.endAsync();
  });

  it("an identifier of 0 is a protocol error", async () => {
    const h = hub();
    const { raw } = await client(h);
    raw.send({
      cmd: "subscribe",
      messageId: 1,
      subscriptions: [{ topic: "a", qos: 0 }],
      properties: { subscriptionIdentifier: 0 },
    });
    // the first answer: a DISCONNECT, not a SUBACK
    expect(await Promise.race([raw.next("disconnect"), raw.next("suback")])).toMatchObject({
      cmd: "disconnect",
      reasonCode: 0x82,
    });
    await raw.closed;
    expect(raw.packets.filter((p) => p.cmd === "suback")).toEqual([]);
  });
});
