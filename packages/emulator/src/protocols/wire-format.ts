// What a connection needs of its protocol to send: the frame of a data message (with a sequence id when reliable), its
// size, and the frame of a control message. The receiving half is in protocol.ts.
import type { JsonDownstreamMessage } from "@webpubsub/core";
import type { Outgoing } from "../outgoing.ts";
import type { MqttEventContext } from "../upstream/types.ts";

/** One WebSocket frame as sent. */
export interface WireFrame {
  data: Buffer;
  binary: boolean;
}

/** What encodeData returns when there is nothing to send now (an MQTT session holding a message for flow control). */
export const NO_FRAME: WireFrame = Object.freeze({ data: Buffer.alloc(0), binary: true });

export interface WireFormat {
  /** The WebSocket subprotocol (undefined for simple clients, which speak none). */
  readonly name: string | undefined;
  /** Reliable protocols number data messages, keep them until acknowledged and support recovery. */
  readonly reliable: boolean;
  /** Whether its frames are binary (protobuf) or text (JSON); undefined: either, by payload (simple clients). */
  readonly binary: boolean | undefined;
  /** The frame of a data message (NO_FRAME: none now); `sequenceId` is used by reliable protocols only. */
  encodeData(msg: Outgoing, sequenceId: number): WireFrame;
  /** Bytes of `encodeData(msg, sequenceId)`, without building it when possible (the reliable buffer's accounting). */
  dataSize(msg: Outgoing, sequenceId: number): number;
  /**
   * The frame of a control message (system, ack, pong; invokeResponse and stream acks on the JSON subprotocols);
   * undefined when the protocol has no such message (simple clients, JSON-only messages on protobuf).
   */
  encodeControl(msg: JsonDownstreamMessage): WireFrame | undefined;
  /** MQTT sessions: what their upstream events add (physical connection, session id, how it ended). */
  upstreamMqtt?(): MqttEventContext;
  /** How the dashboard and the log name the protocol when it says more than the subprotocol (e.g. "mqtt 5.0"). */
  readonly label?: string;
}
