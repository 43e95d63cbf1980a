// Rule: an MQTT client's link (src/mqtt/packet-io.ts) cuts the bytes of its WebSocket frames into MQTT packets itself,
// however the client splits them: a packet may start anywhere in a frame and end frames later, its remaining length
// takes 1 to 4 bytes (a fifth is malformed), and what mqtt-packet refuses to parse is a malformed packet, told with
// mqtt-packet's reason. Once the service began closing the socket, nothing more is handed on (not even a packet that a
// later frame completes) and nothing is written to it.
import { generate, type IPublishPacket, type Packet } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { MqttLink } from "../src/mqtt/packet-io.ts";
import { closeSocket } from "../src/ws/close-socket.ts";

function link() {
  const packets: Packet[] = [];
  const problems: [string, string][] = [];
  const sent: Buffer[] = [];
  const ws = {
    readyState: 1,
    bufferedAmount: 0,
    send: (data: Buffer) => sent.push(data),
    close() {
      ws.readyState = 2;
    },
  };
  const l = new MqttLink(
    "p",
    ws as unknown as WebSocket,
    { packet: (p) => packets.push(p), problem: (kind, message) => problems.push([kind, message]) },
    1 << 20,
  );
  return { link: l, packets, problems, sent, ws: ws as unknown as WebSocket };
}

const PINGREQ = generate({ cmd: "pingreq" });

/** A 3.1.1 QoS 0 PUBLISH to topic "t" whose remaining length is `remaining` (2 bytes of topic length, 1 of topic). */
function publishOfRemaining(remaining: number): Buffer {
  const p: IPublishPacket = {
    cmd: "publish",
    topic: "t",
    qos: 0,
    dup: false,
    retain: false,
    payload: Buffer.alloc(remaining - 3, 7),
  };
  return generate(p);
}

const payloadLength = (p: Packet) => (p as IPublishPacket).payload.length;

describe("MqttLink cutting frames into packets", () => {
  it("hands on a packet that starts within a frame and ends two frames later, whole and in order", () => {
    const { link: l, packets, problems } = link();
    const big = publishOfRemaining(1000);
    l.feed(Buffer.concat([PINGREQ, big.subarray(0, 10)]));
    l.feed(big.subarray(10, 500));
    expect(packets.map((p) => p.cmd)).toEqual(["pingreq"]);
    l.feed(Buffer.concat([big.subarray(500), PINGREQ]));
    expect(problems).toEqual([]);
    expect(packets.map((p) => p.cmd)).toEqual(["pingreq", "publish", "pingreq"]);
    expect((packets[1] as IPublishPacket).payload).toEqual(Buffer.alloc(997, 7));
  });

  it("reads remaining lengths at each boundary of their 1 to 4 bytes, alone or after another packet", () => {
    // 127 and 16,383 are the largest of 1 and 2 bytes; 128 (0x80 0x01) and 16,384 (0x80 0x80 0x01) start with 0x80
    const lengths = [127, 128, 16_383, 16_384];
    const alone = link();
    for (const n of lengths) alone.link.feed(publishOfRemaining(n));
    const together = link();
    together.link.feed(Buffer.concat(lengths.map(publishOfRemaining)));
    for (const { packets, problems } of [alone, together]) {
      expect(problems).toEqual([]);
      expect(packets.map(payloadLength)).toEqual(lengths.map((n) => n - 3));
    }
  });

  it("reads a 4-byte remaining length (over the size limit), and refuses a fifth length byte as malformed", () => {
    const four = link(); // 2,097,152: 0x80 0x80 0x80 0x01
    four.link.feed(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x01]));
    expect(four.problems.map(([kind]) => kind)).toEqual(["too-large"]);
    const five = link();
    five.link.feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(five.problems).toEqual([["malformed", "Malformed MQTT packet: invalid remaining length."]]);
    expect(five.packets).toEqual([]);
  });

  it("hands on a packet of remaining length 1 (a 5.0 DISCONNECT with only its reason code)", () => {
    const { link: l, packets, problems } = link();
    l.feed(
      generate(
        { cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: true, clientId: "c" },
        { protocolVersion: 5 },
      ),
    );
    l.feed(Buffer.from([0xe0, 0x01, 0x04]));
    expect(problems).toEqual([]);
    expect(packets.map((p) => p.cmd)).toEqual(["connect", "disconnect"]);
    expect(packets[1]).toMatchObject({ reasonCode: 0x04 });
  });

  it("tells a packet mqtt-packet refuses as malformed, with mqtt-packet's reason, and hands on nothing after it", () => {
    const { link: l, packets, problems } = link();
    // a SUBSCRIBE asking for QoS 3, then a PINGREQ in the same frame
    l.feed(Buffer.concat([Buffer.from([0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x74, 0x03]), PINGREQ]));
    expect(problems).toHaveLength(1);
    expect(problems[0]![0]).toBe("malformed");
    expect(problems[0]![1]).toMatch(/^Malformed MQTT packet: .*QoS/);
    expect(packets).toEqual([]);
  });
});

describe("MqttLink once the service began closing the socket", () => {
  it("does not hand on a packet that a later frame completes", () => {
    const { link: l, packets, ws } = link();
    const big = publishOfRemaining(100);
    l.feed(big.subarray(0, 50));
    closeSocket(ws, 1002, "closing");
    l.feed(big.subarray(50));
    expect(packets).toEqual([]);

    const open = link(); // the other side: the same frames on an open socket
    open.link.feed(big.subarray(0, 50));
    open.link.feed(big.subarray(50));
    expect(open.packets.map((p) => p.cmd)).toEqual(["publish"]);
  });

  it("writes nothing to it", () => {
    const { link: l, sent, ws } = link();
    l.write({ cmd: "pingresp" });
    expect(sent).toHaveLength(1);
    closeSocket(ws, 1002, "closing");
    l.write({ cmd: "pingresp" });
    expect(sent).toHaveLength(1);
  });
});
