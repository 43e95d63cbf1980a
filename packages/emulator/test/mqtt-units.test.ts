// The MQTT building blocks (not yet wired to an endpoint): content types, topic rules, CONNACK codes per version, the
// session's PUBLISH encoding with the QoS downgrade, and the MQTT members of connect answers.
import { generate, type Packet, parser } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import type { Connection } from "../src/connection.ts";
import { connackCode, isConnackRefusal, refusalForStatus } from "../src/mqtt/codes.ts";
import { contentTypeOf, deliveryQos, markSentQos, PayloadInvalid, payloadFromMqtt } from "../src/mqtt/content.ts";
import { MAX_INFLIGHT_BYTES, MAX_PACKET_BYTES, SERVER_MESSAGES_TOPIC } from "../src/mqtt/limits.ts";
import { MqttLink, packetSize } from "../src/mqtt/packet-io.ts";
import { MqttSession } from "../src/mqtt/session.ts";
import { filterProblem, topicProblem } from "../src/mqtt/topics.ts";
import { Outgoing } from "../src/outgoing.ts";
import { mqttAccept, mqttReject } from "../src/upstream/mqtt-fields.ts";

function parse(buf: Buffer, version: 4 | 5): Record<string, unknown> {
  const p = parser({ protocolVersion: version });
  let out: Record<string, unknown> | undefined;
  p.on("packet", (x) => {
    out = x as unknown as Record<string, unknown>;
  });
  p.parse(buf);
  if (out === undefined) throw new Error("no packet");
  return out;
}

describe("content types (cross-protocol doc)", () => {
  it("maps MQTT 5 content types to data types both ways; absent is binary", () => {
    expect(payloadFromMqtt(Buffer.from('{"a":1}'), "application/json")).toEqual({ kind: "json", text: '{"a":1}' });
    expect(payloadFromMqtt(Buffer.from("hi"), "text/plain; charset=utf-8")).toEqual({ kind: "text", text: "hi" });
    expect(payloadFromMqtt(Buffer.from([1]), "application/x-protobuf").kind).toBe("protobuf");
    expect(payloadFromMqtt(Buffer.from([1]), undefined).kind).toBe("binary");
    expect(payloadFromMqtt(Buffer.from([1]), "application/octet-stream").kind).toBe("binary");
    expect(contentTypeOf("json")).toBe("application/json");
    expect(contentTypeOf("binary")).toBe("application/octet-stream");
  });
  it("refuses payloads that contradict their content type", () => {
    expect(() => payloadFromMqtt(Buffer.from("{"), "application/json")).toThrow(PayloadInvalid);
    expect(() => payloadFromMqtt(Buffer.from([0xff, 0xfe]), "text/plain")).toThrow(PayloadInvalid);
  });
});

describe("QoS downgrade", () => {
  it("is the lower of the sent QoS (1 for non-MQTT senders) and the granted one", () => {
    const rest = new Outgoing({ payload: { kind: "text", text: "x" }, from: "server" });
    expect(deliveryQos(rest, 2)).toBe(1);
    expect(deliveryQos(rest, 0)).toBe(0);
    const mqtt = new Outgoing({ payload: { kind: "text", text: "x" }, from: "group", group: "g" });
    markSentQos(mqtt, 2);
    expect(deliveryQos(mqtt, 2)).toBe(2);
    expect(deliveryQos(mqtt, 1)).toBe(1);
  });
});

describe("topics are group names", () => {
  it("refuses wildcards, shared subscriptions and over-long topics; accepts 1024 characters", () => {
    expect(filterProblem("a/#")?.reason).toBe(0xa2);
    expect(filterProblem("a/+/b")?.reason).toBe(0xa2);
    expect(filterProblem("$share/x/a")?.reason).toBe(0x9e);
    expect(filterProblem("x".repeat(1025))?.reason).toBe(0x8f);
    expect(filterProblem("x".repeat(1024))).toBeUndefined();
    expect(topicProblem("a/+")?.reason).toBe(0x90);
    expect(topicProblem("chat")).toBeUndefined();
  });
});

describe("CONNACK codes per version", () => {
  it("maps refusals to 3.1.1 return codes and 5.0 reason codes", () => {
    expect(connackCode("protocol-version", 4)).toBe(1);
    expect(connackCode("bad-token", 4)).toBe(5);
    expect(connackCode("bad-token", 5)).toBe(0x87);
    expect(connackCode(refusalForStatus(403), 5)).toBe(0x87);
    expect(isConnackRefusal(0x87, 5)).toBe(true);
    expect(isConnackRefusal(0x87, 4)).toBe(false);
    expect(isConnackRefusal(5, 4)).toBe(true);
  });
});

describe("MqttSession as a wire format", () => {
  it("sends server messages on the server topic at QoS 1 and keeps them until PUBACK", () => {
    const s = new MqttSession({ clientId: "c", version: 5, persistent: false, keepMs: 0 });
    const msg = new Outgoing({ payload: { kind: "json", text: "[1]" }, from: "server" });
    const p = parse(s.encodeData(msg).data, 5);
    expect(p).toMatchObject({ cmd: "publish", topic: SERVER_MESSAGES_TOPIC, qos: 1 });
    expect((p.properties as { contentType: string }).contentType).toBe("application/json");
    expect(s.inflightCount).toBe(1);
    const again: Packet[] = [];
    s.resume((q) => again.push(q));
    expect(again).toEqual([expect.objectContaining({ cmd: "publish", dup: true })]);
    expect(s.complete(p.messageId as number)).toBe(true);
    expect(s.inflightCount).toBe(0);
  });
  // Rule: a resume sends again no more than the new Receive Maximum at a time; an acknowledgement of a message still
  // waiting to be sent again (the client had it from the earlier connection) ends it, and it is not sent again.
  it("sends again within Receive Maximum; a message acknowledged before its turn is not sent again", () => {
    const s = new MqttSession({ clientId: "c", version: 5, persistent: true, keepMs: 0 });
    const ids = ["1", "2", "3"].map((text) => {
      const msg = new Outgoing({ payload: { kind: "text", text }, from: "server" });
      return parse(s.encodeData(msg).data, 5).messageId as number;
    });
    s.receiveMaximum = 1;
    const again: Packet[] = [];
    s.resume((q) => again.push(q));
    expect(again.map((p) => (p as { messageId: number }).messageId)).toEqual([ids[0]]);
    expect(s.complete(ids[2]!)).toBe(true); // acknowledged before it was sent again
    expect(s.complete(ids[0]!)).toBe(true);
    s.release((q) => again.push(q));
    expect(again.map((p) => (p as { messageId: number }).messageId)).toEqual([ids[0], ids[1]]);
    expect(s.complete(ids[1]!)).toBe(true);
    s.release((q) => again.push(q));
    expect(again).toHaveLength(2);
  });
  // Rule: what one session keeps for its client is bounded in bytes, not only in messages. A client that subscribes to
  // its own topic at QoS 1, publishes 1 MiB messages and never acknowledges made the emulator keep 10,000 of them
  // (10 GiB; also for 30 s after it left, with a persistent session).
  it(`keeps at most ${MAX_INFLIGHT_BYTES / 1024 / 1024} MiB of unacknowledged messages; beyond, it overflows`, () => {
    const s = new MqttSession({ clientId: "c", version: 4, persistent: false, keepMs: 0 });
    const overflows: string[] = [];
    s.bind({
      events: { overflow: (_c: Connection, reason: string) => overflows.push(reason) },
    } as unknown as Connection);
    const MiB = 1024 * 1024;
    const big = () => new Outgoing({ payload: { kind: "binary", bytes: Buffer.alloc(MiB) }, from: "server" });
    const ids: number[] = [];
    for (let i = 0; i < MAX_INFLIGHT_BYTES / MiB; i++) ids.push(parse(s.encodeData(big()).data, 4).messageId as number);
    expect(overflows).toEqual([]);
    expect(s.inflightCount).toBe(MAX_INFLIGHT_BYTES / MiB);
    expect(s.encodeData(big()).data.length).toBe(0);
    expect(overflows).toHaveLength(1);
    expect(overflows[0]).toMatch(/unacknowledged/);
    // an acknowledgement makes room again
    expect(s.complete(ids[0]!)).toBe(true);
    expect(parse(s.encodeData(big()).data, 4)).toMatchObject({ cmd: "publish", qos: 1 });
    expect(overflows).toHaveLength(1);
  });
  it("downgrades group messages to the subscription's QoS 0 and shares that encoding", () => {
    const s = new MqttSession({ clientId: "c", version: 4, persistent: false, keepMs: 0 });
    s.subscriptions.set("g", { qos: 0, noLocal: false });
    const msg = new Outgoing({ payload: { kind: "text", text: "hi" }, from: "group", group: "g" });
    const a = s.encodeData(msg).data;
    expect(parse(a, 4)).toMatchObject({ cmd: "publish", topic: "g", qos: 0 });
    expect(s.encodeData(msg).data).toBe(a);
    expect(s.inflightCount).toBe(0);
  });
  it("encodes the connected system message as CONNACK and a 5.0 service close as DISCONNECT", () => {
    const s = new MqttSession({ clientId: "c", version: 5, persistent: false, keepMs: 0 });
    s.connack = { cmd: "connack", sessionPresent: false, reasonCode: 0 };
    expect(
      parse(s.encodeControl({ type: "system", event: "connected", userId: null, connectionId: "x" })!.data, 5),
    ).toMatchObject({ cmd: "connack" });
    const d = s.encodeControl({ type: "system", event: "disconnected", message: "bye" })!;
    expect(parse(d.data, 5)).toMatchObject({ cmd: "disconnect", reasonCode: 0x98 });
    expect(s.upstreamMqtt().disconnect).toEqual({ initiatedByClient: false, disconnectPacket: { code: 0x98 } });
  });
});

describe("MQTT members of connect answers", () => {
  it("reads the failure code, reason and user properties; ignores malformed ones", () => {
    expect(mqttReject('{"mqtt":{"code":135,"reason":"no","userProperties":[{"name":"a","value":"b"}]}}')).toEqual({
      code: 135,
      reason: "no",
      userProperties: [{ name: "a", value: "b" }],
    });
    expect(mqttReject('{"mqtt":{"code":"x"}}')).toEqual({});
    expect(mqttReject("not json")).toBeUndefined();
    expect(mqttAccept({ mqtt: { userProperties: [{ name: "k", value: "v" }] } })).toEqual({
      userProperties: [{ name: "k", value: "v" }],
    });
    expect(mqttAccept({})).toBeUndefined();
  });
});

describe("MqttLink on mqtt-packet's public API", () => {
  function link(): { link: MqttLink; packets: Packet[]; problems: string[] } {
    const packets: Packet[] = [];
    const problems: string[] = [];
    const ws = { readyState: 1, send() {} } as unknown as WebSocket;
    const l = new MqttLink(
      "p",
      ws,
      { packet: (p) => packets.push(p), problem: (kind) => problems.push(kind) },
      1 << 20,
    );
    return { link: l, packets, problems };
  }
  const connect5: Packet = { cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: true, clientId: "c" };
  const publish5: Packet = {
    cmd: "publish",
    topic: "t",
    qos: 0,
    dup: false,
    retain: false,
    payload: Buffer.from("x"),
    properties: { contentType: "text/plain" },
  };

  // the link relies on it: mqtt-packet's parser reads the packets after a CONNECT in that CONNECT's version
  it("parses the packets after a 5.0 CONNECT as 5.0, even in the same frame", () => {
    const { link: l, packets } = link();
    l.feed(Buffer.concat([generate(connect5, { protocolVersion: 5 }), generate(publish5, { protocolVersion: 5 })]));
    expect(packets.map((p) => p.cmd)).toEqual(["connect", "publish"]);
    expect((packets[1] as { properties?: unknown }).properties).toEqual({ contentType: "text/plain" });
  });

  it("counts the fixed header in a packet's size", () => {
    expect([0, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152].map(packetSize)).toEqual([
      2, 129, 131, 16_386, 16_388, 2_097_155, 2_097_157,
    ]);
  });

  it("refuses a packet whose fixed header announces more than the limit at once, and waits for one at the limit", () => {
    const at = link();
    at.link.feed(generate(connect5, { protocolVersion: 5 }));
    const atLimit = generate({ ...publish5, payload: Buffer.alloc(MAX_PACKET_BYTES - 21) }, { protocolVersion: 5 });
    expect(atLimit.length).toBe(MAX_PACKET_BYTES);
    at.link.feed(atLimit.subarray(0, 10));
    at.link.feed(atLimit.subarray(10, MAX_PACKET_BYTES - 1));
    expect(at.problems).toEqual([]);
    at.link.feed(atLimit.subarray(MAX_PACKET_BYTES - 1));
    expect(at.problems).toEqual([]);
    expect(at.packets.map((p) => p.cmd)).toEqual(["connect", "publish"]);

    const over = link();
    over.link.feed(generate(connect5, { protocolVersion: 5 }));
    const big = generate({ ...publish5, payload: Buffer.alloc(MAX_PACKET_BYTES - 20) }, { protocolVersion: 5 });
    expect(big.length).toBe(MAX_PACKET_BYTES + 1);
    over.link.feed(big.subarray(0, 10)); // the fixed header is enough
    expect(over.problems).toEqual(["too-large"]);
  });
});
