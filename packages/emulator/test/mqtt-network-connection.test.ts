// Rules of an MQTT client's network connection before its session opens (src/mqtt/network-connection.ts): the first
// packet must be CONNECT (else close 1002, nothing after it acted on), sent within CONNECT_TIMEOUT_MS (else close
// 1008); packets sent while the CONNECT is being decided wait, at most MAX_EARLY_PACKETS of them and MAX_EARLY_BYTES of
// their remaining lengths (one more packet or byte: close 1008), and are handled in order once the session is open, as if they had come after the CONNACK, so nothing after a
// packet that drops the connection is acted on; a link problem before the session opens closes the socket 1002 with
// the problem as the reason (a CONNECT of an unknown protocol version is answered with the 3.1.1 CONNACK 0x01 first);
// after it opens, a 5.0 client is told the problem's reason code in a DISCONNECT. Every wait is on a packet, a close or
// the upstream event; the CONNECT timer runs on fake timers.
import type { ServerResponse } from "node:http";
import { generate, type IPublishPacket, type Packet } from "mqtt-packet";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { ConnectNegotiator } from "../src/mqtt/connect-negotiator.ts";
import { CONNECT_TIMEOUT_MS, MAX_EARLY_BYTES, MAX_EARLY_PACKETS, MAX_PACKET_BYTES } from "../src/mqtt/limits.ts";
import { MAX_ITEMS_PER_FRAME } from "../src/mqtt/packet-io.ts";
import { ALL_GROUP_ROLES, hubNames } from "./helpers/clients.ts";
import { serviceRead } from "./helpers/keep-alive-rounds.ts";
import {
  connectHoldingHandler,
  mqttToken,
  mqttUrl,
  payloadText,
  publishesBeforeFence,
  quietKeepAlive,
  RawMqtt,
} from "./mqtt-helpers.ts";
import type { HandlerServer } from "./upstream-fixtures/handler-server.ts";

/** The connect events of user "held", answered when the test says so; every other event is answered at once. */
let held: ServerResponse[];
let handler: HandlerServer;
let emu: RunningEmulator;
const logs: string[] = [];
beforeAll(async () => {
  ({ handler, held } = await connectHoldingHandler("held"));
  emu = await startEmulator({
    hubs: {
      early: {
        eventHandlers: [{ urlTemplate: `${handler.base}/{event}`, systemEvents: ["connect", "disconnected"] }],
      },
    },
    log: (line) => logs.push(line),
  });
});
afterAll(async () => {
  await emu.close();
  await handler.close();
});

const hub = hubNames("mqnet");

function publish(topic: string, text: string, extra: Partial<IPublishPacket> = {}): IPublishPacket {
  return { cmd: "publish", topic, qos: 0, dup: false, retain: false, payload: Buffer.from(text), ...extra };
}

function connectPacket(version: 4 | 5, clientId = `c${Math.random()}`): Packet {
  return { cmd: "connect", protocolId: "MQTT", protocolVersion: version, clean: true, clientId, keepalive: 0 };
}

/** The close code and reason the client saw. */
function closeOf(raw: RawMqtt): Promise<[number, string]> {
  return new Promise((resolve) => raw.ws.once("close", (code, reason) => resolve([code, reason.toString()])));
}

/** A connected client of `h` subscribed to `topic` at QoS 0. */
async function subscriber(h: string, version: 4 | 5, topic: string): Promise<RawMqtt> {
  const sub = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), version);
  expect(await sub.connect()).toMatchObject({ cmd: "connack" });
  sub.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic, qos: 0 }] });
  await sub.next("suback");
  return sub;
}

const heldEvents = () =>
  handler.events().filter((r) => r.headers["ce-eventname"] === "connect" && r.headers["ce-userid"] === "held").length;

/** A client of hub "early" whose CONNECT was sent and whose connect event now waits for accept(). */
async function connecting(version: 4 | 5): Promise<RawMqtt> {
  const token = mqttToken(emu, "early", { sub: "held", role: ALL_GROUP_ROLES });
  const raw = new RawMqtt(mqttUrl(emu, "early", token), version);
  await raw.opened;
  const before = heldEvents();
  raw.send({ ...connectPacket(version), keepalive: quietKeepAlive(version) } as Packet);
  await handler.waitFor(() => heldEvents() > before);
  return raw;
}

function accept(): void {
  held.shift()!.writeHead(204).end();
}

/** Answers the connect event that waits with 401: the CONNECT is refused. */
function refuse(): void {
  held.shift()!.writeHead(401).end();
}

const frame = (version: 4 | 5, packets: Packet[]) =>
  Buffer.concat(packets.map((p) => generate(p, { protocolVersion: version })));

describe.each([4, 5] as const)("MQTT level %i, the first packet", (version) => {
  it("must be CONNECT: another closes the connection 1002, and a CONNECT after it is not answered", async () => {
    const raw = new RawMqtt(mqttUrl(emu, hub(), mqttToken(emu, "x")), version);
    await raw.opened;
    const closed = closeOf(raw);
    raw.ws.send(frame(version, [{ cmd: "pingreq" }, connectPacket(version)]));
    expect(await closed).toEqual([1002, "The first MQTT packet must be CONNECT."]);
    expect(raw.packets).toEqual([]);

    const h = hub(); // the other side: a CONNECT first is answered
    const ok = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h)), version);
    expect(await ok.connect()).toMatchObject({ cmd: "connack" });
    ok.ws.close();
    await ok.closed;
  });

  it("that is over the size limit closes the connection 1002 with the problem as the reason, unanswered", async () => {
    const h = hub();
    const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h)), version);
    await raw.opened;
    const closed = closeOf(raw);
    // a fixed header announcing one byte more than the limit (remaining length MAX_PACKET_BYTES - 3, 3 length bytes)
    const remaining = MAX_PACKET_BYTES - 3;
    raw.ws.send(Buffer.from([0x30, (remaining & 0x7f) | 0x80, ((remaining >> 7) & 0x7f) | 0x80, remaining >> 14]));
    const [code, reason] = await closed;
    expect([code, reason]).toEqual([
      1002,
      `An MQTT packet of ${MAX_PACKET_BYTES + 1} bytes is over the limit of ${MAX_PACKET_BYTES} bytes.`.slice(0, 123),
    ]);
    expect(raw.packets).toEqual([]);
  });
});

describe("a WebSocket pong before the CONNECT", () => {
  // RFC 6455 allows unsolicited pongs (a one-way heartbeat); before a session there is nothing for it to keep alive
  it("is ignored: the client connects after it", async () => {
    const h = hub();
    const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h)), 5);
    await raw.opened;
    raw.ws.pong();
    expect(await raw.connect()).toMatchObject({ cmd: "connack", reasonCode: 0 });
    raw.ws.close();
    await raw.closed;
  });
});

describe("a CONNECT of an unknown protocol version", () => {
  it("is answered with the 3.1.1 CONNACK 0x01 (unacceptable protocol version), then closed 1002", async () => {
    const h = hub();
    const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h)), 4);
    await raw.opened;
    const closed = closeOf(raw);
    const bytes = generate(connectPacket(4));
    bytes[8] = 6; // the protocol level, after the fixed header (2), the protocol name (2 + 4)
    raw.ws.send(bytes);
    const [code, reason] = await closed;
    expect(code).toBe(1002);
    expect(reason).toContain("protocol version");
    expect(raw.packets).toHaveLength(1);
    expect(raw.packets[0]).toMatchObject({ cmd: "connack", returnCode: 1, sessionPresent: false });
  });

  it("is not answered while another CONNECT is being decided: the connection closes 1002", async () => {
    const raw = await connecting(4);
    const closed = closeOf(raw);
    const bytes = generate(connectPacket(4));
    bytes[8] = 6;
    raw.ws.send(bytes);
    expect((await closed)[0]).toBe(1002);
    accept(); // the decided CONNECT is not answered either: its socket closed
    expect(raw.packets).toEqual([]);
  });
});

describe("the CONNECT timer", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it(`closes 1008 a connection silent for ${CONNECT_TIMEOUT_MS} ms; one that sent CONNECT before is kept`, async () => {
    const h = hub();
    // only the timers: the sockets stay real, so every wait below is on a packet or a close
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const silent = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h)), 5);
    const prompt = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h)), 5);
    await Promise.all([silent.opened, prompt.opened]);
    const closed = closeOf(silent);
    vi.advanceTimersByTime(CONNECT_TIMEOUT_MS - 1);
    expect(await prompt.connect()).toMatchObject({ cmd: "connack", reasonCode: 0 });
    vi.advanceTimersByTime(1);
    expect(await closed).toEqual([1008, "No CONNECT packet in time."]);
    expect(silent.packets).toEqual([]);
    vi.advanceTimersByTime(CONNECT_TIMEOUT_MS);
    prompt.send({ cmd: "pingreq" });
    expect(await prompt.next("pingresp")).toMatchObject({ cmd: "pingresp" });
    prompt.ws.close();
    await prompt.closed;
  });
});

describe.each([4, 5] as const)("MQTT level %i, packets sent while the CONNECT is being decided", (version) => {
  it(`${MAX_EARLY_PACKETS} are handled in order after the CONNACK; one more closes the connection 1008`, async () => {
    const subscribes = (n: number): Packet[] =>
      Array.from({ length: n }, (_, i) => ({
        cmd: "subscribe",
        messageId: i + 1,
        subscriptions: [{ topic: `t${i}`, qos: 0 }],
      }));
    const at = await connecting(version);
    at.ws.send(frame(version, subscribes(MAX_EARLY_PACKETS)));
    expect(await serviceRead(at.ws)).toBe("read"); // the frame came before the connect event is answered
    const over = await connecting(version);
    const closed = closeOf(over);
    over.ws.send(frame(version, subscribes(MAX_EARLY_PACKETS + 1)));
    expect(await closed).toEqual([1008, "Too many packets before CONNACK."]);
    accept();
    accept();
    expect(await at.next("connack")).toMatchObject({ cmd: "connack" });
    const acks: number[] = [];
    for (let i = 0; i < MAX_EARLY_PACKETS; i++) acks.push((await at.next("suback")).messageId ?? -1);
    expect(acks).toEqual(Array.from({ length: MAX_EARLY_PACKETS }, (_, i) => i + 1));
    expect(at.packets.map((p) => p.cmd)).toEqual([]);
    expect(over.packets).toEqual([]);
    at.ws.close();
    await at.closed;
  });

  it(`their remaining lengths may add up to ${MAX_EARLY_BYTES} bytes; one byte more closes the connection 1008`, async () => {
    /** A QoS 0 PUBLISH whose remaining length is exactly `remaining`. */
    const sized = (remaining: number): IPublishPacket => {
      const empty = generate(publish("t", ""), { protocolVersion: version }).length - 2; // 1-byte length field
      const packet = publish("t", "x".repeat(remaining - empty));
      const bytes = generate(packet, { protocolVersion: version });
      const header = remaining < 128 ? 2 : remaining < 16_384 ? 3 : 4;
      expect(bytes.length - header).toBe(remaining);
      return packet;
    };
    const largest = MAX_PACKET_BYTES - 4; // a 1-byte type and a 3-byte length field
    const count = Math.floor(MAX_EARLY_BYTES / largest);
    const rest = MAX_EARLY_BYTES - count * largest;
    const big = generate(sized(largest), { protocolVersion: version });
    const sendAll = (raw: RawMqtt, last: number) => {
      for (let i = 0; i < count; i++) raw.ws.send(big);
      raw.ws.send(generate(sized(last), { protocolVersion: version }));
    };
    const at = await connecting(version);
    sendAll(at, rest);
    expect(await serviceRead(at.ws)).toBe("read"); // every frame came before the connect event is answered
    const over = await connecting(version);
    const closed = closeOf(over);
    sendAll(over, rest + 1);
    expect(await closed).toEqual([1008, "Too many bytes before CONNACK."]);
    accept();
    accept();
    expect(await at.next("connack")).toMatchObject({ cmd: "connack" });
    at.send({ cmd: "pingreq" });
    expect(await at.next("pingresp")).toMatchObject({ cmd: "pingresp" }); // still connected after its early packets
    at.ws.close();
    await at.closed;
  });

  it("nothing after one that drops the connection is acted on", async () => {
    const sub = await subscriber("early", version, "g");
    const raw = await connecting(version);
    const logged = logs.length;
    // a PUBLISH to a wildcard topic drops the connection once the session handles it
    raw.ws.send(
      frame(version, [publish("g", "before"), publish("g+", "wild"), publish("g", "after"), publish("g+", "wild")]),
    );
    raw.send(publish("g", "after, next frame"));
    expect(await serviceRead(raw.ws)).toBe("read"); // the frames came before the connect event is answered
    accept();
    expect(await raw.next("connack")).toMatchObject({ cmd: "connack" });
    await raw.closed;
    expect((await publishesBeforeFence(emu, sub, "early", "g")).map(payloadText)).toEqual(["before"]);
    expect(logs.slice(logged).filter((l) => l.includes("mqtt connection"))).toHaveLength(1);
    sub.ws.close();
    await sub.closed;
  });
});

describe.each([4, 5] as const)("MQTT level %i, a refused CONNECT", (version) => {
  it("answers none of the packets that waited for it", async () => {
    const raw = await connecting(version);
    raw.ws.send(
      frame(version, [{ cmd: "pingreq" }, { cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "t", qos: 0 }] }]),
    );
    expect(await serviceRead(raw.ws)).toBe("read");
    refuse();
    expect(await raw.next("connack")).toMatchObject({
      cmd: "connack",
      [version === 5 ? "reasonCode" : "returnCode"]: version === 5 ? 0x87 : 5,
    });
    await raw.closed;
    expect(raw.packets).toEqual([]);
  });
});

describe("a CONNECT whose decision fails unexpectedly", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("closes the connection 1011 with a short reason, and logs the failure", async () => {
    vi.spyOn(ConnectNegotiator.prototype, "negotiate").mockRejectedValueOnce(new Error("broken rule"));
    const h = hub();
    const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h)), 5);
    await raw.opened;
    const closed = closeOf(raw);
    const logged = logs.length;
    raw.send(connectPacket(5));
    expect(await closed).toEqual([1011, "Internal error."]);
    expect(raw.packets).toEqual([]);
    expect(logs.slice(logged)).toContain("mqtt: connect failed: Error: broken rule");
  });
});

describe("the end of a network connection", () => {
  /** A 5.0 client of `h` with a last will "gone" on topic "g". */
  async function withWill(h: string): Promise<RawMqtt> {
    const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), 5);
    await raw.opened;
    const will = { topic: "g", payload: Buffer.from("gone"), qos: 0 as const, retain: false };
    raw.send({ ...connectPacket(5), will } as Packet);
    expect(await raw.next("connack")).toMatchObject({ reasonCode: 0 });
    return raw;
  }

  it("closed by the client ends its session after the packets before the close: a DISCONNECT first keeps the will back", async () => {
    const h = hub();
    const sub = await subscriber(h, 5, "g");
    const plain = await withWill(h);
    plain.ws.close();
    await plain.closed;
    expect((await publishesBeforeFence(emu, sub, h, "g")).map(payloadText)).toEqual(["gone"]);

    const polite = await withWill(h);
    polite.ws.send(frame(5, [publish("g", "last words"), { cmd: "disconnect", reasonCode: 0 }]));
    polite.ws.close();
    await polite.closed;
    expect((await publishesBeforeFence(emu, sub, h, "g")).map(payloadText)).toEqual(["last words"]);
    sub.ws.close();
    await sub.closed;
  });

  it("logs an error of the client's socket (a frame WebSocket does not allow) as an MQTT one", async () => {
    const h = hub();
    const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h)), 5);
    await raw.connect();
    const logged = logs.length;
    // a masked frame of the reserved opcode 0x3 (FIN set, empty, mask key 0)
    (raw.ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0]));
    await raw.closed;
    expect(logs.slice(logged).filter((l) => l.startsWith("mqtt: "))).toEqual([
      "mqtt: Invalid WebSocket frame: invalid opcode 3",
    ]);
  });
});

describe("the keep-alive", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("cuts a client silent past it at once, without waiting for its answer to the close: its session ends", async () => {
    const token = mqttToken(emu, "early", { sub: "dead", role: ALL_GROUP_ROLES });
    const raw = new RawMqtt(mqttUrl(emu, "early", token), 5);
    await raw.opened;
    // only the timers: the sockets stay real, so every wait below is on a packet or an upstream event
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    expect(await raw.connect({ keepalive: 2 })).toMatchObject({ cmd: "connack", reasonCode: 0 });
    // a dead peer: it reads nothing more, so it never answers the close frame
    (raw.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const logged = logs.length;
    const ended = handler.waitFor(
      (r) => r.headers["ce-eventname"] === "disconnected" && r.headers["ce-userid"] === "dead",
    );
    vi.advanceTimersByTime(3000);
    expect(JSON.parse((await ended).text)).toMatchObject({
      mqtt: { initiatedByClient: false, disconnectPacket: { code: 0x8d } },
    });
    expect(logs.slice(logged).filter((l) => l.startsWith("mqtt connection"))).toEqual([
      expect.stringMatching(/: Keep-alive timeout\.$/),
    ]);
    raw.ws.terminate();
  });
});

describe("a link problem once the session is open", () => {
  it.each([
    {
      what: "more packets in one frame than the per-frame bound",
      bytes: () => Buffer.concat(Array<Buffer>(MAX_ITEMS_PER_FRAME + 1).fill(generate({ cmd: "pingreq" }))),
      reason: `More than ${MAX_ITEMS_PER_FRAME} MQTT packets and topic filters in one WebSocket frame.`,
    },
    {
      what: "a packet mqtt-packet refuses (a SUBSCRIBE asking for QoS 3)",
      bytes: () => Buffer.from([0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 0x74, 0x03]),
      reason: expect.stringMatching(/^Malformed MQTT packet: .*QoS/),
    },
  ])("is told to a 5.0 client as a DISCONNECT 0x81 (malformed) with the problem: $what", async ({ bytes, reason }) => {
    const h = hub();
    const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h)), 5);
    await raw.connect();
    raw.ws.send(bytes());
    expect(await raw.next("disconnect")).toMatchObject({ reasonCode: 0x81, properties: { reasonString: reason } });
    await raw.closed;
  });
});
