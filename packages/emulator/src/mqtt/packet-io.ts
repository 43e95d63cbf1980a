// One network connection of an MQTT client: WebSocket frames in, MQTT packets out of mqtt-packet's parser (a packet
// may span frames, a frame may hold many), and packets written back as binary frames. Only mqtt-packet's public API:
// the parser's `packet` / `error` events (a packet's `length` is its remaining length) and `parse()`, `generate()`
// with the protocol version.
// The parser takes the protocol version of the CONNECT it parses for the packets after it (mqtt-packet documents its
// options as "usually a connect packet"); test/mqtt-units pins that. Bounded: a packet over MAX_PACKET_BYTES (fixed
// header included), an unfinished one already holding more, or a frame of more than MAX_ITEMS_PER_FRAME items
// (packets, counting each topic filter of a SUBSCRIBE or UNSUBSCRIBE) ends the connection, and parsing stops there
// instead of running to the end of the frame: parse() has no way to stop, so the `packet` listener throws STOP out of
// it (the parser is not used again); test/mqtt-link-flood pins both bounds. Nothing the client sends after the service
// began closing the socket is handled (or queued), in the same frame or a later one.
import type { WebSocket } from "ws";
import type { MqttVersion } from "./codes.ts";
import { generate, type Packet, type Parser, parser } from "./deps.ts";
import { MAX_PACKET_BYTES } from "./limits.ts";

/**
 * Items handled from one WebSocket frame, an item being a packet or a topic filter of a SUBSCRIBE/UNSUBSCRIBE (each is
 * acted on and answered); more is flooding. It bounds the work one frame makes: 10,000 self-delivered QoS 1 PUBLISHes
 * took ~0.23 s of CPU, a SUBSCRIBE of 200,000 filters ~0.15 s.
 */
export const MAX_ITEMS_PER_FRAME = 1000;
/** Thrown out of parse() by the `packet` listener: the rest of the frame is not parsed. */
const STOP = Symbol("stop parsing");

export type LinkProblem = "too-large" | "malformed" | "flood";

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
  readonly #events: LinkEvents;
  #inFrame = 0;
  /** bytes received of the packet not complete yet, fixed header included */
  #pending = 0;
  #failed = false;

  constructor(id: string, ws: WebSocket, events: LinkEvents) {
    this.id = id;
    this.ws = ws;
    this.#events = events;
    this.#parser = parser({ protocolVersion: 4 });
    this.#parser.on("packet", (p: Packet) => {
      if (this.#failed || !this.#open) throw STOP;
      const size = packetSize(p.length ?? 0);
      this.#pending -= size;
      if (size > MAX_PACKET_BYTES) {
        this.#fail("too-large", tooLarge(size, ""));
        throw STOP;
      }
      this.#inFrame += itemsOf(p);
      if (this.#inFrame > MAX_ITEMS_PER_FRAME) {
        this.#fail("flood", `More than ${MAX_ITEMS_PER_FRAME} MQTT packets and topic filters in one WebSocket frame.`);
        throw STOP;
      }
      this.#events.packet(p);
    });
    this.#parser.on("error", (e: Error) => this.#fail("malformed", `Malformed MQTT packet: ${e.message}`));
  }

  get version(): MqttVersion | undefined {
    return this.#version;
  }

  /** The protocol version of the CONNECT: later packets are written in it (the parser took it from the CONNECT). */
  setVersion(v: MqttVersion): void {
    this.#version = v;
  }

  /** One WebSocket frame from the client. */
  feed(data: Buffer): void {
    if (this.#failed || !this.#open) return;
    this.#inFrame = 0;
    this.#pending += data.length;
    try {
      this.#parser.parse(data);
    } catch (e) {
      if (e !== STOP) throw e;
      return;
    }
    if (this.#pending > MAX_PACKET_BYTES) this.#fail("too-large", tooLarge(this.#pending, "at least "));
  }

  /**
   * Whether the socket is open. Once the service began closing it (a refusal, a protocol problem), ws still delivers
   * the client's frames until the client answers the close frame, for up to 30 s: nothing of them is handled.
   */
  get #open(): boolean {
    return this.ws.readyState === 1;
  }

  write(packet: Packet): void {
    if (!this.#open) return;
    this.ws.send(generate(packet, { protocolVersion: this.#version ?? 4 }), { binary: true });
  }

  #fail(kind: LinkProblem, message: string): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#events.problem(kind, message);
  }
}

/** The items a packet counts for in a frame's bound: one, or its topic filters. */
function itemsOf(p: Packet): number {
  if (p.cmd === "subscribe") return Math.max(1, p.subscriptions.length);
  if (p.cmd === "unsubscribe") return Math.max(1, p.unsubscriptions.length);
  return 1;
}

/** The whole size of a packet of `remaining` bytes after its fixed header (1 byte + 1 to 4 bytes of length). */
export function packetSize(remaining: number): number {
  const lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
  return 1 + lengthBytes + remaining;
}

function tooLarge(size: number, atLeast: string): string {
  return `An MQTT packet of ${atLeast}${size} bytes is over the limit of ${MAX_PACKET_BYTES} bytes.`;
}
