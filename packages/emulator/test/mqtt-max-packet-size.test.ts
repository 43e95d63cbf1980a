// Rule: the Maximum Packet Size of a 5.0 client's CONNECT bounds what the service sends it. A PUBLISH that would be
// larger (fixed header included) is not sent, and the service goes on as if it had been delivered: a QoS 1/2 one is
// not kept unacknowledged, so it takes no Receive Maximum slot ([MQTT-3.1.2-24], [MQTT-3.1.2-25]). A Maximum Packet
// Size of 0 is a protocol error (MQTT 5.0 section 3.1.2.11.4: CONNACK 0x82). Before, every message went out whatever
// its size, and mqtt.js, which checks the packets it receives against its own maximum, ended its connection (0x95).
import { generate } from "mqtt-packet";
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
const hub = hubNames("mqmps");
const MAX = 200;

/**
 * A raw 5.0 client connected with `properties`, subscribed to `g` at `qos` and to `fence` at QoS 0; `resume`: the
 * persistent session of client id `resume` is resumed (clean start 0), without subscribing again.
 */
async function client(h: string, properties: Record<string, number>, qos: 0 | 1, resume?: string): Promise<RawMqtt> {
  const fields = resume === undefined ? { properties } : { properties, clean: false, clientId: resume };
  const { raw, reasonCode } = await connectRaw5(emu, h, fields);
  expect(reasonCode).toBe(0);
  if (resume === undefined) await subscribeWithFence(raw, "g", qos);
  return raw;
}

/** A text payload whose PUBLISH on `g` at `qos` (as the emulator sends a REST text message) is `size` bytes long. */
function payloadOfPacketSize(size: number, qos: 0 | 1): string {
  const bytes = (n: number) =>
    generate(
      {
        cmd: "publish",
        topic: "g",
        qos,
        dup: false,
        retain: false,
        ...(qos > 0 ? { messageId: 1 } : {}),
        payload: Buffer.alloc(n, 0x61),
        properties: { contentType: "text/plain" },
      },
      { protocolVersion: 5 },
    ).length;
  let n = size - bytes(0);
  n += size - bytes(n); // a longer remaining length takes one more byte
  expect(bytes(n)).toBe(size);
  return "a".repeat(n);
}

describe("MQTT 5.0 Maximum Packet Size of the client", () => {
  it(`a PUBLISH of ${MAX} bytes reaches a client whose maximum is ${MAX}; one of ${MAX + 1} is not sent`, async () => {
    const h = hub();
    const raw = await client(h, { maximumPacketSize: MAX }, 0);
    const atLimit = payloadOfPacketSize(MAX, 0);
    const over = payloadOfPacketSize(MAX + 1, 0);
    await sendToGroup(emu, h, "g", over);
    await sendToGroup(emu, h, "g", atLimit);
    const got = await publishesBeforeFence(emu, raw, h);
    expect(got.map(payloadText)).toEqual([atLimit]);
    expect(raw.ws.readyState).toBe(raw.ws.OPEN);
    raw.ws.close();
  });

  it("a QoS 1 PUBLISH over the maximum counts as delivered: it takes no Receive Maximum slot", async () => {
    const h = hub();
    const raw = await client(h, { maximumPacketSize: MAX, receiveMaximum: 1 }, 1);
    const atLimit = payloadOfPacketSize(MAX, 1);
    await sendToGroup(emu, h, "g", payloadOfPacketSize(MAX + 1, 1));
    await sendToGroup(emu, h, "g", atLimit);
    // no PUBACK is sent: the message at the limit still comes, so nothing waits for one
    const got = await publishesBeforeFence(emu, raw, h);
    expect(got.map(payloadText)).toEqual([atLimit]);
    expect(got[0]).toMatchObject({ qos: 1 });
    raw.ws.close();
  });

  it("a resumed session does not send again an unacknowledged PUBLISH over its new connection's maximum", async () => {
    const h = hub();
    const session = { sessionExpiryInterval: 30, receiveMaximum: 1 };
    const first = await client(h, session, 1, "dev");
    first.send({
      cmd: "subscribe",
      messageId: 1,
      subscriptions: [
        { topic: "g", qos: 1 },
        { topic: "fence", qos: 0 },
      ],
    });
    await first.next("suback");
    const big = payloadOfPacketSize(MAX + 1, 1);
    await sendToGroup(emu, h, "g", big);
    expect((await publishesBeforeFence(emu, first, h)).map(payloadText)).toEqual([big]); // not acknowledged
    first.ws.terminate();
    await first.closed;
    const again = await client(h, { ...session, maximumPacketSize: MAX }, 1, "dev");
    const atLimit = payloadOfPacketSize(MAX, 1);
    await sendToGroup(emu, h, "g", atLimit);
    // the big one counts as delivered: the one at the limit takes the only Receive Maximum slot
    expect((await publishesBeforeFence(emu, again, h)).map(payloadText)).toEqual([atLimit]);
    again.ws.close();
  });

  it("without a maximum, a client gets a PUBLISH of any size the service takes", async () => {
    const h = hub();
    const raw = await client(h, {}, 0);
    const big = "b".repeat(100_000);
    await sendToGroup(emu, h, "g", big);
    expect((await publishesBeforeFence(emu, raw, h)).map(payloadText)).toEqual([big]);
    raw.ws.close();
  });

  it("mqtt.js with a maximum stays connected and gets the messages that fit", async () => {
    const h = hub();
    const c = await openMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), {
      protocolVersion: 5,
      properties: { maximumPacketSize: MAX },
    });
    await c.subscribeAsync("g", { qos: 1 });
    const first = new Promise<string>((resolve) => {
      c.on("message", (_t, payload) => resolve(payload.toString()));
      c.on("close", () => resolve("closed"));
    });
    await sendToGroup(emu, h, "g", "x".repeat(1000));
    await sendToGroup(emu, h, "g", "small");
    expect(await first).toBe("small");
    await c.endAsync();
  });

  it(`refuses a Maximum Packet Size of 0 with CONNACK 0x82; ${MAX} is taken`, async () => {
    const h = hub();
    const codes: number[] = [];
    for (const maximumPacketSize of [0, MAX]) {
      const { raw, reasonCode } = await connectRaw5(emu, h, { properties: { maximumPacketSize } }, false);
      codes.push(reasonCode);
      raw.ws.close();
    }
    expect(codes).toEqual([0x82, 0]);
  });
});
