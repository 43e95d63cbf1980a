// Rule: packets the MQTT specifications forbid end the network connection instead of being acted on (5.0: DISCONNECT
// with the reason first; a CONNECT gets no CONNACK). mqtt-packet parses each of them without complaint, and before,
// the emulator answered them:
// - a SUBSCRIBE or UNSUBSCRIBE without a topic filter (3.1.1 [MQTT-3.8.3-3], [MQTT-3.10.3-2]; 5.0 [MQTT-3.8.3-2],
//   [MQTT-3.10.3-2]: a protocol error), which got an empty SUBACK / UNSUBACK;
// - packet identifier 0 on a SUBSCRIBE, an UNSUBSCRIBE or a QoS 1/2 PUBLISH (3.1.1 [MQTT-2.3.1-1]; 5.0 [MQTT-2.2.1-3]:
//   a protocol error), which was acknowledged with id 0;
// - a will QoS of 3 (3.1.1 [MQTT-3.1.2-14]; 5.0 section 3.1.2.6: a malformed packet), which connected;
// - ill-formed UTF-8 (an encoded surrogate, an overlong form) or U+0000 in a topic name, a topic filter, a client id
//   or a will topic (3.1.1 [MQTT-1.5.3-1], [MQTT-1.5.3-2]; 5.0 [MQTT-1.5.4-1], [MQTT-1.5.4-2]: a malformed packet),
//   which mqtt-packet decoded with U+FFFD in place of the bad bytes, so that such a topic was the group of another.
// - a 5.0 DISCONNECT with a non-zero Session Expiry Interval after a CONNECT without one ([MQTT-3.14.2-2]: a protocol
//   error, not a valid DISCONNECT), which was taken as a normal DISCONNECT, so the will was dropped instead of sent.
// Each case also shows its well-formed neighbour answered as usual.
import { generate, type Packet } from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { ALL_GROUP_ROLES, hubNames } from "./helpers/clients.ts";
import { mqttToken, mqttUrl, payloadText, publishesBeforeFence, quietKeepAlive, RawMqtt } from "./mqtt-helpers.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
const hub = hubNames("mqbad");

const PROTOCOL_ERROR = 0x82;
const MALFORMED = 0x81;

/** `packet`'s bytes at `version`, with the bytes of `mark` (ASCII, found once) replaced by `bytes` of its length. */
function bytesOf(packet: Packet, version: 4 | 5, mark?: string, bytes?: number[]): Buffer {
  const buf = generate(packet, { protocolVersion: version });
  if (mark === undefined || bytes === undefined) return buf;
  const at = buf.indexOf(mark);
  expect(at).toBeGreaterThan(0);
  expect(buf.indexOf(mark, at + 1)).toBe(-1);
  expect(bytes.length).toBe(mark.length);
  Buffer.from(bytes).copy(buf, at);
  return buf;
}

/** Bad UTF-8 as a replacement for a marker of its length, and well-formed bytes of the same length. */
const BAD_TEXT: [string, number[]][] = [
  ["U+0000", [0x00]],
  ["an encoded surrogate U+D800", [0xed, 0xa0, 0x80]],
  ["an overlong '/'", [0xc0, 0xaf]],
];
const MARKS: Record<number, string> = { 1: "~", 2: "~~", 3: "~~~" };
/** well-formed: 'a', 'é' (C3 A9), U+FFFD (EF BF BD) */
const GOOD_TEXT: Record<number, number[]> = { 1: [0x61], 2: [0xc3, 0xa9], 3: [0xef, 0xbf, 0xbd] };

async function connected(h: string, version: 4 | 5): Promise<RawMqtt> {
  const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), version);
  expect(await raw.connect()).toMatchObject(version === 5 ? { reasonCode: 0 } : { returnCode: 0 });
  return raw;
}

/**
 * Sends `bytes` on an open session, then a PINGREQ, and expects the connection to end with neither answered (the
 * PINGREQ would be, were the connection still open): 5.0 gets DISCONNECT `reason` first.
 */
async function endsOn(raw: RawMqtt, version: 4 | 5, bytes: Buffer, reason: number, unanswered: Packet["cmd"]) {
  raw.ws.send(bytes);
  raw.send({ cmd: "pingreq" });
  expect(
    await raw.next("pingresp").then(
      () => "answered",
      () => "closed",
    ),
  ).toBe("closed");
  expect(raw.packets.map((p) => p.cmd)).not.toContain(unanswered);
  if (version === 5) expect(await raw.next("disconnect")).toMatchObject({ reasonCode: reason });
}

/** Expects the CONNECT sent on `raw` to close the connection 1002 without CONNACK (or anything else). */
async function refusedUnanswered(raw: RawMqtt): Promise<void> {
  expect(
    await raw.next("connack").then(
      () => "answered",
      () => "closed",
    ),
  ).toBe("closed");
  expect(await raw.closed).toBe(1002);
  expect(raw.packets).toEqual([]);
}

describe.each([4, 5] as const)("MQTT level %i", (version) => {
  it("a SUBSCRIBE without a topic filter ends the connection unanswered (protocol error); with one it is answered", async () => {
    const raw = await connected(hub(), version);
    const one = bytesOf({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "t", qos: 0 }] }, version);
    raw.ws.send(one);
    expect(await raw.next("suback")).toMatchObject({ messageId: 1, granted: [0] });
    // the same packet cut after its packet id (5.0: and its empty property block)
    const none = Buffer.from(one.subarray(0, version === 5 ? 5 : 4));
    none[1] = none.length - 2;
    await endsOn(raw, version, none, PROTOCOL_ERROR, "suback");
  });

  it("an UNSUBSCRIBE without a topic filter ends the connection unanswered (protocol error); with one it is answered", async () => {
    const raw = await connected(hub(), version);
    const one = bytesOf({ cmd: "unsubscribe", messageId: 1, unsubscriptions: ["t"] }, version);
    raw.ws.send(one);
    expect(await raw.next("unsuback")).toMatchObject({ messageId: 1 });
    const none = Buffer.from(one.subarray(0, version === 5 ? 5 : 4));
    none[1] = none.length - 2;
    await endsOn(raw, version, none, PROTOCOL_ERROR, "unsuback");
  });

  const withId = (messageId: number): [string, Packet, Packet["cmd"]][] => [
    ["SUBSCRIBE", { cmd: "subscribe", messageId, subscriptions: [{ topic: "t", qos: 0 }] }, "suback"],
    ["UNSUBSCRIBE", { cmd: "unsubscribe", messageId, unsubscriptions: ["t"] }, "unsuback"],
    ...([1, 2] as const).map((qos): [string, Packet, Packet["cmd"]] => [
      `QoS ${qos} PUBLISH`,
      { cmd: "publish", topic: "t", qos, messageId, dup: false, retain: false, payload: Buffer.from("x") },
      qos === 1 ? "puback" : "pubrec",
    ]),
  ];
  it.each(withId(0).map((c, i) => [c[0], c, withId(1)[i]!] as const))(
    "a %s with packet id 0 ends the connection unanswered (protocol error); id 1 is answered",
    async (_name, [, zero, answer], [, one]) => {
      const raw = await connected(hub(), version);
      raw.ws.send(bytesOf(one, version));
      expect(await raw.next(answer)).toMatchObject({ messageId: 1 });
      await endsOn(raw, version, bytesOf(zero, version), PROTOCOL_ERROR, answer);
    },
  );

  function connect(willQos: 0 | 1 | 2, clientId = "c", willTopic = "w"): Packet {
    return {
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: version,
      clean: true,
      clientId,
      keepalive: quietKeepAlive(version),
      will: { topic: willTopic, payload: Buffer.from("bye"), qos: willQos, retain: false },
    } as Packet;
  }

  /** Opens a raw client on a new hub and sends `bytes` as its CONNECT. */
  async function connectWith(bytes: Buffer): Promise<RawMqtt> {
    const h = hub();
    const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), version);
    await raw.opened;
    raw.ws.send(bytes);
    return raw;
  }

  it("a CONNECT with will QoS 3 is malformed: closed without CONNACK; will QoS 2 connects", async () => {
    const two = await connectWith(bytesOf(connect(2), version));
    expect(await two.next("connack")).toMatchObject(version === 5 ? { reasonCode: 0 } : { returnCode: 0 });
    two.ws.close();
    const three = bytesOf(connect(2), version);
    const flagsAt = 2 + 2 + 4 + 1; // fixed header (remaining length < 128), "MQTT", level
    expect(three.readUInt8(flagsAt) & 0x18).toBe(0x10);
    three.writeUInt8(three.readUInt8(flagsAt) | 0x08, flagsAt);
    await refusedUnanswered(await connectWith(three));
  });

  describe.each(BAD_TEXT)("with %s", (_name, bad) => {
    const mark = MARKS[bad.length]!;
    const good = GOOD_TEXT[bad.length]!;

    it("in a PUBLISH topic: malformed, the connection ends unanswered; well-formed UTF-8 is delivered", async () => {
      const raw = await connected(hub(), version);
      const publish: Packet = {
        cmd: "publish",
        topic: `t${mark}`,
        qos: 1,
        messageId: 1,
        dup: false,
        retain: false,
        payload: Buffer.from("x"),
      };
      raw.ws.send(bytesOf(publish, version, mark, good));
      expect(await raw.next("puback")).toMatchObject({ messageId: 1 });
      await endsOn(raw, version, bytesOf(publish, version, mark, bad), MALFORMED, "puback");
    });

    it("in a SUBSCRIBE or UNSUBSCRIBE filter: malformed, the connection ends unanswered", async () => {
      const cases: [Packet, Packet["cmd"]][] = [
        [{ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: `t${mark}`, qos: 0 }] }, "suback"],
        [{ cmd: "unsubscribe", messageId: 1, unsubscriptions: [`t${mark}`] }, "unsuback"],
      ];
      for (const [packet, answer] of cases) {
        const raw = await connected(hub(), version);
        raw.ws.send(bytesOf(packet, version, mark, good));
        expect(await raw.next(answer)).toMatchObject({ messageId: 1 });
        await endsOn(raw, version, bytesOf(packet, version, mark, bad), MALFORMED, answer);
      }
    });

    it("in a client id or a will topic: the CONNECT is malformed, closed without CONNACK", async () => {
      for (const packet of [connect(0, `c${mark}`), connect(0, "c", `w${mark}`)]) {
        const ok = await connectWith(bytesOf(packet, version, mark, good));
        expect(await ok.next("connack")).toMatchObject(version === 5 ? { reasonCode: 0 } : { returnCode: 0 });
        ok.ws.close();
        await refusedUnanswered(await connectWith(bytesOf(packet, version, mark, bad)));
      }
    });
  });
});

describe("MQTT 5.0 DISCONNECT with a Session Expiry Interval", () => {
  it.each([
    [0, 0, "a normal DISCONNECT: the will is dropped", []],
    [0, 10, "a protocol error (DISCONNECT 0x82), not a valid DISCONNECT: the will goes out", ["bye"]],
    [30, 10, "a normal DISCONNECT: the will is dropped", []],
  ] as const)("after CONNECT %i, DISCONNECT %i is %s", async (connectExpiry, sessionExpiryInterval, _what, wills) => {
    const h = hub();
    const url = mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES }));
    const watcher = new RawMqtt(url, 5);
    await watcher.connect();
    watcher.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "w", qos: 0 }] });
    await watcher.next("suback");
    const dev = new RawMqtt(url, 5);
    await dev.opened;
    dev.send({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 5,
      clean: true,
      clientId: "dev",
      keepalive: 0,
      will: { topic: "w", payload: Buffer.from("bye"), qos: 0, retain: false },
      ...(connectExpiry > 0 ? { properties: { sessionExpiryInterval: connectExpiry } } : {}),
    });
    expect(await dev.next("connack")).toMatchObject({ reasonCode: 0 });
    dev.send({ cmd: "disconnect", reasonCode: 0, properties: { sessionExpiryInterval } });
    await dev.closed;
    const answers = dev.packets.filter((p) => p.cmd === "disconnect");
    expect(answers).toEqual(wills.length > 0 ? [expect.objectContaining({ reasonCode: PROTOCOL_ERROR })] : []);
    expect((await publishesBeforeFence(emu, watcher, h, "w")).map(payloadText)).toEqual(wills);
    watcher.ws.close();
  });
});

describe("MQTT 5.0 PUBLISH from a client", () => {
  // [MQTT-3.3.4-6]: a PUBLISH sent from a client to a server must not contain a Subscription Identifier (the server
  // sets it on what it sends); one that does is a protocol error.
  it.each([
    [1, "puback"],
    [2, "pubrec"],
  ] as const)(
    "at QoS %i with a Subscription Identifier ends the connection unanswered (protocol error); without it is answered",
    async (qos, answer) => {
      const raw = await connected(hub(), 5);
      const publish = (messageId: number, properties: Record<string, number>): Packet => ({
        cmd: "publish",
        topic: "t",
        qos,
        messageId,
        dup: false,
        retain: false,
        payload: Buffer.from("x"),
        properties,
      });
      raw.ws.send(bytesOf(publish(1, {}), 5));
      expect(await raw.next(answer)).toMatchObject({ messageId: 1 });
      await endsOn(raw, 5, bytesOf(publish(2, { subscriptionIdentifier: 7 }), 5), PROTOCOL_ERROR, answer);
    },
  );
});
