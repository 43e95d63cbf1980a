// A linear pre-scan of one whole MQTT packet's bytes before mqtt-packet parses it: it counts the topic filters of a
// SUBSCRIBE/UNSUBSCRIBE and the user properties of an MQTT 5.0 packet (both property blocks of a CONNECT), and refuses
// a packet over MAX_FILTERS_PER_PACKET or MAX_USER_PROPERTIES_PER_PACKET before any object is built for it. mqtt-packet
// builds the whole packet in one call and cannot be told to stop early (decision 0006). The scan walks 2-byte length
// prefixes and the property ids with their sizes (MQTT 5.0 2.2.2.2), allocating nothing per item. Properties must fit
// their block and their packet (else malformed), and a property other than a user property may appear once (MQTT 5.0
// 2.2.2.2; else a protocol error, e.g. 3.8.2.1.2): the parser would otherwise read past them (and build an array of
// each repeated one). Two more rules mqtt-packet does not check are refused here as malformed: a will QoS of 3 (3.1.1
// [MQTT-3.1.2-14], 5.0 3.1.2.6), and a topic name, topic filter, client id or will topic that is not well-formed UTF-8
// or holds U+0000 (3.1.1 [MQTT-1.5.3-1], [MQTT-1.5.3-2]; 5.0 [MQTT-1.5.4-1], [MQTT-1.5.4-2]), which mqtt-packet would
// decode with U+FFFD in place of the bad bytes (two topics, one group). Anything else that is malformed is left to the
// parser, which refuses it before it builds anything large.
import { isUtf8 } from "node:buffer";
import { MAX_FILTERS_PER_PACKET, MAX_USER_PROPERTIES_PER_PACKET } from "./limits.ts";

export interface ScanRefusal {
  kind: "too-many" | "malformed" | "protocol-error";
  message: string;
}

const FIXED = 0; // sizes below 0 name a shape
const STRING = -1; // 2-byte length, then that many bytes (UTF-8 string or binary data)
const VARINT = -2;
const PAIR = -3;
const USER_PROPERTY = 0x26;

/** The size of each MQTT 5.0 property's value by id (MQTT 5.0 2.2.2.2); undefined for an unknown id. */
const PROPERTY_SIZES: ReadonlyMap<number, number> = new Map([
  [0x01, 1], // Payload Format Indicator
  [0x02, 4], // Message Expiry Interval
  [0x03, STRING], // Content Type
  [0x08, STRING], // Response Topic
  [0x09, STRING], // Correlation Data
  [0x0b, VARINT], // Subscription Identifier
  [0x11, 4], // Session Expiry Interval
  [0x12, STRING], // Assigned Client Identifier
  [0x13, 2], // Server Keep Alive
  [0x15, STRING], // Authentication Method
  [0x16, STRING], // Authentication Data
  [0x17, 1], // Request Problem Information
  [0x18, 4], // Will Delay Interval
  [0x19, 1], // Request Response Information
  [0x1a, STRING], // Response Information
  [0x1c, STRING], // Server Reference
  [0x1f, STRING], // Reason String
  [0x21, 2], // Receive Maximum
  [0x22, 2], // Topic Alias Maximum
  [0x23, 2], // Topic Alias
  [0x24, 1], // Maximum QoS
  [0x25, 1], // Retain Available
  [USER_PROPERTY, PAIR], // User Property
  [0x27, 4], // Maximum Packet Size
  [0x28, 1], // Wildcard Subscription Available
  [0x29, 1], // Subscription Identifier Available
  [0x2a, 1], // Shared Subscription Available
]);

const MALFORMED_PROPERTIES: ScanRefusal = {
  kind: "malformed",
  message: "Malformed MQTT packet: its properties do not fit their length.",
};
const UNKNOWN_PROPERTY: ScanRefusal = { kind: "malformed", message: "Malformed MQTT packet: unknown property." };
const REPEATED_PROPERTY: ScanRefusal = {
  kind: "protocol-error",
  message: "MQTT protocol error: a property other than a user property appears twice.",
};
const MALFORMED_FILTERS: ScanRefusal = {
  kind: "malformed",
  message: "Malformed MQTT packet: a topic filter runs past its packet.",
};
const TOO_MANY_FILTERS: ScanRefusal = {
  kind: "too-many",
  message: `An MQTT SUBSCRIBE or UNSUBSCRIBE has more than ${MAX_FILTERS_PER_PACKET} topic filters.`,
};
const BAD_TEXT: ScanRefusal = {
  kind: "malformed",
  message: "Malformed MQTT packet: a topic or client id is not well-formed UTF-8 or holds U+0000.",
};
const WILL_QOS_3: ScanRefusal = { kind: "malformed", message: "Malformed MQTT packet: a will QoS of 3." };
const TOO_MANY_USER_PROPERTIES: ScanRefusal = {
  kind: "too-many",
  message: `An MQTT packet has more than ${MAX_USER_PROPERTIES_PER_PACKET} user properties.`,
};

/**
 * Scans the packets of one network connection in order. Like mqtt-packet's parser, it reads the packets after a
 * CONNECT in that CONNECT's protocol version (properties exist in 5.0 only).
 */
export class PacketScan {
  #version = 4;
  /** user properties seen in the packet being scanned */
  #users = 0;
  /** the end of the property block `#properties` walked last, or a refusal */
  #pos = 0;

  /**
   * Scans `packet` (one whole packet, fixed header included; its variable header starts at `body`): the items it counts
   * for in a frame's bound (1, or its topic filters), or why it is refused.
   */
  scan(packet: Buffer, body: number): number | ScanRefusal {
    const type = packet.readUInt8(0) >> 4;
    const end = packet.length;
    this.#users = 0;
    if (type === 1) return this.#connect(packet, body, end);
    if (type === 8 || type === 10) return this.#filters(packet, body, end, type === 8 ? 1 : 0);
    if (type === 3 && body + 2 <= end && !isText(packet, body, end)) return BAD_TEXT; // PUBLISH: its topic first
    if (this.#version !== 5) return 1;
    // where the property block starts; at or past the end: none (a short form, or a type without properties)
    let at = end;
    if (type === 3) {
      // PUBLISH: topic, packet id (QoS 1 and 2), properties
      if (body + 2 > end) return 1;
      at = body + 2 + packet.readUInt16BE(body) + (packet.readUInt8(0) & 0x06 ? 2 : 0);
    } else if (type >= 4 && type <= 7) {
      at = body + 3; // PUBACK .. PUBCOMP: packet id, reason code, properties
    } else if (type === 14 || type === 15) {
      at = body + 1; // DISCONNECT, AUTH: reason code, properties
    } else if (type === 2 || type === 9 || type === 11) {
      // CONNACK: flags, reason code; SUBACK, UNSUBACK: packet id; then properties (none is ever from a client)
      at = body + 2;
    }
    if (at >= end) return 1;
    const problem = this.#properties(packet, at, end);
    return problem ?? 1;
  }

  #connect(packet: Buffer, body: number, end: number): number | ScanRefusal {
    if (body + 2 > end) return 1;
    let pos = body + 2 + packet.readUInt16BE(body); // protocol name
    if (pos + 4 > end) return 1; // the parser refuses it as too short
    const level = packet.readUInt8(pos) & 0x7f; // 128 + level: a bridge
    const flags = packet.readUInt8(pos + 1);
    this.#version = level === 5 ? 5 : 4;
    if ((flags & 0x18) === 0x18) return WILL_QOS_3;
    pos += 4; // level, flags, keep alive
    if (level === 5) {
      const problem = this.#properties(packet, pos, end);
      if (problem !== undefined) return problem;
      pos = this.#pos;
    }
    if (pos + 2 > end) return 1;
    if (!isText(packet, pos, end)) return BAD_TEXT; // client identifier
    if ((flags & 0x04) === 0) return 1; // no will
    pos += 2 + packet.readUInt16BE(pos);
    if (level === 5) {
      if (pos >= end) return 1;
      const problem = this.#properties(packet, pos, end); // will properties
      if (problem !== undefined) return problem;
      pos = this.#pos;
    }
    return pos + 2 > end || isText(packet, pos, end) ? 1 : BAD_TEXT; // will topic
  }

  /** A SUBSCRIBE (an options byte after each filter) or UNSUBSCRIBE: its topic filters, at most the limit. */
  #filters(packet: Buffer, body: number, end: number, optionBytes: number): number | ScanRefusal {
    let pos = body + 2; // packet id
    if (this.#version === 5) {
      if (pos >= end) return 1;
      const problem = this.#properties(packet, pos, end);
      if (problem !== undefined) return problem;
      pos = this.#pos;
    }
    let count = 0;
    while (pos < end) {
      if (pos + 2 > end) return MALFORMED_FILTERS;
      const at = pos;
      pos += 2 + packet.readUInt16BE(pos) + optionBytes;
      if (pos > end) return MALFORMED_FILTERS;
      if (++count > MAX_FILTERS_PER_PACKET) return TOO_MANY_FILTERS;
      if (!isText(packet, at, end)) return BAD_TEXT;
    }
    return Math.max(1, count);
  }

  /** Walks the property block at `pos`; its end goes to `#pos`. User properties add to `#users`. */
  #properties(packet: Buffer, start: number, end: number): ScanRefusal | undefined {
    let pos = start;
    let length = 0;
    let multiplier = 1;
    for (let i = 0; ; i++) {
      if (i === 4 || pos >= end) return MALFORMED_PROPERTIES;
      const byte = packet.readUInt8(pos++);
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if (byte < 128) break;
    }
    const blockEnd = pos + length;
    if (blockEnd > end) return MALFORMED_PROPERTIES;
    let seenLow = 0; // ids 0-31 seen, one bit each
    let seenHigh = 0; // ids 32-63
    while (pos < blockEnd) {
      const id = packet.readUInt8(pos++);
      const size = PROPERTY_SIZES.get(id);
      if (size === undefined) return UNKNOWN_PROPERTY;
      if (id === USER_PROPERTY) {
        if (++this.#users > MAX_USER_PROPERTIES_PER_PACKET) return TOO_MANY_USER_PROPERTIES;
      } else {
        const bit = 1 << (id & 31);
        const seen = id < 32 ? seenLow : seenHigh;
        if ((seen & bit) !== 0) return REPEATED_PROPERTY;
        if (id < 32) seenLow |= bit;
        else seenHigh |= bit;
      }
      if (size > FIXED) {
        pos += size;
      } else if (size === VARINT) {
        for (let i = 0; ; ) {
          if (pos >= blockEnd) return MALFORMED_PROPERTIES;
          if (packet.readUInt8(pos++) < 128) break;
          if (++i === 4) return MALFORMED_PROPERTIES;
        }
      } else {
        for (let strings = size === PAIR ? 2 : 1; strings > 0; strings--) {
          if (pos + 2 > blockEnd) return MALFORMED_PROPERTIES;
          pos += 2 + packet.readUInt16BE(pos);
        }
      }
      if (pos > blockEnd) return MALFORMED_PROPERTIES;
    }
    this.#pos = pos;
    return undefined;
  }
}

/**
 * Whether the UTF-8 string at `pos` (2-byte length, then its bytes) is well-formed UTF-8 without U+0000, as MQTT
 * requires of every string; one running past `end` is left to the parser.
 */
function isText(packet: Buffer, pos: number, end: number): boolean {
  const stop = pos + 2 + packet.readUInt16BE(pos);
  if (stop > end) return true;
  const bytes = packet.subarray(pos + 2, stop);
  return isUtf8(bytes) && !bytes.includes(0);
}
