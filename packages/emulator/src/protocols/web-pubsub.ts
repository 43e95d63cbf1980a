// The four Web PubSub subprotocols share everything but their codec: frames decoded by @webpubsub/core (which owns
// every wire rule: field types, base64, group and event names), messages handled by ws/pubsub-messages.ts. What this
// file adds is the mapping of a ProtocolError to the wire: a frame of a known message type whose ackId was valid but
// another field was not is answered with an ack `BadRequest` (the connection stays open); every other violation (wrong
// frame type, bad JSON/protobuf, unknown type, invalid ackId, an invalid message with no ackId to answer) closes the
// connection with the error's close code (1003 or 1007).
import { type JsonDownstreamMessage, type JsonUpstreamMessage, ProtocolError } from "@webpubsub/core";
import type { Outgoing } from "../outgoing.ts";
import { ID_LIMIT } from "../session-limits.ts";
import { handlePubSubMessage } from "../ws/pubsub-messages.ts";
import { type ClientProtocol, FrameRejected } from "./protocol.ts";

/** How one family (JSON or protobuf) writes frames. */
export interface PubSubEncoding {
  frame(msg: Outgoing): Buffer;
  reliableFrame(msg: Outgoing, sequenceId: number): Buffer;
  reliableSize(msg: Outgoing, sequenceId: number): number;
  /** undefined: the family has no such message (invocations and streams are JSON only) */
  control(msg: JsonDownstreamMessage): Buffer | undefined;
}

export interface PubSubProtocolSpec {
  name: string;
  reliable: boolean;
  /** binary frames (protobuf) or text frames (JSON) */
  binary: boolean;
  /** the close reason for a frame of the other type */
  wrongFrameType: string;
  /** what a frame is called in close reasons ("message", "protobuf message") */
  frameName: string;
  /** core's decoder; throws ProtocolError */
  decode(data: Buffer): JsonUpstreamMessage;
  encoding: PubSubEncoding;
}

export function pubSubProtocol(spec: PubSubProtocolSpec): ClientProtocol<JsonUpstreamMessage> {
  const { encoding, binary, reliable } = spec;
  return {
    name: spec.name,
    reliable,
    binary,
    encodeData: reliable
      ? (msg, seq) => ({ data: encoding.reliableFrame(msg, seq), binary })
      : (msg) => ({ data: encoding.frame(msg), binary }),
    dataSize: reliable ? (msg, seq) => encoding.reliableSize(msg, seq) : (msg) => encoding.frame(msg).length,
    encodeControl(msg) {
      const data = encoding.control(msg);
      return data === undefined ? undefined : { data, binary };
    },
    decode(data, isBinary) {
      if (isBinary !== binary) throw new FrameRejected(1003, spec.wrongFrameType);
      try {
        return spec.decode(data);
      } catch (e) {
        if (e instanceof ProtocolError && e.code === "invalid_message" && e.ackId !== undefined) {
          throw new FrameRejected(e.closeCode, e.message, e.ackId);
        }
        if (e instanceof ProtocolError && e.code === "invalid_message") {
          const answer = badRequestAnswer(e);
          if (answer !== undefined) throw new FrameRejected(e.closeCode, e.message, undefined, answer);
        }
        const code = e instanceof ProtocolError ? e.closeCode : 1007;
        throw new FrameRejected(code, `Invalid ${spec.frameName}: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
    handle: handlePubSubMessage,
  };
}

/**
 * An invalid invocation or stream frame whose own id was valid (and within ID_LIMIT) is answered for that id: an
 * invokeResponse or a streamClosed with `BadRequest`, and the connection stays open.
 */
function badRequestAnswer(e: ProtocolError): JsonDownstreamMessage | undefined {
  const error = { name: "BadRequest", message: e.message };
  if (e.invocationId !== undefined && e.invocationId.length <= ID_LIMIT) {
    return { type: "invokeResponse", invocationId: e.invocationId, success: false, error };
  }
  if (e.streamId !== undefined && e.streamId.length <= ID_LIMIT) {
    return { type: "streamClosed", streamId: e.streamId, error };
  }
  return undefined;
}
