// Rule: a single MQTT packet never makes mqtt-packet build an unbounded number of objects. A SUBSCRIBE or UNSUBSCRIBE
// holds at most MAX_FILTERS_PER_PACKET topic filters and an MQTT 5.0 packet at most MAX_USER_PROPERTIES_PER_PACKET user
// properties (a CONNECT's and its will's together); the link counts them in the packet's bytes (packet-scan.ts) and
// refuses a packet over either bound before the parser sees it, so nothing of it is parsed or acted on (5.0: DISCONNECT
// 0x97 Quota exceeded, then close; 3.1.1: close). Before, an 800 KB SUBSCRIBE of 200,000 filters or a PUBLISH or
// CONNECT of 60,000 user properties held the event loop for 0.07-0.2 s inside mqtt-packet. The work is counted (packets
// the parser produced), not timed.
import { generate, type Packet, parser } from "mqtt-packet";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { WebSocket } from "ws";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { MAX_FILTERS_PER_PACKET, MAX_USER_PROPERTIES_PER_PACKET } from "../src/mqtt/limits.ts";
import { MqttLink } from "../src/mqtt/packet-io.ts";
import { userPropertyList } from "../src/mqtt/user-properties.ts";
import { ALL_GROUP_ROLES, hubNames, rest } from "./helpers/clients.ts";
import { mqttToken, mqttUrl, openMqtt, quietKeepAlive, RawMqtt } from "./mqtt-helpers.ts";

/** mqtt-packet's Parser emits each packet it parsed: counted on its prototype. */
function countParsed(): () => number {
  const proto = Object.getPrototypeOf(parser()) as { emit(event: string, ...args: unknown[]): boolean };
  const emit = vi.spyOn(proto, "emit");
  return () => emit.mock.calls.filter(([event]) => event === "packet").length;
}

function link(version: 4 | 5): { link: MqttLink; packets: Packet[]; problems: string[] } {
  const packets: Packet[] = [];
  const problems: string[] = [];
  const ws = { readyState: 1, send() {} } as unknown as WebSocket;
  const l = new MqttLink("p", ws, { packet: (p) => packets.push(p), problem: (kind) => problems.push(kind) }, 1 << 20);
  l.feed(generate(connectPacket(version), { protocolVersion: version }));
  return { link: l, packets, problems };
}

function connectPacket(version: 4 | 5, extra: Partial<Packet> = {}): Packet {
  return {
    cmd: "connect",
    protocolId: "MQTT",
    protocolVersion: version,
    clean: true,
    clientId: "c",
    ...extra,
  } as Packet;
}

/** `n` topic filters t0, t1, ..., or `n` times `same`. */
function filters(n: number, same?: string): string[] {
  return Array.from({ length: n }, (_, i) => same ?? `t${i}`);
}

function subscribe(version: 4 | 5, n: number, same?: string): Buffer {
  const subscriptions = filters(n, same).map((topic) => ({ topic, qos: 0 as const }));
  return generate({ cmd: "subscribe", messageId: 1, subscriptions }, { protocolVersion: version });
}

function unsubscribe(version: 4 | 5, n: number, same?: string): Buffer {
  return generate(
    { cmd: "unsubscribe", messageId: 1, unsubscriptions: filters(n, same) },
    { protocolVersion: version },
  );
}

/** `n` user properties: distinct names, and one name with several values (mqtt-packet's record holds both shapes). */
function userProperties(n: number): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = { same: ["a", "b"] };
  for (let i = 0; i < n - 2; i++) out[`k${i}`] = "v";
  return out;
}

function countOf(record: unknown): number {
  return userPropertyList(record as Record<string, string | string[]> | undefined)?.length ?? 0;
}

function publish5(users: number): Buffer {
  const properties = { contentType: "text/plain", userProperties: userProperties(users) };
  return generate(
    {
      cmd: "publish",
      topic: "t",
      qos: 1,
      messageId: 7,
      dup: false,
      retain: false,
      payload: Buffer.from("x"),
      properties,
    },
    { protocolVersion: 5 },
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each([4, 5] as const)("topic filters per packet, MQTT level %i", (version) => {
  it.each([
    ["SUBSCRIBE", subscribe, "subscriptions"],
    ["UNSUBSCRIBE", unsubscribe, "unsubscriptions"],
  ] as const)(
    `a %s of ${MAX_FILTERS_PER_PACKET} filters is parsed whole; one more is refused unparsed`,
    (_, packetOf, field) => {
      const at = link(version);
      at.link.feed(packetOf(version, MAX_FILTERS_PER_PACKET));
      expect(at.problems).toEqual([]);
      expect((at.packets[1] as unknown as Record<string, unknown[]>)[field]).toHaveLength(MAX_FILTERS_PER_PACKET);

      const over = link(version);
      const parsed = countParsed();
      over.link.feed(packetOf(version, MAX_FILTERS_PER_PACKET + 1));
      expect(over.problems).toEqual(["too-many"]);
      expect(over.packets.map((p) => p.cmd)).toEqual(["connect"]);
      expect(parsed()).toBe(0); // the parser never saw it

      const big = link(version); // the review's case: 200,000 one-character filters in 800 KB
      big.link.feed(packetOf(version, 200_000, "t"));
      expect(big.problems).toEqual(["too-many"]);
    },
  );

  it("counts a packet cut into one-byte frames the same way", () => {
    for (const [n, problems, handed] of [
      [MAX_FILTERS_PER_PACKET, [], 2],
      [MAX_FILTERS_PER_PACKET + 1, ["too-many"], 1],
    ] as const) {
      const l = link(version);
      const bytes = Buffer.concat([generate({ cmd: "pingreq" }), subscribe(version, n)]);
      for (let i = 0; i < bytes.length; i++) l.link.feed(bytes.subarray(i, i + 1));
      expect(l.problems).toEqual(problems);
      expect(l.packets).toHaveLength(handed + 1);
    }
  });
});

describe("MQTT 5.0 user properties per packet", () => {
  it(`a PUBLISH with ${MAX_USER_PROPERTIES_PER_PACKET} is parsed with each; one more is refused unparsed`, () => {
    const at = link(5);
    at.link.feed(publish5(MAX_USER_PROPERTIES_PER_PACKET));
    expect(at.problems).toEqual([]);
    const p = at.packets[1] as { properties?: { userProperties?: unknown; contentType?: string } };
    expect(countOf(p.properties?.userProperties)).toBe(MAX_USER_PROPERTIES_PER_PACKET);
    expect(p.properties?.contentType).toBe("text/plain"); // the properties after the user ones were read right

    const over = link(5);
    const parsed = countParsed();
    over.link.feed(publish5(MAX_USER_PROPERTIES_PER_PACKET + 1));
    expect(over.problems).toEqual(["too-many"]);
    expect(parsed()).toBe(0);
  });

  it("counts a CONNECT's and its will's user properties together", () => {
    const half = MAX_USER_PROPERTIES_PER_PACKET / 2;
    const connect = (willUsers: number) =>
      connectPacket(5, {
        properties: { sessionExpiryInterval: 10, userProperties: userProperties(half) },
        will: {
          topic: "w",
          payload: Buffer.from("x"),
          qos: 0,
          retain: false,
          properties: { contentType: "text/plain", userProperties: userProperties(willUsers) },
        },
      } as Partial<Packet>);
    const packets: Packet[] = [];
    const problems: string[] = [];
    const ws = { readyState: 1, send() {} } as unknown as WebSocket;
    const events = { packet: (p: Packet) => packets.push(p), problem: (kind: string) => problems.push(kind) };
    new MqttLink("p", ws, events, 1 << 20).feed(generate(connect(half), { protocolVersion: 5 }));
    expect(problems).toEqual([]);
    const c = packets[0] as { properties?: { userProperties?: unknown }; will?: { properties?: object } };
    expect(countOf(c.properties?.userProperties)).toBe(half);
    expect(c.will?.properties).toMatchObject({ contentType: "text/plain" });

    const parsed = countParsed();
    new MqttLink("q", ws, events, 1 << 20).feed(generate(connect(half + 1), { protocolVersion: 5 }));
    expect(problems).toEqual(["too-many"]);
    expect(parsed()).toBe(0);
  });

  it.each([
    [
      "SUBSCRIBE",
      (users: number) => ({
        cmd: "subscribe",
        messageId: 1,
        subscriptions: [{ topic: "t", qos: 0 }],
        properties: { subscriptionIdentifier: 3, userProperties: userProperties(users) },
      }),
    ],
    [
      "UNSUBSCRIBE",
      (users: number) => ({
        cmd: "unsubscribe",
        messageId: 1,
        unsubscriptions: ["t"],
        properties: { userProperties: userProperties(users) },
      }),
    ],
    [
      "PUBACK",
      (users: number) => ({
        cmd: "puback",
        messageId: 1,
        reasonCode: 0,
        properties: { reasonString: "r", userProperties: userProperties(users) },
      }),
    ],
    [
      "DISCONNECT",
      (users: number) => ({
        cmd: "disconnect",
        reasonCode: 0,
        properties: { sessionExpiryInterval: 0, userProperties: userProperties(users) },
      }),
    ],
  ] as const)("bounds a %s's user properties the same way", (_, packetOf) => {
    const at = link(5);
    at.link.feed(generate(packetOf(MAX_USER_PROPERTIES_PER_PACKET) as Packet, { protocolVersion: 5 }));
    expect(at.problems).toEqual([]);
    expect(countOf((at.packets[1] as { properties?: { userProperties?: unknown } }).properties?.userProperties)).toBe(
      MAX_USER_PROPERTIES_PER_PACKET,
    );
    const over = link(5);
    over.link.feed(generate(packetOf(MAX_USER_PROPERTIES_PER_PACKET + 1) as Packet, { protocolVersion: 5 }));
    expect(over.problems).toEqual(["too-many"]);
  });

  it("reads no properties in a 3.1.1 packet (its payload may look like them)", () => {
    const l = link(4);
    const looksLikeProperties = Buffer.alloc(10_000, 0x26); // user property ids, each a pair of 0x2626-byte strings
    l.link.feed(
      generate({ cmd: "publish", topic: "t", qos: 0, dup: false, retain: false, payload: looksLikeProperties }),
    );
    expect(l.problems).toEqual([]);
    expect(l.packets.map((p) => p.cmd)).toEqual(["connect", "publish"]);
  });

  // a repeated property other than a user property is a Protocol Error (MQTT 5.0 2.2.2.2, e.g. 3.8.2.1.2), not malformed
  it("refuses unparsed a property block that does not fit (malformed) or repeats a property (protocol error)", () => {
    // PUBLISH "t", QoS 0, then the properties: [length, ...properties] and no payload
    const publishWith = (props: number[]) => Buffer.from([0x30, 3 + props.length, 0, 1, 0x74, ...props]);
    const cases: [number[], string[]][] = [
      [[2, 0x01, 1], []], // Payload Format Indicator: fits
      [[4, 0x01, 1, 0x01, 1], ["protocol-error"]], // twice
      [[4, 0x26, 0, 0, 0], ["malformed"]], // a pair's second string runs past the block
      [[3, 0x26, 0, 0], ["malformed"]],
      [[9, 0x26, 0, 0, 0, 0, 0x26, 0, 0, 0], ["malformed"]],
      [[10, 0x26, 0, 0, 0, 0, 0x26, 0, 0, 0, 0], []], // a user property may repeat
      [[2, 0x0b, 0x80], ["malformed"]], // an unfinished Subscription Identifier
      [[1, 0x07], ["malformed"]], // no property 0x07
      [[5], ["malformed"]], // a block longer than the packet
    ];
    for (const [props, problems] of cases) {
      const l = link(5);
      const parsed = countParsed();
      l.link.feed(publishWith(props));
      expect({ props, problems: l.problems }).toEqual({ props, problems });
      expect(parsed()).toBe(problems.length === 0 ? 1 : 0);
      vi.restoreAllMocks();
    }
  });

  it("accepts every property a client may send, each once", () => {
    const l = link(5);
    const properties = {
      payloadFormatIndicator: true,
      messageExpiryInterval: 60,
      contentType: "text/plain",
      responseTopic: "r",
      correlationData: Buffer.from([1, 2]),
      userProperties: { a: "b" },
    };
    const will = {
      topic: "w",
      payload: Buffer.from("x"),
      qos: 0,
      retain: false,
      properties: { ...properties, willDelayInterval: 5 },
    };
    const connectProps = {
      sessionExpiryInterval: 10,
      receiveMaximum: 5,
      maximumPacketSize: 1000,
      topicAliasMaximum: 0,
      requestResponseInformation: true,
      requestProblemInformation: true,
      authenticationMethod: "m",
      authenticationData: Buffer.from([3]),
      userProperties: { a: ["b", "c"] },
    };
    const bytes = [
      generate(connectPacket(5, { properties: connectProps, will } as Partial<Packet>), { protocolVersion: 5 }),
      generate(
        {
          cmd: "publish",
          topic: "t",
          qos: 2,
          messageId: 2,
          dup: false,
          retain: false,
          payload: Buffer.from("x"),
          properties: { ...properties, topicAlias: 1 },
        },
        { protocolVersion: 5 },
      ),
      generate(
        { cmd: "pubrel", messageId: 2, reasonCode: 0, properties: { reasonString: "x", userProperties: { a: "b" } } },
        { protocolVersion: 5 },
      ),
      generate(
        {
          cmd: "auth",
          reasonCode: 0x18,
          properties: { authenticationMethod: "m", authenticationData: Buffer.from([1]), reasonString: "x" },
        },
        { protocolVersion: 5 },
      ),
    ];
    l.link.feed(Buffer.concat(bytes));
    expect(l.problems).toEqual([]);
    expect(l.packets.map((p) => p.cmd)).toEqual(["connect", "connect", "publish", "pubrel", "auth"]);
    expect((l.packets[1] as { will?: { properties?: object } }).will?.properties).toMatchObject({
      willDelayInterval: 5,
    });
  });
});

describe.each([4, 5] as const)("over the wire, MQTT level %i", (version) => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu.close();
  });
  const hub = hubNames(`mqs${version}`);

  /** A raw client with a persistent session: what it subscribed stays after its socket closed. */
  async function persistent(h: string): Promise<RawMqtt> {
    const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), version);
    await raw.opened;
    const clientId = `p${Math.random()}`;
    raw.send({
      ...connectPacket(version),
      clean: false,
      clientId,
      keepalive: quietKeepAlive(version),
      properties: version === 5 ? { sessionExpiryInterval: 30 } : undefined,
    } as Packet);
    await raw.next("connack");
    return raw;
  }

  async function groupExists(h: string, group: string): Promise<boolean> {
    return (await rest(emu, "HEAD", `/api/hubs/${h}/groups/${group}`)).status === 200;
  }

  // 3.1.1 has no property blocks: the same bytes are the PUBLISH's payload, and the connection goes on.
  it.each([
    { what: "repeats a property", props: [4, 0x01, 1, 0x01, 1], code: 0x82 },
    { what: "runs past its block", props: [3, 0x26, 0, 0], code: 0x81 },
  ])(
    "a PUBLISH whose property block $what: 5.0 ends the connection with DISCONNECT reason $code, 3.1.1 reads payload",
    async ({ props, code }) => {
      const h = hub();
      const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), version);
      await raw.connect();
      // PUBLISH "t", QoS 0: at 5.0 `props` is its property block (and no payload), at 3.1.1 its payload
      raw.ws.send(Buffer.from([0x30, 3 + props.length, 0, 1, 0x74, ...props]));
      if (version === 5) {
        expect(await raw.next("disconnect")).toMatchObject({ reasonCode: code });
      } else {
        raw.send({ cmd: "pingreq" } as Packet);
        expect(await raw.next("pingresp")).toMatchObject({ cmd: "pingresp" });
        expect(raw.packets.filter((p) => p.cmd === "disconnect")).toEqual([]);
        raw.ws.terminate();
      }
      await raw.closed;
    },
  );

  it(`a SUBSCRIBE of ${MAX_FILTERS_PER_PACKET} filters subscribes to each; one more to none, refused`, async () => {
    const h = hub();
    const at = await persistent(h);
    at.ws.send(subscribe(version, MAX_FILTERS_PER_PACKET));
    expect(((await at.next("suback")) as { granted: number[] }).granted).toHaveLength(MAX_FILTERS_PER_PACKET);
    at.ws.terminate(); // the session and its subscriptions are kept for the client to come back
    await at.closed;
    expect(await groupExists(h, "t0")).toBe(true);
    expect(await groupExists(h, `t${MAX_FILTERS_PER_PACKET - 1}`)).toBe(true);

    const h2 = hub();
    const over = await persistent(h2);
    over.ws.send(subscribe(version, MAX_FILTERS_PER_PACKET + 1));
    if (version === 5) expect(await over.next("disconnect")).toMatchObject({ reasonCode: 0x97 });
    await over.closed;
    expect(over.packets.filter((p) => p.cmd === "suback")).toEqual([]);
    expect(await groupExists(h2, "t0")).toBe(false);
  });

  it("mqtt.js, a normal client, still connects, subscribes, publishes and receives", async () => {
    const h = hub();
    const url = mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES }));
    const props = version === 5 ? { properties: { userProperties: { a: "b" } } } : {};
    const c = await openMqtt(url, { protocolVersion: version, ...props });
    await c.subscribeAsync(["x", "y"], { qos: 1, ...props });
    const got = new Promise<string>((resolve) => c.once("message", (_t, payload) => resolve(payload.toString())));
    await c.publishAsync("x", "hello", { qos: 1, ...props });
    expect(await got).toBe("hello");
    await c.unsubscribeAsync(["x", "y"], props);
    await c.endAsync();
  });
});
