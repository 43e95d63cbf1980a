// Rule: MQTT 5.0 message expiry, which the service supports (reference-mqtt-support-status): a 5.0 PUBLISH's Message
// Expiry Interval goes on with the message, so 5.0 subscribers get the interval that is left (MQTT 5.0 section
// 3.3.2.3.3) and a copy kept for a subscriber (flow control, a persistent session) expires with it; a PUBLISH without
// one has none. Before, a client's interval was dropped.
import type { IPublishPacket, Packet } from "mqtt-packet";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { ALL_GROUP_ROLES, hubNames } from "./helpers/clients.ts";
import { mqttToken, mqttUrl, payloadText, publishesBeforeFence, RawMqtt } from "./mqtt-helpers.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
const hub = hubNames("mqexp");

async function client(h: string): Promise<RawMqtt> {
  const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), 5);
  await raw.connect();
  return raw;
}

describe("MQTT 5.0 message expiry", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a publisher's Message Expiry Interval reaches 5.0 subscribers; a publish without one has none", async () => {
    const h = hub();
    const sub = await client(h);
    sub.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "g", qos: 1 }] });
    await sub.next("suback");
    const pub = await client(h);
    vi.useFakeTimers({ toFake: ["Date"] }); // the clock stands still: the interval left is the interval sent
    const publish = (text: string, properties: IPublishPacket["properties"]) =>
      pub.send({
        cmd: "publish",
        topic: "g",
        qos: 0,
        dup: false,
        retain: false,
        payload: Buffer.from(text),
        properties,
      });
    publish("with", { messageExpiryInterval: 3600 });
    publish("without", {});
    const withIt = (await sub.next("publish")) as IPublishPacket;
    const without = (await sub.next("publish")) as IPublishPacket;
    expect(Buffer.from(withIt.payload).toString()).toBe("with");
    expect(withIt.properties?.messageExpiryInterval).toBe(3600);
    expect(Buffer.from(without.payload).toString()).toBe("without");
    expect(without.properties?.messageExpiryInterval).toBeUndefined();
    sub.ws.close();
    pub.ws.close();
  });

  // a message held back by Receive Maximum has not started delivery: once expired it is deleted, not sent
  it("a message held back by Receive Maximum is dropped once expired; one still live goes with the interval left", async () => {
    const h = hub();
    const sub = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), 5);
    await sub.opened;
    const properties = { receiveMaximum: 1 };
    sub.send({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 5,
      clean: true,
      clientId: "rm",
      keepalive: 0,
      properties,
    } as Packet);
    await sub.next("connack");
    const subscriptions = [
      { topic: "g", qos: 1 as const },
      { topic: "fence", qos: 0 as const },
    ];
    sub.send({ cmd: "subscribe", messageId: 1, subscriptions });
    await sub.next("suback");
    const pub = await client(h);
    vi.useFakeTimers({ toFake: ["Date"] });
    let id = 0;
    const publish = async (text: string, interval: number | undefined) => {
      const props = interval === undefined ? {} : { messageExpiryInterval: interval };
      const payload = Buffer.from(text);
      pub.send({
        cmd: "publish",
        topic: "g",
        qos: 1,
        messageId: ++id,
        dup: false,
        retain: false,
        payload,
        properties: props,
      });
      await pub.next("puback");
    };
    await publish("first", undefined);
    await publish("short", 1);
    await publish("long", 60);
    const first = (await sub.next("publish")) as IPublishPacket;
    expect(Buffer.from(first.payload).toString()).toBe("first");
    vi.setSystemTime(Date.now() + 10_000);
    sub.send({ cmd: "puback", messageId: first.messageId! });
    const got = await publishesBeforeFence(emu, sub, h);
    expect(got.map((p) => [payloadText(p), p.properties?.messageExpiryInterval])).toEqual([["long", 50]]);
    sub.ws.close();
    pub.ws.close();
  });
});
