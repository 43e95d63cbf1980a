// One network connection of an MQTT client: WebSocket frames in, MQTT packets out of mqtt-packet's parser (a packet
// may span frames, a frame may hold many), and packets written back as binary frames. Only mqtt-packet's public API:
// `parse()`, the parser's `packet` / `error` events, `generate()` with the protocol version.
// The link cuts the byte stream into packets itself (fixed header, remaining length) and hands the parser one whole
// packet at a time, after a linear pre-scan of its bytes (packet-scan.ts): mqtt-packet cannot be told to stop within a
// packet, so a packet over a count bound is refused before anything of it is parsed (decision 0006). The parser takes
// the protocol version of the CONNECT it parses for the packets after it (mqtt-packet documents its options as
// "usually a connect packet"), as the scan does; test/mqtt-units pins that. Bounded: a packet whose header announces
// more than MAX_PACKET_BYTES (fixed header included) is refused at once, one with more than MAX_FILTERS_PER_PACKET
// topic filters or MAX_USER_PROPERTIES_PER_PACKET user properties once it is complete, and a frame of more than
// MAX_ITEMS_PER_FRAME items (packets, counting each topic filter of a SUBSCRIBE or UNSUBSCRIBE) at the packet that
// passes the bound: the connection ends and nothing after is parsed (test/mqtt-link-flood, test/mqtt-packet-scan).
// Nothing the client sends after the service began closing the socket is handled (or queued), in the same frame or a
// later one. Packets written back pass the send-buffer bound of every client write (send-buffer.ts): one that finds
// the socket over it is not written and the link fails as a slow consumer (test/mqtt-slow-reader).
import type { WebSocket } from "ws";
import { overBuffered, SLOW_CONSUMER } from "../send-buffer.ts";
import { isClosedByService } from "../ws/close-socket.ts";
import type { MqttVersion } from "./codes.ts";
import { generate, type Packet, type Parser, parser } from "./deps.ts";
import { MAX_PACKET_BYTES } from "./limits.ts";
import { PacketScan } from "./packet-scan.ts";

/**
 * Items handled from one WebSocket frame, an item being a packet or a topic filter of a SUBSCRIBE/UNSUBSCRIBE (each is
 * acted on and answered); more is flooding. It bounds the work one frame makes: 10,000 self-delivered QoS 1 PUBLISHes
 * took ~0.23 s of CPU, a SUBSCRIBE of 200,000 filters ~0.15 s.
 */
export const MAX_ITEMS_PER_FRAME = 1000;

export type LinkProblem = "too-large" | "too-many" | "malformed" | "protocol-error" | "flood" | "slow";

export interface LinkEvents {
  packet(p: Packet): void;
  problem(kind: LinkProblem, message: string): void;
}

export class MqttLink {
  /** the physical connection id (ce-physicalConnectionId) */
  readonly id: string;
  readonly ws: WebSocket;
  #version: MqttVersion | undefined;
  readonly #parser: Parser;
  readonly #scan = new PacketScan();
  readonly #events: LinkEvents;
  /** bytes the socket may have queued before the client counts as a slow consumer */
  readonly #maxBufferedBytes: number;
  #inFrame = 0;
  /**
   * the bytes received of the packet not complete yet, in its first #tailBytes (a copy: one buffer however many frames
   * brought them, grown by doubling up to the packet's size)
   */
  #tail = EMPTY;
  #tailBytes = 0;
  /** that packet's whole size (fixed header included), 0 while its fixed header is not complete */
  #tailSize = 0;
  #failed = false;

  constructor(id: string, ws: WebSocket, events: LinkEvents, maxBufferedBytes: number) {
    this.id = id;
    this.ws = ws;
    this.#events = events;
    this.#maxBufferedBytes = maxBufferedBytes;
    this.#parser = parser({ protocolVersion: 4 });
    // one whole packet per parse() (#handle), which runs only while the link is not stopped
    this.#parser.on("packet", (p: Packet) => this.#events.packet(p));
    this.#parser.on("error", (e: Error) => this.#fail("malformed", `Malformed MQTT packet: ${e.message}`));
  }

  /** The protocol version of the CONNECT: later packets are written in it (the parser took it from the CONNECT). */
  setVersion(v: MqttVersion): void {
    this.#version = v;
  }

  /** One WebSocket frame from the client. */
  feed(data: Buffer): void {
    if (this.stopped) return;
    this.#inFrame = 0;
    let frame = data;
    if (this.#tailBytes > 0) {
      if (this.#tailSize === 0) {
        // fewer than 5 bytes waited: the fixed header was cut
        frame = Buffer.concat([this.#tail.subarray(0, this.#tailBytes), data]);
      } else {
        const missing = this.#tailSize - this.#tailBytes;
        if (data.length < missing) {
          this.#append(data);
          return;
        }
        this.#append(data.subarray(0, missing));
        const packet = this.#tail;
        const remaining = remainingLength(packet, 0);
        this.#handle(packet, packet.length - remaining);
        frame = data.subarray(missing);
      }
      this.#clearTail();
    }
    let pos = 0;
    while (pos < frame.length && !this.stopped) {
      const remaining = remainingLength(frame, pos);
      if (remaining === MALFORMED) {
        this.#fail("malformed", "Malformed MQTT packet: invalid remaining length.");
        return;
      }
      const size = remaining === INCOMPLETE ? 0 : 1 + lengthBytes(frame, pos) + remaining;
      if (size > MAX_PACKET_BYTES) {
        this.#fail("too-large", `An MQTT packet of ${size} bytes is over the limit of ${MAX_PACKET_BYTES} bytes.`);
        return;
      }
      if (size === 0 || pos + size > frame.length) {
        this.#tail = Buffer.from(frame.subarray(pos));
        this.#tailBytes = this.#tail.length;
        this.#tailSize = size;
        return;
      }
      this.#handle(frame.subarray(pos, pos + size), size - remaining);
      pos += size;
    }
  }

  /**
   * One whole packet (its variable header at `body`): scanned, counted in its frame, then parsed and handed on. Called
   * only while the link is not stopped (feed checks before each packet).
   */
  #handle(packet: Buffer, body: number): void {
    const items = this.#scan.scan(packet, body);
    if (typeof items !== "number") {
      this.#fail(items.kind, items.message);
      return;
    }
    this.#inFrame += items;
    if (this.#inFrame > MAX_ITEMS_PER_FRAME) {
      this.#fail("flood", `More than ${MAX_ITEMS_PER_FRAME} MQTT packets and topic filters in one WebSocket frame.`);
      return;
    }
    this.#parser.parse(packet);
  }

  /** Adds `bytes` to the unfinished packet (whose size is known), within its size. */
  #append(bytes: Buffer): void {
    const need = this.#tailBytes + bytes.length;
    if (need > this.#tail.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.#tailSize, Math.max(need, 2 * this.#tail.length)));
      this.#tail.copy(grown, 0, 0, this.#tailBytes);
      this.#tail = grown;
    }
    bytes.copy(this.#tail, this.#tailBytes);
    this.#tailBytes = need;
  }

  #clearTail(): void {
    this.#tail = EMPTY;
    this.#tailBytes = 0;
    this.#tailSize = 0;
  }

  /** Nothing more is handled: the link failed, or the service began closing the socket. */
  get stopped(): boolean {
    return this.#failed || !this.#open;
  }

  /**
   * Whether the socket is open, or was closed by its client. Once the service began closing it (a refusal, a protocol
   * problem), ws still delivers the client's frames until the client answers the close frame, for up to 30 s: nothing
   * of them is handled. A client's own close comes after its frames, some of which may still wait for the turn's frame
   * budget (inbound-queue.ts): those are handled.
   */
  get #open(): boolean {
    return this.ws.readyState === 1 || !isClosedByService(this.ws);
  }

  /** Writes `packet` to the client; a socket over the send-buffer bound gets nothing more and the link fails ("slow"). */
  write(packet: Packet): void {
    if (!this.#open) return;
    if (overBuffered(this.ws, this.#maxBufferedBytes)) {
      this.#fail("slow", SLOW_CONSUMER);
      return;
    }
    this.ws.send(generate(packet, { protocolVersion: this.#version ?? 4 }), { binary: true });
  }

  #fail(kind: LinkProblem, message: string): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#clearTail();
    this.#events.problem(kind, message);
  }
}

const EMPTY = Buffer.alloc(0);
const INCOMPLETE = -1;
const MALFORMED = -2;

/** The remaining length in the fixed header at `pos` (1 to 4 bytes after the type byte), INCOMPLETE or MALFORMED. */
function remainingLength(buf: Buffer, pos: number): number {
  let value = 0;
  let multiplier = 1;
  for (let i = 1; i <= 4; i++) {
    if (pos + i >= buf.length) return INCOMPLETE;
    const byte = buf.readUInt8(pos + i);
    value += (byte & 0x7f) * multiplier;
    if (byte < 128) return value;
    multiplier *= 128;
  }
  return MALFORMED;
}

/** How many bytes the remaining length at `pos` takes (complete and valid). */
function lengthBytes(buf: Buffer, pos: number): number {
  let n = 1;
  while (buf.readUInt8(pos + n) >= 128) n++;
  return n;
}

/** The whole size of a packet of `remaining` bytes after its fixed header (1 byte + 1 to 4 bytes of length). */
export function packetSize(remaining: number): number {
  const lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
  return 1 + lengthBytes + remaining;
}
