// Rule: the pre-scan of an MQTT packet (packet-scan.ts) counts what the parser would build from it, packet by packet,
// without reading past the packet: the topic filters of a SUBSCRIBE/UNSUBSCRIBE (the items the packet counts for in
// its frame's bound; at most MAX_FILTERS_PER_PACKET) and the user properties of every MQTT 5.0 packet type that has a
// property block (at most MAX_USER_PROPERTIES_PER_PACKET each, a CONNECT's and its will's together). A property block
// must fit its packet, each property its block, and a property other than a user property may appear once. A packet
// too short to hold what the scan would read is left to the parser (the scan answers 1). Checked on PacketScan itself,
// on both sides of each bound; test/mqtt-packet-scan checks the same through the link and over the wire.
import { generate, type Packet } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { MAX_FILTERS_PER_PACKET, MAX_USER_PROPERTIES_PER_PACKET } from "../src/mqtt/limits.ts";
import { PacketScan, type ScanRefusal } from "../src/mqtt/packet-scan.ts";

/** Where a whole packet's variable header starts: after the first byte and the remaining length's 1 - 4 bytes. */
function bodyOf(packet: Buffer): number {
  let i = 1;
  while ((packet[i]! & 0x80) !== 0) i++;
  return i + 1;
}

/** A packet whose first byte (type and flags) is `first`, with `body` as its variable header and payload. */
function raw(first: number, body: number[]): Buffer {
  const length: number[] = [];
  let n = body.length;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    length.push(b);
  } while (n > 0);
  return Buffer.from([first, ...length, ...body]);
}

const CONNECT5: Packet = { cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: true, clientId: "c" };

/** A scanner that has read a CONNECT of `version` (so it reads later packets in that version). */
function scanner(version: 4 | 5): PacketScan {
  const s = new PacketScan();
  const c = generate({ ...CONNECT5, protocolVersion: version } as Packet, { protocolVersion: version });
  expect(s.scan(c, bodyOf(c))).toBe(1);
  return s;
}

const scan = (s: PacketScan, packet: Buffer) => s.scan(packet, bodyOf(packet));
const kindOf = (r: number | ScanRefusal) => (typeof r === "number" ? r : r.kind);

/** `n` user properties in mqtt-packet's record. */
function users(n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
}

/** A 5.0 property block holding `props` (its length as a variable byte integer first). */
function block(props: number[]): number[] {
  return [...raw(0, props).subarray(1)];
}

/** A 5.0 QoS 0 PUBLISH to "t" whose property block is `props` (already with its length), no payload. */
const publishWith = (props: number[]) => raw(0x30, [0, 1, 0x74, ...props]);

describe("the packets a scan reads properties in", () => {
  // Rule: each 5.0 packet type with properties is bounded the same way; types without (PINGREQ) are not read.
  const over = MAX_USER_PROPERTIES_PER_PACKET + 1;
  const typed: [string, (n: number) => Packet][] = [
    [
      "CONNACK",
      (n) => ({ cmd: "connack", sessionPresent: false, reasonCode: 0, properties: { userProperties: users(n) } }),
    ],
    ["PUBACK", (n) => ({ cmd: "puback", messageId: 1, reasonCode: 0, properties: { userProperties: users(n) } })],
    ["PUBREC", (n) => ({ cmd: "pubrec", messageId: 1, reasonCode: 0, properties: { userProperties: users(n) } })],
    ["PUBREL", (n) => ({ cmd: "pubrel", messageId: 1, reasonCode: 0, properties: { userProperties: users(n) } })],
    ["PUBCOMP", (n) => ({ cmd: "pubcomp", messageId: 1, reasonCode: 0, properties: { userProperties: users(n) } })],
    ["SUBACK", (n) => ({ cmd: "suback", messageId: 1, granted: [0], properties: { userProperties: users(n) } })],
    ["UNSUBACK", (n) => ({ cmd: "unsuback", messageId: 1, granted: [0], properties: { userProperties: users(n) } })],
    ["DISCONNECT", (n) => ({ cmd: "disconnect", reasonCode: 0, properties: { userProperties: users(n) } })],
    [
      "AUTH",
      (n) => ({ cmd: "auth", reasonCode: 0, properties: { authenticationMethod: "m", userProperties: users(n) } }),
    ],
    [
      "PUBLISH QoS 0",
      (n) => ({
        cmd: "publish",
        topic: "t",
        qos: 0,
        dup: false,
        retain: false,
        payload: Buffer.from("x"),
        properties: { userProperties: users(n) },
      }),
    ],
    [
      "PUBLISH QoS 2",
      (n) => ({
        cmd: "publish",
        topic: "t",
        qos: 2,
        messageId: 9,
        dup: false,
        retain: false,
        payload: Buffer.from("x"),
        properties: { userProperties: users(n) },
      }),
    ],
  ];
  it.each(typed)(
    `a 5.0 %s of ${MAX_USER_PROPERTIES_PER_PACKET} user properties passes; one more is refused`,
    (_, of) => {
      const s = scanner(5);
      expect(scan(s, generate(of(MAX_USER_PROPERTIES_PER_PACKET), { protocolVersion: 5 }))).toBe(1);
      // counted per packet: the next packet starts again at 0
      expect(scan(s, generate(of(MAX_USER_PROPERTIES_PER_PACKET), { protocolVersion: 5 }))).toBe(1);
      expect(scan(s, generate(of(over), { protocolVersion: 5 }))).toMatchObject({
        kind: "too-many",
        message: `An MQTT packet has more than ${MAX_USER_PROPERTIES_PER_PACKET} user properties.`,
      });
    },
  );

  // Rule: the same bytes in 3.1.1 are no property block (3.1.1 has none).
  it.each(typed)("a 3.1.1 scan reads no properties in a %s", (_, of) => {
    expect(scan(scanner(4), generate(of(over), { protocolVersion: 5 }))).toBe(1);
  });

  // Rule: the short forms (no reason code, no properties) and packets of no properties are taken as they are.
  it("takes the short forms of acknowledgements, DISCONNECT and AUTH, and PINGREQ, at 5.0", () => {
    const s = scanner(5);
    // a property block that would be malformed, were it read
    const bad = [0x05];
    // bytes that hold a malformed block at any offset a packet type with properties reads it from
    const anywhere = [5, 5, 5, 5];
    for (const [first, body] of [
      [0x40, [0, 1]], // PUBACK: packet id only
      [0x40, [0, 1, 0]], // PUBACK: packet id and reason code, no properties
      [0x70, [0, 1, 0]], // PUBCOMP
      [0xe0, []], // DISCONNECT: nothing
      [0xe0, [0]], // DISCONNECT: reason code only
      [0xf0, [0]], // AUTH: reason code only
      [0x20, [0, 0]], // CONNACK: flags and reason code only
      [0x90, [0, 1]], // SUBACK: packet id only
      [0xc0, anywhere], // PINGREQ: nothing is read
      [0xd0, anywhere], // PINGRESP
      [0x00, anywhere], // reserved type 0
    ] as const) {
      expect({ first, body, r: scan(s, raw(first, [...body])) }).toEqual({ first, body, r: 1 });
    }
    // the property block right after the short part is read
    expect(kindOf(scan(s, raw(0x40, [0, 1, 0, ...bad])))).toBe("malformed");
    expect(kindOf(scan(s, raw(0x70, [0, 1, 0, ...bad])))).toBe("malformed");
    expect(kindOf(scan(s, raw(0xe0, [0, ...bad])))).toBe("malformed");
    expect(kindOf(scan(s, raw(0xf0, [0, ...bad])))).toBe("malformed");
    expect(kindOf(scan(s, raw(0x20, [0, 0, ...bad])))).toBe("malformed");
    expect(kindOf(scan(s, raw(0x90, [0, 1, ...bad])))).toBe("malformed");
    expect(kindOf(scan(s, raw(0xb0, [0, 1, ...bad])))).toBe("malformed");
  });

  // Rule: a PUBLISH has a packet id before its properties at QoS 1 and 2 only.
  it("reads a PUBLISH's properties after its packet id at QoS 1 and 2, right after the topic at QoS 0", () => {
    const s = scanner(5);
    // topic "t", then [5, 0, 0]: at QoS 1/2 the packet id 0x0500 and an empty block; at QoS 0 a block of 5 bytes,
    // past the packet
    const after = [0, 1, 0x74, 5, 0, 0];
    expect(scan(s, raw(0x32, after))).toBe(1); // QoS 1
    expect(scan(s, raw(0x34, after))).toBe(1); // QoS 2
    expect(kindOf(scan(s, raw(0x30, after)))).toBe("malformed"); // QoS 0
    expect(scan(s, raw(0x30, [0, 1, 0x74, 0, 5, 0]))).toBe(1); // QoS 0: an empty block, then payload
    expect(kindOf(scan(s, raw(0x32, [0, 1, 0x74, 0, 5, 0])))).toBe(1); // QoS 1: packet id 5, an empty block
    expect(kindOf(scan(s, raw(0x32, [0, 1, 0x74, 0, 0, 5])))).toBe("malformed");
  });

  // Rule: a packet too short for what the scan reads is the parser's to refuse: the scan reads nothing past it.
  it("answers 1 for packets cut short, without reading past them", () => {
    const s = scanner(5);
    expect(scan(s, raw(0x30, []))).toBe(1); // PUBLISH without a topic length
    expect(scan(s, raw(0x30, [0]))).toBe(1);
    expect(scan(s, raw(0x30, [0, 1]))).toBe(1); // the topic's length but no topic
    expect(scan(s, raw(0x30, [0, 1, 0x74]))).toBe(1); // no property block
    expect(scan(s, raw(0x10, []))).toBe(1); // CONNECT without a protocol name length
    expect(scan(s, raw(0x10, [0]))).toBe(1);
    expect(scan(s, raw(0x10, [0, 4, 0x4d, 0x51, 0x54, 0x54, 5, 0]))).toBe(1); // no keep-alive
    expect(scan(s, raw(0x10, [0, 4, 0x4d, 0x51, 0x54, 0x54, 5, 0, 0]))).toBe(1);
    // the whole fixed part but no property block: read (and refused), not left to the parser
    expect(kindOf(scan(s, raw(0x10, [0, 4, 0x4d, 0x51, 0x54, 0x54, 5, 2, 0, 0])))).toBe("malformed");
  });
});

/** A 5.0 CONNECT with `connectUsers` user properties, and a will with `willUsers` (none: no will). */
function connect5(connectUsers: number, willUsers?: number): Buffer {
  const will =
    willUsers === undefined
      ? {}
      : {
          will: {
            topic: "w",
            payload: Buffer.from("x"),
            qos: 0,
            retain: false,
            properties: { contentType: "text/plain", userProperties: users(willUsers) },
          },
        };
  return generate(
    {
      ...CONNECT5,
      properties: { sessionExpiryInterval: 1, userProperties: users(connectUsers) },
      ...will,
    } as Packet,
    { protocolVersion: 5 },
  );
}

describe("CONNECT", () => {
  // Rule: a 3.1.1 CONNECT has no property block: its client id's length is not read as one.
  it("reads no property block in a 3.1.1 CONNECT", () => {
    // client id length 0x0100: read as a block, its bytes [0x01, 0x00] would be one unknown property 0
    const c = generate(
      {
        ...CONNECT5,
        protocolVersion: 4,
        clientId: "a".repeat(256),
        will: { topic: "w", payload: Buffer.from("x"), qos: 0, retain: false },
      } as Packet,
      { protocolVersion: 4 },
    );
    expect(scan(new PacketScan(), c)).toBe(1);
    expect(
      scan(
        new PacketScan(),
        generate({ ...CONNECT5, protocolVersion: 4, clientId: "a".repeat(256) } as Packet, { protocolVersion: 4 }),
      ),
    ).toBe(1);
  });

  // Rule: the CONNECT's protocol level decides how later packets are read: 5 (or a bridge's 128 + 5) is 5.0, any
  // other level is read as 3.1.1.
  it("reads later packets as 5.0 after a level 5 (or bridge 0x85) CONNECT only", () => {
    const over = publishWith(block([0x01, 1, 0x01, 1])); // a repeated property: refused at 5.0 only
    for (const [level, version] of [
      [5, 5],
      [0x85, 5],
      [4, 4],
      [3, 4],
      [0x84, 4],
    ] as const) {
      const s = new PacketScan();
      // MQTT, level, flags (clean), keep-alive 0, then (5.0) an empty property block and client id "c"
      const props = (level & 0x7f) === 5 ? [0] : [];
      const c = raw(0x10, [0, 4, 0x4d, 0x51, 0x54, 0x54, level, 2, 0, 0, ...props, 0, 1, 0x63]);
      expect(s.scan(c, 2)).toBe(1);
      expect({ level, r: kindOf(scan(s, over)) }).toEqual({ level, r: version === 5 ? "protocol-error" : 1 });
    }
    // a 3.1.1 CONNECT after a 5.0 one switches back
    const s = scanner(5);
    expect(scan(s, generate({ ...CONNECT5, protocolVersion: 4 } as Packet, { protocolVersion: 4 }))).toBe(1);
    expect(scan(s, over)).toBe(1);
  });

  // Rule: a CONNECT's own and its will's user properties count together; the will's only when the will flag is set.
  it(`counts the CONNECT's and its will's user properties together, up to ${MAX_USER_PROPERTIES_PER_PACKET}`, () => {
    const half = MAX_USER_PROPERTIES_PER_PACKET / 2;
    expect(scan(new PacketScan(), connect5(half, half))).toBe(1);
    expect(kindOf(scan(new PacketScan(), connect5(half, half + 1)))).toBe("too-many");
    expect(kindOf(scan(new PacketScan(), connect5(half + 1, half)))).toBe("too-many");
    expect(kindOf(scan(new PacketScan(), connect5(MAX_USER_PROPERTIES_PER_PACKET + 1)))).toBe("too-many");
    expect(scan(new PacketScan(), connect5(MAX_USER_PROPERTIES_PER_PACKET))).toBe(1);
    // the count starts again with the next packet
    const s = new PacketScan();
    expect(scan(s, connect5(half, half))).toBe(1);
    expect(scan(s, publishWith(block(userBytes(half + 1))))).toBe(1);
  });

  // Rule: with the will flag set, the will's property block follows the client id and is read; without it, not.
  it("reads the will's property block after the client id only with the will flag", () => {
    // MQTT, level 5, flags, keep-alive 0, an empty property block, client id "c"
    const head = (flags: number) => [0, 4, 0x4d, 0x51, 0x54, 0x54, 5, flags, 0, 0, 0, 0, 1, 0x63];
    const tail = [0, 1, 0x77, 0, 1, 0x78]; // will topic "w", payload "x"
    expect(scan(new PacketScan(), raw(0x10, [...head(0x06), 0, ...tail]))).toBe(1);
    expect(kindOf(scan(new PacketScan(), raw(0x10, [...head(0x06), 0x7f, ...tail])))).toBe("malformed");
    expect(scan(new PacketScan(), raw(0x10, [...head(0x02), 0x7f, ...tail]))).toBe(1); // no will: not read
    const willUsers = (n: number) => raw(0x10, [...head(0x06), ...block(userBytes(n)), ...tail]);
    expect(scan(new PacketScan(), willUsers(MAX_USER_PROPERTIES_PER_PACKET))).toBe(1);
    expect(kindOf(scan(new PacketScan(), willUsers(MAX_USER_PROPERTIES_PER_PACKET + 1)))).toBe("too-many");
  });

  it("takes a will flag whose client id or will block is missing (the parser refuses it)", () => {
    const head = [0, 4, 0x4d, 0x51, 0x54, 0x54, 5, 0x06, 0, 0, 0]; // level 5, clean + will, keep-alive 0, no properties
    expect(scan(new PacketScan(), raw(0x10, head))).toBe(1); // no client id
    expect(scan(new PacketScan(), raw(0x10, [...head, 0]))).toBe(1); // half a client id length
    expect(scan(new PacketScan(), raw(0x10, [...head, 0, 1, 0x63]))).toBe(1); // no will block
    expect(kindOf(scan(new PacketScan(), raw(0x10, [...head, 0, 1, 0x63, 1])))).toBe("malformed");
    expect(scan(new PacketScan(), raw(0x10, [...head, 0, 1, 0x63, 0]))).toBe(1);
    expect(kindOf(scan(new PacketScan(), raw(0x10, [0, 4, 0x4d, 0x51, 0x54, 0x54, 5, 2, 0, 0, 3])))).toBe("malformed");
  });
});

/** `n` user properties as bytes: each 0x26, an empty name, an empty value. */
function userBytes(n: number): number[] {
  return Array.from({ length: n }, () => [0x26, 0, 0, 0, 0]).flat();
}

describe("SUBSCRIBE and UNSUBSCRIBE", () => {
  // Rule: the items a SUBSCRIBE/UNSUBSCRIBE counts for are its filters (at least 1), at most MAX_FILTERS_PER_PACKET.
  it.each([4, 5] as const)("counts the filters of a level %i SUBSCRIBE and UNSUBSCRIBE", (version) => {
    const s = scanner(version);
    const sub = (n: number) =>
      generate(
        {
          cmd: "subscribe",
          messageId: 1,
          subscriptions: Array.from({ length: n }, (_, i) => ({ topic: `t${i}`, qos: 0 as const })),
        },
        { protocolVersion: version },
      );
    const unsub = (n: number) =>
      generate(
        { cmd: "unsubscribe", messageId: 1, unsubscriptions: Array.from({ length: n }, (_, i) => `t${i}`) },
        { protocolVersion: version },
      );
    for (const of of [sub, unsub]) {
      expect(scan(s, of(1))).toBe(1);
      expect(scan(s, of(3))).toBe(3);
      expect(scan(s, of(MAX_FILTERS_PER_PACKET))).toBe(MAX_FILTERS_PER_PACKET);
      expect(scan(s, of(MAX_FILTERS_PER_PACKET + 1))).toEqual({
        kind: "too-many",
        message: `An MQTT SUBSCRIBE or UNSUBSCRIBE has more than ${MAX_FILTERS_PER_PACKET} topic filters.`,
      });
    }
    // none (a protocol error the parser answers): counted as one item
    const props = version === 5 ? [0] : [];
    expect(scan(s, raw(0x82, [0, 1, ...props]))).toBe(1);
    expect(scan(s, raw(0xa2, [0, 1, ...props]))).toBe(1);
    // a packet id only (at 5.0 without its property block too): left to the parser
    expect(scan(s, raw(0x82, [0, 1]))).toBe(1);
    expect(scan(s, raw(0xa2, [0, 1]))).toBe(1);
    // an empty filter (a protocol error the parser answers) that ends with the packet is counted, not malformed
    expect(scan(s, raw(0xa2, [0, 1, ...props, 0, 0]))).toBe(1);
    expect(scan(s, raw(0xa2, [0, 1, ...props, 0, 1, 0x74, 0, 0]))).toBe(2);
  });

  // Rule: a filter that runs past its packet is malformed; one that ends with it is not.
  it.each([4, 5] as const)("refuses a level %i filter that runs past its packet", (version) => {
    const s = scanner(version);
    const props = version === 5 ? [0] : [];
    const malformed = { kind: "malformed", message: "Malformed MQTT packet: a topic filter runs past its packet." };
    expect(scan(s, raw(0x82, [0, 1, ...props, 0, 1, 0x74, 0]))).toBe(1); // "t", options
    expect(scan(s, raw(0x82, [0, 1, ...props, 0, 1, 0x74]))).toEqual(malformed); // no options byte
    expect(scan(s, raw(0x82, [0, 1, ...props, 0, 1, 0x74, 0, 0]))).toEqual(malformed); // half a length
    expect(scan(s, raw(0x82, [0, 1, ...props, 0, 2, 0x74, 0]))).toEqual(malformed);
    expect(scan(s, raw(0xa2, [0, 1, ...props, 0, 1, 0x74]))).toBe(1); // UNSUBSCRIBE: no options byte
    expect(scan(s, raw(0xa2, [0, 1, ...props, 0, 2, 0x74]))).toEqual(malformed);
    expect(scan(s, raw(0xa2, [0, 1, ...props, 0, 1, 0x74, 0]))).toEqual(malformed);
  });

  // Rule: a 5.0 SUBSCRIBE's property block comes first; its filters are counted after it.
  it("reads a 5.0 SUBSCRIBE's property block before its filters", () => {
    const s = scanner(5);
    // Subscription Identifier 2, then filter "t"
    expect(scan(s, raw(0x82, [0, 1, 2, 0x0b, 2, 0, 1, 0x74, 0]))).toBe(1);
    expect(kindOf(scan(s, raw(0x82, [0, 1, 9, 0x0b, 2, 0, 1, 0x74, 0])))).toBe("malformed");
    expect(
      kindOf(scan(s, raw(0x82, [0, 1, ...block(userBytes(MAX_USER_PROPERTIES_PER_PACKET + 1)), 0, 1, 0x74, 0]))),
    ).toBe("too-many");
    expect(scan(s, raw(0x82, [0, 1, ...block(userBytes(MAX_USER_PROPERTIES_PER_PACKET)), 0, 1, 0x74, 0]))).toBe(1);
    // at 3.1.1 the same bytes are filters
    expect(kindOf(scan(scanner(4), raw(0x82, [0, 1, 2, 0x0b, 2, 0, 1, 0x74, 0])))).toBe("malformed");
  });
});

describe("property blocks", () => {
  const MALFORMED = { kind: "malformed", message: "Malformed MQTT packet: its properties do not fit their length." };

  // Rule: a block's length is a variable byte integer of at most 4 bytes that must fit the packet.
  it("reads the block length as a variable byte integer of 1 - 4 bytes", () => {
    const s = scanner(5);
    expect(scan(s, publishWith([0]))).toBe(1);
    expect(scan(s, publishWith([0x80, 0]))).toBe(1); // 0 in two bytes
    expect(scan(s, publishWith([0x80, 0x80, 0x80, 0]))).toBe(1); // 0 in four bytes
    expect(scan(s, publishWith([0x80, 0x80, 0x80, 0x80, 0]))).toEqual(MALFORMED); // five bytes
    expect(scan(s, publishWith([0x80]))).toEqual(MALFORMED); // runs past the packet
    // 130 = 2 + 1 * 128: a two-byte length, then 26 user properties of 5 bytes
    expect(scan(s, publishWith([0x82, 0x01, ...userBytes(26)]))).toBe(1);
    expect(scan(s, publishWith([0x81, 0x01, ...userBytes(26)]))).toEqual(MALFORMED);
    expect(scan(s, publishWith([2, 0x01, 1]))).toBe(1); // a block that ends with the packet
    expect(scan(s, publishWith([3, 0x01, 1]))).toEqual(MALFORMED); // a block longer than the packet
    expect(scan(s, publishWith([2, 0x01, 1, 7]))).toBe(1); // the payload after the block is not read
  });

  // Rule: a property is a known id and a value of its size, inside the block.
  it("reads each property's value by its size and refuses one past the block", () => {
    const s = scanner(5);
    const cases: [number[], string | number][] = [
      [[0x02, 0, 0, 0, 1], 1], // Message Expiry Interval: 4 bytes
      [[0x02, 0, 0, 1], "malformed"],
      [[0x23, 0, 1], 1], // Topic Alias: 2 bytes
      [[0x23, 0], "malformed"],
      [[0x01, 1], 1], // Payload Format Indicator: 1 byte
      [[0x01], "malformed"],
      [[0x03, 0, 2, 0x61, 0x62], 1], // Content Type: a string
      [[0x03, 0, 3, 0x61, 0x62], "malformed"],
      [[0x03, 0], "malformed"], // half a string length
      [[0x03], "malformed"],
      [[0x09, 0, 0], 1], // Correlation Data: binary
      [[0x26, 0, 1, 0x61, 0, 1, 0x62], 1], // User Property: two strings
      [[0x26, 0, 1, 0x61, 0, 2, 0x62], "malformed"],
      [[0x26, 0, 1, 0x61, 0], "malformed"],
      [[0x26, 0, 1, 0x61], "malformed"],
      [[0x0b, 1], 1], // Subscription Identifier: a variable byte integer
      [[0x0b, 0xff, 0xff, 0xff, 0x7f], 1], // of 4 bytes
      [[0x0b, 0xff, 0xff, 0xff, 0xff, 0x7f], "malformed"], // of 5
      [[0x0b, 0xff], "malformed"], // unfinished within the block
      [[0x0b], "malformed"],
      [[0x07], "malformed"], // no property 0x07
      [[0x00], "malformed"],
      [[0x2b], "malformed"], // past the last id
      [[0x2a, 1], 1], // the last id
    ];
    for (const [props, want] of cases) {
      // each block followed by bytes that would complete it, were the block's end not respected
      const r = scan(s, publishWith([...block(props), 0, 0, 0, 0, 0, 0]));
      expect({ props, r: kindOf(r) }).toEqual({ props, r: want });
    }
    expect(scan(s, publishWith(block([0x07])))).toEqual({
      kind: "malformed",
      message: "Malformed MQTT packet: unknown property.",
    });
  });

  // Rule: every property of MQTT 5.0 (2.2.2.2) is known, with its value's size: a value one byte short is malformed.
  it("knows each property id and its value's size", () => {
    const s = scanner(5);
    const STRING = [0, 1, 0x61];
    const sizes: [number, number[]][] = [
      [0x01, [1]],
      [0x02, [0, 0, 0, 1]],
      [0x03, STRING],
      [0x08, STRING],
      [0x09, STRING],
      [0x0b, [1]],
      [0x11, [0, 0, 0, 1]],
      [0x12, STRING],
      [0x13, [0, 1]],
      [0x15, STRING],
      [0x16, STRING],
      [0x17, [1]],
      [0x18, [0, 0, 0, 1]],
      [0x19, [1]],
      [0x1a, STRING],
      [0x1c, STRING],
      [0x1f, STRING],
      [0x21, [0, 1]],
      [0x22, [0, 1]],
      [0x23, [0, 1]],
      [0x24, [1]],
      [0x25, [1]],
      [0x26, [...STRING, ...STRING]],
      [0x27, [0, 0, 0, 1]],
      [0x28, [1]],
      [0x29, [1]],
      [0x2a, [1]],
    ];
    for (const [id, value] of sizes) {
      expect({ id, r: scan(s, publishWith(block([id, ...value]))) }).toEqual({ id, r: 1 });
      const short = block([id, ...value.slice(0, -1)]);
      expect({ id, r: kindOf(scan(s, publishWith([...short, 0, 0, 0, 0]))) }).toEqual({ id, r: "malformed" });
    }
    // and no other id
    const known = new Set(sizes.map(([id]) => id));
    for (let id = 0; id < 256; id++) {
      if (!known.has(id))
        expect({ id, r: kindOf(scan(s, publishWith(block([id, 0, 0, 0, 0])))) }).toEqual({ id, r: "malformed" });
    }
  });

  // Rule: a property other than a user property appears at most once (ids 0 - 31 and 32 - 63 tracked apart).
  it("refuses a repeated property, not two properties of the same bit in different ranges", () => {
    const s = scanner(5);
    const repeated = {
      kind: "protocol-error",
      message: "MQTT protocol error: a property other than a user property appears twice.",
    };
    expect(scan(s, publishWith(block([0x01, 1, 0x01, 1])))).toEqual(repeated);
    expect(scan(s, publishWith(block([0x23, 0, 1, 0x23, 0, 1])))).toEqual(repeated); // Topic Alias (35) twice
    expect(scan(s, publishWith(block([0x02, 0, 0, 0, 1, 0x03, 0, 0, 0x02, 0, 0, 0, 1])))).toEqual(repeated);
    // 0x03 (3) and 0x23 (35) share bit 3; 0x01 and 0x21 share bit 1: all four once is fine
    expect(scan(s, publishWith(block([0x03, 0, 0, 0x23, 0, 1, 0x01, 1, 0x21, 0, 1])))).toBe(1);
    expect(scan(s, publishWith(block([0x23, 0, 1, 0x03, 0, 0])))).toBe(1);
    expect(scan(s, publishWith(block([0x01, 1, 0x02, 0, 0, 0, 1])))).toBe(1);
    expect(scan(s, publishWith(block([0x22, 0, 1, 0x23, 0, 1])))).toBe(1);
    expect(scan(s, publishWith(block([...userBytes(3)])))).toBe(1); // user properties repeat
    // each block is its own: Content Type in a CONNECT's will block after a CONNECT block that has one too
    const c = raw(
      0x10,
      [0, 4, 0x4d, 0x51, 0x54, 0x54, 5, 6, 0, 0, 3, 0x03, 0, 0, 0, 1, 0x63, 3, 0x03, 0, 0, 0, 0, 0, 0],
    );
    expect(scan(new PacketScan(), c)).toBe(1);
  });
});

describe("strings and the will QoS", () => {
  // Rule: a topic name, topic filter, client id or will topic that is not well-formed UTF-8 or holds U+0000, and a will
  // QoS of 3, make the packet malformed, with a reason naming the problem; a string that runs past its packet is left
  // to the parser (the scan answers 1), whatever its bytes. test/mqtt-malformed-packets checks them over the wire.
  const BAD_TEXT = {
    kind: "malformed",
    message: "Malformed MQTT packet: a topic or client id is not well-formed UTF-8 or holds U+0000.",
  };

  it.each([4, 5] as const)(
    "refuses at level %i a PUBLISH topic with a lone continuation byte, naming it",
    (version) => {
      const s = scanner(version);
      const props = version === 5 ? [0] : [];
      expect(scan(s, raw(0x30, [0, 2, 0x74, 0x80, ...props]))).toEqual(BAD_TEXT);
      expect(scan(s, raw(0x30, [0, 2, 0x74, 0x75, ...props]))).toBe(1);
    },
  );

  it("leaves a topic that runs past its packet to the parser, even when its bytes there are not UTF-8", () => {
    const s = scanner(4);
    expect(scan(s, raw(0x30, [0, 3, 0x74, 0x80]))).toBe(1);
    expect(scan(s, raw(0x30, [0, 2, 0x74, 0x80]))).toEqual(BAD_TEXT);
  });

  it("refuses a will QoS of 3, naming it; QoS 2 is taken", () => {
    // MQTT, level 4, flags (clean, will, will QoS), keep-alive 0, client id "c", will topic "w", payload "x"
    const connect = (qosBits: number) =>
      raw(0x10, [0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x06 | qosBits, 0, 0, 0, 1, 0x63, 0, 1, 0x77, 0, 1, 0x78]);
    expect(scan(new PacketScan(), connect(0x10))).toBe(1);
    expect(scan(new PacketScan(), connect(0x18))).toEqual({
      kind: "malformed",
      message: "Malformed MQTT packet: a will QoS of 3.",
    });
  });
});
