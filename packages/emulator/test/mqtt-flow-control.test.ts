// Rule: MQTT 5.0 flow control, which the service supports (reference-mqtt-support-status): the service never has more
// QoS 1/2 PUBLISHes unacknowledged at a client than the Receive Maximum of the client's CONNECT (MQTT 5.0 section
// 4.9). Messages beyond it wait, in order, and go out as PUBACK / PUBCOMP (or a failing PUBREC) make room; QoS 0 is not
// held. A Receive Maximum of 0 is a protocol error (CONNACK 0x82). Before, the emulator ignored the client's value and
// sent up to 10,000 unacknowledged messages. A QoS 0 REST send on another topic is the fence that shows what did not
// come.
import type { IPublishPacket } from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { ALL_GROUP_ROLES, hubNames } from "./helpers/clients.ts";
import {
  connectRaw5,
  mqttToken,
  mqttUrl,
  openMqtt,
  payloadText,
  publishesBeforeFence,
  type RawMqtt,
  sendToGroup,
  subscribeWithFence,
} from "./mqtt-helpers.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
const hub = hubNames("mqflow");

/** A raw 5.0 client connected with `properties`, subscribed to `g` at `qos` and to `fence` at QoS 0. */
async function client(h: string, properties: Record<string, number>, qos: 1 | 2 = 1): Promise<RawMqtt> {
  const { raw, reasonCode } = await connectRaw5(emu, h, { properties });
  expect(reasonCode).toBe(0);
  await subscribeWithFence(raw, "g", qos);
  return raw;
}

const send = (h: string, group: string, text: string) => sendToGroup(emu, h, group, text);
/** The PUBLISHes on `g` that came before a fence sent now. */
const beforeFence = (raw: RawMqtt, h: string) => publishesBeforeFence(emu, raw, h);
const texts = (ps: IPublishPacket[]) => ps.map(payloadText);

describe("MQTT 5.0 Receive Maximum", () => {
  it("sends at most Receive Maximum unacknowledged QoS 1 messages; a PUBACK lets the next one go", async () => {
    const h = hub();
    const raw = await client(h, { receiveMaximum: 2 });
    for (const t of ["1", "2", "3", "4"]) await send(h, "g", t);
    const first = await beforeFence(raw, h);
    expect(texts(first)).toEqual(["1", "2"]);
    raw.send({ cmd: "puback", messageId: first[0]!.messageId! });
    expect(texts(await beforeFence(raw, h))).toEqual(["3"]);
    raw.send({ cmd: "puback", messageId: first[1]!.messageId! });
    expect(texts(await beforeFence(raw, h))).toEqual(["4"]);
    raw.ws.close();
  });

  it("counts QoS 2 messages until PUBCOMP; a PUBREC with a failure code frees the slot at once", async () => {
    const h = hub();
    const raw = await client(h, { receiveMaximum: 1 }, 2);
    for (const t of ["1", "2", "3"]) await send(h, "g", t);
    const [one] = await beforeFence(raw, h);
    expect(texts([one!])).toEqual(["1"]);
    raw.send({ cmd: "pubrec", messageId: one!.messageId! });
    expect(await raw.next("pubrel")).toMatchObject({ messageId: one!.messageId });
    expect(await beforeFence(raw, h)).toEqual([]); // PUBREC alone does not free it
    raw.send({ cmd: "pubcomp", messageId: one!.messageId! });
    const [two] = await beforeFence(raw, h);
    expect(texts([two!])).toEqual(["2"]);
    raw.send({ cmd: "pubrec", messageId: two!.messageId!, reasonCode: 0x80 });
    expect(texts(await beforeFence(raw, h))).toEqual(["3"]);
    raw.ws.close();
  });

  it("without Receive Maximum (65,535), and for QoS 0, nothing is held", async () => {
    const h = hub();
    const raw = await client(h, {});
    for (const t of ["1", "2", "3"]) await send(h, "g", t);
    expect(texts(await beforeFence(raw, h))).toEqual(["1", "2", "3"]);
    const zero = await client(h, { receiveMaximum: 1 }, 1);
    zero.send({ cmd: "subscribe", messageId: 2, subscriptions: [{ topic: "g", qos: 0 }] });
    await zero.next("suback");
    for (const t of ["a", "b"]) await send(h, "g", t);
    expect(texts(await beforeFence(zero, h))).toEqual(["a", "b"]);
    raw.ws.close();
    zero.ws.close();
  });

  it("mqtt.js with Receive Maximum 1 gets every QoS 1 message, in order, as it acknowledges them", async () => {
    const h = hub();
    const c = await openMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), {
      protocolVersion: 5,
      properties: { receiveMaximum: 1 },
    });
    await c.subscribeAsync("g", { qos: 1 });
    const texts: string[] = [];
    const all = new Promise<void>((resolve) =>
      c.on("message", (_t, payload) => {
        texts.push(payload.toString());
        if (texts.length === 5) resolve();
      }),
    );
    for (const t of ["1", "2", "3", "4", "5"]) await send(h, "g", t);
    await all;
    expect(texts).toEqual(["1", "2", "3", "4", "5"]);
    await c.endAsync();
  });

  it("refuses a Receive Maximum of 0 with CONNACK 0x82", async () => {
    const h = hub();
    const { raw, reasonCode } = await connectRaw5(emu, h, { properties: { receiveMaximum: 0 } }, false);
    expect(reasonCode).toBe(0x82);
    await raw.closed;
  });
});
