// Rule: a resumed MQTT 5.0 session delivers what it kept as a new connection would. Receive Maximum counts again on
// each network connection (MQTT 5.0 sections 3.3.4 and 4.9): the unacknowledged messages are sent again (DUP set) no
// more than the new connection's Receive Maximum at a time, the rest, in order, as acknowledgements make room. A
// message that came while the subscriber was away has not started delivery: once expired it is deleted, and before
// that it goes out with the interval left and DUP 0 (section 3.3.2.3.3). Before, every unacknowledged message was
// sent at once, and a message kept while away was sent after its expiry, with its first interval and DUP 1. A QoS 0
// REST send on another topic is the fence that shows what did not come.
import type { IPublishPacket } from "mqtt-packet";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { ALL_GROUP_ROLES, hubNames } from "./helpers/clients.ts";
import { mqttToken, mqttUrl, payloadText, publishesBeforeFence, RawMqtt, sendToGroup } from "./mqtt-helpers.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
afterEach(() => {
  vi.useRealTimers();
});
const hub = hubNames("mqres");

/** A raw 5.0 client of client id "dev", persistent for 60 s; a clean one subscribes to `g` (QoS 1) and `fence`. */
async function device(h: string, clean: boolean, receiveMaximum?: number): Promise<RawMqtt> {
  const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), 5);
  await raw.opened;
  const properties = { sessionExpiryInterval: 60, ...(receiveMaximum === undefined ? {} : { receiveMaximum }) };
  raw.send({
    cmd: "connect",
    protocolId: "MQTT",
    protocolVersion: 5,
    clean,
    clientId: "dev",
    keepalive: 0,
    properties,
  });
  expect(await raw.next("connack")).toMatchObject({ reasonCode: 0, sessionPresent: !clean });
  if (clean) {
    const subscriptions = [
      { topic: "g", qos: 1 as const },
      { topic: "fence", qos: 0 as const },
    ];
    raw.send({ cmd: "subscribe", messageId: 1, subscriptions });
    await raw.next("suback");
  }
  return raw;
}

const send = (h: string, group: string, text: string) => sendToGroup(emu, h, group, text);
/** The PUBLISHes on `g` that came before a fence sent now. */
const beforeFence = (raw: RawMqtt, h: string) => publishesBeforeFence(emu, raw, h);
const texts = (ps: IPublishPacket[]) => ps.map(payloadText);

describe("MQTT 5.0 resumed session", () => {
  it.each([
    [1, ["1"]],
    [3, ["1", "2", "3"]],
  ])(
    "sends again at most the new Receive Maximum (%i) of unacknowledged messages, the rest as PUBACKs make room",
    async (max, first) => {
      const h = hub();
      const old = await device(h, true, 5);
      for (const t of ["1", "2", "3"]) await send(h, "g", t);
      expect(texts(await beforeFence(old, h))).toEqual(["1", "2", "3"]); // never acknowledged
      old.ws.close();
      await old.closed;
      const raw = await device(h, false, max);
      const again = await beforeFence(raw, h);
      expect(texts(again)).toEqual(first);
      expect(again.every((p) => p.dup)).toBe(true);
      const rest = ["1", "2", "3"].slice(first.length);
      let last = again.at(-1)!;
      for (const t of rest) {
        raw.send({ cmd: "puback", messageId: last.messageId! });
        const next = await beforeFence(raw, h);
        expect(texts(next)).toEqual([t]);
        last = next[0]!;
      }
      raw.ws.close();
    },
  );

  it.each([
    [1, []],
    [60, [50]],
  ])(
    "a QoS 1 message that came while away with interval %i s, resumed 10 s later: sent with intervals %j",
    async (interval, left) => {
      vi.useFakeTimers({ toFake: ["Date"] });
      const h = hub();
      const old = await device(h, true);
      old.ws.close();
      await old.closed;
      const pub = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), 5);
      await pub.connect();
      const properties = { messageExpiryInterval: interval };
      const payload = Buffer.from("m");
      pub.send({ cmd: "publish", topic: "g", qos: 1, messageId: 1, dup: false, retain: false, payload, properties });
      await pub.next("puback");
      vi.setSystemTime(Date.now() + 10_000);
      const raw = await device(h, false);
      const got = await beforeFence(raw, h);
      expect(got.map((p) => p.properties?.messageExpiryInterval)).toEqual(left);
      expect(got.map((p) => p.dup)).toEqual(left.map(() => false));
      raw.ws.close();
      pub.ws.close();
    },
  );
});
