// A client protocol as the emulator speaks it: the sending half (wire-format.ts) plus how frames from the client are
// decoded and acted on. One object per protocol, listed in index.ts; a new protocol (MQTT, ...) is one file plus an
// entry there. Decoding keeps what is wrong with a frame apart from what the frame asks for: `decode` only parses and
// throws FrameRejected, `handle` acts (join a group, raise an event, ...).
import type { JsonDownstreamMessage } from "@webpubsub/core";
import type { Connection } from "../connection.ts";
import type { Service } from "../service.ts";
import type { WireFormat } from "./wire-format.ts";

export interface ClientProtocol<M = unknown> extends WireFormat {
  /** One frame from the client as a message; throws FrameRejected when the frame cannot be one. */
  decode(data: Buffer, isBinary: boolean): M;
  /**
   * Acts on a decoded message of `conn`. A returned promise (an upstream call in flight) holds the connection's later
   * frames until it settles, so a connection's messages are handled in order.
   */
  handle(message: M, conn: Connection, service: Service): Promise<void> | undefined;
}

/**
 * A frame the protocol cannot take: answered with an ack `BadRequest` when it carried a valid `ackId`, or with
 * `answer` (an invokeResponse or streamClosed for the frame's id) when there is one (the connection stays open);
 * otherwise the connection is closed with `closeCode` and the message as reason.
 */
export class FrameRejected extends Error {
  override name = "FrameRejected";
  readonly closeCode: number;
  readonly ackId: number | undefined;
  readonly answer: JsonDownstreamMessage | undefined;
  constructor(closeCode: number, message: string, ackId?: number, answer?: JsonDownstreamMessage) {
    super(message);
    this.closeCode = closeCode;
    this.ackId = ackId;
    this.answer = answer;
  }
}
