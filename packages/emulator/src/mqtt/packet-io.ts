// One network connection of an MQTT client: WebSocket frames in, MQTT packets out of mqtt-packet's parser (a packet
// may span frames, a frame may hold many), and packets written back as binary frames. Bounded: a packet over
// MAX_PACKET_BYTES or a frame of more than MAX_PACKETS_PER_FRAME packets ends the connection.
import type { WebSocket } from "ws";
import type { MqttVersion } from "./codes.ts";
import { generate, type Packet, type Parser, parser } from "./deps.ts";
import { MAX_PACKET_BYTES } from "./limits.ts";

/** Packets handled from one WebSocket frame; more is flooding. */
export const MAX_PACKETS_PER_FRAME = 10_000;

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
  #failed = false;

  constructor(id: string, ws: WebSocket, events: LinkEvents) {
    this.id = id;
    this.ws = ws;
    this.#events = events;
    this.#parser = parser({ protocolVersion: 4 });
    this.#parser.on("packet", (p: Packet) => {
      if (this.#failed) return;
      if (++this.#inFrame > MAX_PACKETS_PER_FRAME) {
        this.#fail("flood", `More than ${MAX_PACKETS_PER_FRAME} MQTT packets in one WebSocket frame.`);
        return;
      }
      this.#events.packet(p);
    });
    this.#parser.on("error", (e: Error) => this.#fail("malformed", `Malformed MQTT packet: ${e.message}`));
  }

  get version(): MqttVersion | undefined {
    return this.#version;
  }

  /** The protocol version of the CONNECT: later packets are parsed and written in it. */
  setVersion(v: MqttVersion): void {
    this.#version = v;
    (this.#parser as unknown as { settings: { protocolVersion: number } }).settings.protocolVersion = v;
  }

  /** One WebSocket frame from the client. */
  feed(data: Buffer): void {
    if (this.#failed) return;
    this.#inFrame = 0;
    this.#parser.parse(data);
    // the remaining length of a packet still incomplete (-1 when none is)
    const pending = (this.#parser as unknown as { packet: { length: number } }).packet.length;
    if (pending > MAX_PACKET_BYTES) {
      this.#fail("too-large", `An MQTT packet of ${pending} bytes is over the limit of ${MAX_PACKET_BYTES} bytes.`);
    }
  }

  write(packet: Packet): void {
    if (this.ws.readyState !== 1) return;
    this.ws.send(generate(packet, { protocolVersion: this.#version ?? 4 }), { binary: true });
  }

  #fail(kind: LinkProblem, message: string): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#events.problem(kind, message);
  }
}
