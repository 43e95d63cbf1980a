// Codec for json.webpubsub.azure.v1 and json.reliable.webpubsub.azure.v1 text frames (protocol.md 4.3 to 4.5): the
// messages every subprotocol has. Invocations and group streams, which only the JSON subprotocols have, are in
// json-only-codec.ts; the decoders hand them to a `jsonOnly` decoder when given one (see decodeDownstream). This
// module does not import json-only-codec.ts (the whole codec, `jsonCodec`, is in json-whole-codec.ts), so that a
// bundle which never uses invocations or streams does not reach it.

import { shownValue } from "../shown.ts";
import { CLOSE_UNSUPPORTED_DATA, ProtocolError } from "./errors.ts";
import { jsonBoundExceeded, MAX_JSON_DEPTH, MAX_JSON_ENVELOPE_NODES, MAX_JSON_NODES } from "./json-bounds.ts";
import {
  invalid,
  type JsonFields,
  nonEmpty,
  optBool,
  optMetadata,
  optObject,
  optString,
  optUint,
  payload,
  payloadJson,
  setDefined,
  str,
  uint,
} from "./json-fields.ts";
import type { DownstreamMessage, GroupDataMessage, MessagePayload, StreamInfo, UpstreamMessage } from "./messages.ts";

/**
 * Decodes the fields of a frame whose type the common decoder does not handle (`type` is the frame's type). It
 * returns the message or throws a ProtocolError (`unknown_type` for types it does not know either).
 */
export type JsonOnlyDecoder<T> = (fields: JsonFields, type: string) => T;

/** Parses a frame into its fields: a text frame holding a JSON object with a string "type" (both directions). */
export function parseFrame(text: unknown, direction: string): JsonFields {
  if (typeof text !== "string") {
    throw new ProtocolError(
      "invalid_frame_type",
      `${direction} frames of a JSON subprotocol must be text frames`,
      CLOSE_UNSUPPORTED_DATA,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError("invalid_json", "frame is not valid JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw invalid("frame must be a JSON object");
  }
  const type = (value as JsonFields).type;
  if (typeof type !== "string") throw invalid('frame has no string "type" field');
  return value as JsonFields;
}

/**
 * The fields of each upstream message type, in frame order ("data" stands for the payload: dataType and data). A field
 * the message leaves undefined is left out of the frame (JSON.stringify drops it).
 */
const UPSTREAM_FIELDS: Record<string, readonly string[]> = {
  joinGroup: ["group", "ackId"],
  leaveGroup: ["group", "ackId"],
  sendToGroup: ["group", "ackId", "noEcho", "ttlSeconds", "metadata", "data"],
  event: ["event", "ackId", "metadata", "data"],
  sequenceAck: ["sequenceId"],
  ping: [],
};

function encodeUpstream(m: UpstreamMessage): string {
  if (!Object.hasOwn(UPSTREAM_FIELDS, m.type)) {
    throw new TypeError(`unknown upstream message type ${shownValue((m as { type: unknown }).type)}`);
  }
  const out: JsonFields = { type: m.type };
  for (const field of UPSTREAM_FIELDS[m.type]!) {
    if (field === "data") payloadJson(m as MessagePayload, out);
    else out[field] = (m as unknown as JsonFields)[field];
  }
  return JSON.stringify(out);
}

function encodeDownstream(m: DownstreamMessage): string {
  const out: JsonFields = { type: m.type };
  switch (m.type) {
    case "system":
      out.event = m.event;
      if (m.event === "connected") {
        out.userId = m.userId ?? null;
        out.connectionId = m.connectionId;
        if (m.reconnectionToken !== undefined) out.reconnectionToken = m.reconnectionToken;
      } else if (m.event === "disconnected") {
        out.message = m.message;
      } else {
        throw new TypeError(`unknown system event ${shownValue((m as { event: unknown }).event)}`);
      }
      break;
    case "ack":
      out.ackId = m.ackId;
      out.success = m.success;
      if (m.error !== undefined) out.error = { name: m.error.name, message: m.error.message };
      break;
    case "message":
      if (m.sequenceId !== undefined) out.sequenceId = m.sequenceId;
      out.from = m.from;
      if (m.from === "group") {
        out.group = m.group;
        if (m.fromUserId !== undefined) out.fromUserId = m.fromUserId;
      } else if (m.from !== "server") {
        throw new TypeError(`unknown message source ${shownValue((m as { from: unknown }).from)}`);
      }
      if (m.metadata !== undefined) out.metadata = m.metadata;
      payloadJson(m, out);
      if (m.from === "group" && m.stream !== undefined) out.stream = streamJson(m.stream);
      break;
    case "pong":
      break;
    default:
      throw new TypeError(`unknown downstream message type ${shownValue((m as { type: unknown }).type)}`);
  }
  return JSON.stringify(out);
}

function streamJson(s: StreamInfo): JsonFields {
  const out: JsonFields = { streamId: s.streamId, streamSequenceId: s.streamSequenceId };
  if (s.endOfStream !== undefined) out.endOfStream = s.endOfStream;
  if (s.error !== undefined) {
    const error: JsonFields = { name: s.error.name };
    if (s.error.message !== undefined) error.message = s.error.message;
    if (s.error.userErrorCode !== undefined) error.userErrorCode = s.error.userErrorCode;
    out.error = error;
  }
  return out;
}

/** The `stream` of a group message: where the fragment sits in its stream, and how the stream ended. */
function streamInfo(m: JsonFields): StreamInfo | undefined {
  const s = optObject(m, "stream", "message");
  if (s === undefined) return undefined;
  const info: StreamInfo = {
    streamId: nonEmpty(s, "streamId", "stream"),
    streamSequenceId: uint(s.streamSequenceId, "streamSequenceId", "stream"),
  };
  setDefined(info, "endOfStream", optBool(s, "endOfStream", "stream"));
  const e = optObject(s, "error", "stream");
  if (e !== undefined) {
    const error: NonNullable<StreamInfo["error"]> = { name: str(e, "name", "stream error") };
    setDefined(error, "message", optString(e, "message", "stream error"));
    setDefined(error, "userErrorCode", optString(e, "userErrorCode", "stream error"));
    info.error = error;
  }
  return info;
}

/** The empty payload of a terminal stream message that carries none: no data of the frame's (or the json) type. */
function emptyPayload(m: JsonFields): MessagePayload {
  const dataType = m.dataType ?? "json";
  // read like a frame whose data is empty: "" is the empty text and, as base64, no bytes; a dataType it does not
  // know is refused as in any other message
  return payload({ dataType, data: dataType === "json" ? undefined : "" }, "message");
}

/**
 * Decodes a service frame (what a client does). Frames of the JSON-only message types (invocation responses, stream
 * acks, nacks and closes) go to `jsonOnly` (decodeJsonOnlyDownstream); without it they are refused as `unknown_type`.
 */
function decodeDownstream(text: string): DownstreamMessage;
function decodeDownstream<T>(text: string, jsonOnly: JsonOnlyDecoder<T>): DownstreamMessage | T;
function decodeDownstream<T>(text: string, jsonOnly?: JsonOnlyDecoder<T>): DownstreamMessage | T {
  // Held to the bounds of what services receive (json-bounds.ts) before JSON.parse, with room for the envelope around
  // the data: a hostile or broken service cannot stall its clients with one frame. The message is refused unparsed.
  const exceeded =
    typeof text === "string" && jsonBoundExceeded(text, MAX_JSON_DEPTH + 1, MAX_JSON_NODES + MAX_JSON_ENVELOPE_NODES);
  if (exceeded) throw invalid(`service message refused: its JSON exceeds the ${exceeded} bound`);
  const m = parseFrame(text, "service");
  const type = m.type as string;
  switch (type) {
    case "system": {
      const event = m.event;
      if (event === "connected") {
        const msg: DownstreamMessage = {
          type,
          event,
          connectionId: nonEmpty(m, "connectionId", "connected"),
          userId: optString(m, "userId", "connected") ?? null,
        };
        setDefined(msg, "reconnectionToken", optString(m, "reconnectionToken", "connected"));
        return msg;
      }
      if (event === "disconnected") return { type, event, message: optString(m, "message", "disconnected") ?? "" };
      // An unknown system event is a newer message kind, not a broken frame.
      throw new ProtocolError("unknown_type", `unknown system event ${shownValue(event)}`);
    }
    case "ack": {
      const success = m.success;
      if (typeof success !== "boolean") throw invalid('"success" of an ack message must be a boolean');
      const msg: DownstreamMessage = { type, ackId: uint(m.ackId, "ackId", type), success };
      const e = optObject(m, "error", type);
      if (e !== undefined) {
        msg.error = { name: str(e, "name", "ack error"), message: optString(e, "message", "ack error") ?? "" };
      }
      return msg;
    }
    case "message": {
      const from = m.from;
      let msg: DownstreamMessage;
      if (from === "group") {
        const name = nonEmpty(m, "group", type);
        const stream = streamInfo(m);
        // A terminal stream message may carry no payload.
        const body = stream?.endOfStream === true && !("data" in m) ? emptyPayload(m) : payload(m, type);
        const group: GroupDataMessage = { type, from, group: name, ...body };
        const fromUserId = m.fromUserId;
        if (fromUserId === null) group.fromUserId = null;
        else if (fromUserId !== undefined) group.fromUserId = str(m, "fromUserId", type);
        setDefined(group, "stream", stream);
        msg = group;
      } else if (from === "server") {
        msg = { type, from, ...payload(m, type) };
      } else {
        throw invalid('"from" of a message must be "group" or "server"');
      }
      setDefined(msg, "sequenceId", optUint(m, "sequenceId", type));
      setDefined(msg, "metadata", optMetadata(m, type));
      return msg;
    }
    case "pong":
      return { type };
    default:
      if (jsonOnly) return jsonOnly(m, type);
      throw new ProtocolError("unknown_type", `unknown service message type ${shownValue(type)}`);
  }
}

// The codec of the messages every subprotocol has, one function at a time, so that a bundle which needs one
// direction (a client encodes upstream and decodes downstream) tree-shakes the other two away, and one which never
// uses invocations or streams leaves json-only-codec.ts out.
// A client's frames are decoded in json-upstream-decode.ts, apart: what a service reads of a frame it refuses (its type
// and ackId, see json-scan.ts) stays out of a client's bundle.
export {
  decodeDownstream as decodeJsonDownstream,
  encodeDownstream as encodeJsonDownstream,
  encodeUpstream as encodeJsonUpstream,
};
