// Rule: the QoS 2 exchange of a client's PUBLISH answers an unknown packet id as MQTT 5.0 says: a PUBREL for an id the
// service does not hold gets PUBCOMP 0x92 (Packet Identifier not found, section 3.7.2.1) and one it holds PUBCOMP 0x00,
// once (a second PUBREL of it is unknown). 3.1.1 has no reason codes: PUBCOMP either way. Before, every PUBREL was
// answered as a success.
import type { IPublishPacket } from "mqtt-packet";
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
const hub = hubNames("mqq2");

describe.each([4, 5] as const)("MQTT level %i PUBREL", (version) => {
  it("a held id is completed once; an unknown one is answered Packet Identifier not found (5.0)", async () => {
    const h = hub();
    const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), version);
    await raw.connect();
    const publish: IPublishPacket = {
      cmd: "publish",
      topic: "t",
      qos: 2,
      messageId: 9,
      dup: false,
      retain: false,
      payload: Buffer.from("x"),
    };
    raw.send(publish);
    expect(await raw.next("pubrec")).toMatchObject({ messageId: 9 });
    const codes: (number | undefined)[] = [];
    for (const id of [9, 9, 10]) {
      raw.send({ cmd: "pubrel", messageId: id });
      const comp = (await raw.next("pubcomp")) as { messageId: number; reasonCode?: number };
      expect(comp.messageId).toBe(id);
      codes.push(comp.reasonCode ?? 0);
    }
    expect(codes).toEqual(version === 5 ? [0, 0x92, 0x92] : [0, 0, 0]);
    raw.ws.close();
  });
});
