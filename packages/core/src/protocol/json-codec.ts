// Codec for json.webpubsub.azure.v1 and json.reliable.webpubsub.azure.v1 text frames (protocol.md 4.3 to 4.5).

import { base64Decode, base64Encode } from "../base64.ts";
import { isValidEventName, isValidGroupName, MAX_GROUP_NAME_LENGTH } from "../names.ts";
import { CLOSE_UNSUPPORTED_DATA, ProtocolError, withAckId } from "./errors.ts";
import { MAX_JSON_DEPTH, scanJsonText } from "./json-bounds.ts";
import type { DataType, DownstreamMessage, MessagePayload, UpstreamMessage } from "./messages.ts";

type Json = Record<string, unknown>;

function invalid(message: string): ProtocolError {
  return new ProtocolError("invalid_message", message);
}

/** Characters of a peer's value quoted in an error message; the rest is cut, so a MiB-long value is never echoed. */
const MAX_QUOTED = 64;

/** A peer's value for an error message: a string as JSON, cut to MAX_QUOTED characters; other values by type. */
function quoted(v: unknown): string {
  if (typeof v !== "string") return v === null ? "null" : typeof v;
  return v.length <= MAX_QUOTED
    ? JSON.stringify(v)
    : `${JSON.stringify(v.slice(0, MAX_QUOTED))}... (${v.length} characters)`;
}

function parseFrame(text: unknown, direction: string): Json {
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
  const type = (value as Json).type;
  if (typeof type !== "string") throw invalid('frame has no string "type" field');
  return value as Json;
}

function str(m: Json, field: string, type: string): string {
  const v = m[field];
  if (typeof v !== "string") throw invalid(`"${field}" of a ${type} message must be a string`);
  return v;
}

function nonEmpty(m: Json, field: string, type: string): string {
  const v = str(m, field, type);
  if (v.length === 0) throw invalid(`"${field}" of a ${type} message must not be empty`);
  return v;
}

function uint(v: unknown, field: string, type: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw invalid(`"${field}" of a ${type} message must be a non-negative integer`);
  }
  return v;
}

/** Optional unsigned integer; null counts as absent. */
function optUint(m: Json, field: string, type: string): number | undefined {
  const v = m[field];
  return v === undefined || v === null ? undefined : uint(v, field, type);
}

function optBool(m: Json, field: string, type: string): boolean | undefined {
  const v = m[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw invalid(`"${field}" of a ${type} message must be a boolean`);
  return v;
}

function optMetadata(m: Json, type: string): Record<string, string> | undefined {
  const v = m.metadata;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw invalid(`"metadata" of a ${type} message must be an object`);
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    if (typeof value !== "string") throw invalid(`"metadata" value ${quoted(k)} of a ${type} message must be a string`);
    // defineProperty keeps a "__proto__" key as data instead of touching the prototype.
    Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function payload(m: Json, type: string): MessagePayload {
  const dataType = (m.dataType ?? "json") as DataType;
  if (!("data" in m)) throw invalid(`a ${type} message must have a "data" field`);
  const data = m.data;
  switch (dataType) {
    case "json":
      return { dataType, data };
    case "text":
      if (typeof data !== "string") throw invalid(`"data" of a text ${type} message must be a string`);
      return { dataType, data };
    case "binary":
    case "protobuf": {
      if (typeof data !== "string") throw invalid(`"data" of a ${dataType} ${type} message must be a base64 string`);
      try {
        return { dataType, data: base64Decode(data) };
      } catch {
        throw invalid(`"data" of a ${dataType} ${type} message is not valid base64`);
      }
    }
    default:
      throw invalid(`"dataType" of a ${type} message must be "json", "text", "binary" or "protobuf"`);
  }
}

function payloadJson(p: MessagePayload, out: Json): void {
  out.dataType = p.dataType;
  out.data = p.dataType === "binary" || p.dataType === "protobuf" ? base64Encode(p.data) : p.data;
}

function assertDataType(dataType: DataType, data: unknown): void {
  if (dataType === "text" ? typeof data !== "string" : dataType !== "json" && !(data instanceof Uint8Array)) {
    throw new TypeError(
      dataType === "text"
        ? "data of a text message must be a string"
        : `data of a ${dataType} message must be a Uint8Array`,
    );
  }
}

function encodeUpstream(m: UpstreamMessage): string {
  const out: Json = { type: m.type };
  switch (m.type) {
    case "joinGroup":
    case "leaveGroup":
      out.group = m.group;
      if (m.ackId !== undefined) out.ackId = m.ackId;
      break;
    case "sendToGroup":
      out.group = m.group;
      if (m.ackId !== undefined) out.ackId = m.ackId;
      if (m.noEcho !== undefined) out.noEcho = m.noEcho;
      if (m.ttlSeconds !== undefined) out.ttlSeconds = m.ttlSeconds;
      if (m.metadata !== undefined) out.metadata = m.metadata;
      assertDataType(m.dataType, m.data);
      payloadJson(m, out);
      break;
    case "event":
      out.event = m.event;
      if (m.ackId !== undefined) out.ackId = m.ackId;
      if (m.metadata !== undefined) out.metadata = m.metadata;
      assertDataType(m.dataType, m.data);
      payloadJson(m, out);
      break;
    case "sequenceAck":
      out.sequenceId = m.sequenceId;
      break;
    case "ping":
      break;
    default:
      throw new TypeError(`unknown upstream message type ${JSON.stringify((m as { type: unknown }).type)}`);
  }
  return JSON.stringify(out);
}

function groupName(m: Json, type: string): string {
  const v = str(m, "group", type);
  if (!isValidGroupName(v)) {
    throw invalid(`"group" of a ${type} message must be 1 to ${MAX_GROUP_NAME_LENGTH} characters, not whitespace only`);
  }
  return v;
}

function eventName(m: Json): string {
  const v = str(m, "event", "event");
  if (!isValidEventName(v)) {
    throw invalid('"event" of an event message must match ^[A-Za-z][A-Za-z0-9_.-]{0,127}$');
  }
  return v;
}

const ACKABLE_TYPES: readonly string[] = ['"joinGroup"', '"leaveGroup"', '"sendToGroup"', '"event"'];

/**
 * What a service receives is scanned before JSON.parse (see json-bounds.ts): the message object may nest one level
 * more than its data. A frame beyond the bounds is an invalid message, answerable with its ackId when it is a message
 * kind that has one (the scan reads the top-level "type" and "ackId" without parsing).
 */
function checkBounds(text: string): void {
  const scan = scanJsonText(text, MAX_JSON_DEPTH + 1, ["type", "ackId"]);
  if (scan.exceeded === undefined) return;
  const why =
    scan.exceeded === "depth"
      ? `its content is nested more than ${MAX_JSON_DEPTH} levels deep`
      : `it is ${scan.problem ?? "too complex"}`;
  const rawAckId = scan.top.get("ackId");
  const ackId = rawAckId !== undefined && /^\d{1,15}$/.test(rawAckId) ? Number(rawAckId) : undefined;
  const ackable = ACKABLE_TYPES.includes(scan.top.get("type") ?? "");
  throw new ProtocolError("invalid_message", `the message is refused: ${why}`, undefined, ackable ? ackId : undefined);
}

function decodeUpstream(text: string): UpstreamMessage {
  if (typeof text === "string") checkBounds(text);
  const m = parseFrame(text, "client");
  const type = m.type as string;
  switch (type) {
    case "joinGroup":
    case "leaveGroup": {
      const ackId = optUint(m, "ackId", type);
      const msg: UpstreamMessage & { type: "joinGroup" | "leaveGroup" } = withAckId(ackId, () => ({
        type,
        group: groupName(m, type),
      }));
      if (ackId !== undefined) msg.ackId = ackId;
      return msg;
    }
    case "sendToGroup": {
      const ackId = optUint(m, "ackId", type);
      return withAckId(ackId, () => {
        const msg = { type, group: groupName(m, type), ...payload(m, type) } as UpstreamMessage & {
          type: "sendToGroup";
        };
        if (ackId !== undefined) msg.ackId = ackId;
        const noEcho = optBool(m, "noEcho", type);
        if (noEcho !== undefined) msg.noEcho = noEcho;
        const ttlSeconds = optUint(m, "ttlSeconds", type);
        if (ttlSeconds !== undefined) msg.ttlSeconds = ttlSeconds;
        const metadata = optMetadata(m, type);
        if (metadata !== undefined) msg.metadata = metadata;
        return msg;
      });
    }
    case "event": {
      const ackId = optUint(m, "ackId", type);
      return withAckId(ackId, () => {
        const msg = { type, event: eventName(m), ...payload(m, type) } as UpstreamMessage & { type: "event" };
        if (ackId !== undefined) msg.ackId = ackId;
        const metadata = optMetadata(m, type);
        if (metadata !== undefined) msg.metadata = metadata;
        return msg;
      });
    }
    case "sequenceAck":
      return { type, sequenceId: uint(m.sequenceId, "sequenceId", type) };
    case "ping":
      return { type };
    default:
      throw new ProtocolError("unknown_type", `unknown client message type ${quoted(type)}`);
  }
}

function encodeDownstream(m: DownstreamMessage): string {
  const out: Json = { type: m.type };
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
        throw new TypeError(`unknown system event ${JSON.stringify((m as { event: unknown }).event)}`);
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
        throw new TypeError(`unknown message source ${JSON.stringify((m as { from: unknown }).from)}`);
      }
      if (m.metadata !== undefined) out.metadata = m.metadata;
      assertDataType(m.dataType, m.data);
      payloadJson(m, out);
      break;
    case "pong":
      break;
    default:
      throw new TypeError(`unknown downstream message type ${JSON.stringify((m as { type: unknown }).type)}`);
  }
  return JSON.stringify(out);
}

function optString(m: Json, field: string, type: string): string | undefined {
  const v = m[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalid(`"${field}" of a ${type} message must be a string`);
  return v;
}

function decodeDownstream(text: string): DownstreamMessage {
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
        const token = optString(m, "reconnectionToken", "connected");
        if (token !== undefined) msg.reconnectionToken = token;
        return msg;
      }
      if (event === "disconnected") return { type, event, message: optString(m, "message", "disconnected") ?? "" };
      // An unknown system event is a newer message kind, not a broken frame.
      throw new ProtocolError("unknown_type", `unknown system event ${quoted(event)}`);
    }
    case "ack": {
      const success = m.success;
      if (typeof success !== "boolean") throw invalid('"success" of an ack message must be a boolean');
      const msg: DownstreamMessage = { type, ackId: uint(m.ackId, "ackId", type), success };
      const error = m.error;
      if (error !== undefined && error !== null) {
        if (typeof error !== "object" || Array.isArray(error))
          throw invalid('"error" of an ack message must be an object');
        const e = error as Json;
        msg.error = { name: str(e, "name", "ack error"), message: optString(e, "message", "ack error") ?? "" };
      }
      return msg;
    }
    case "message": {
      const from = m.from;
      let msg: DownstreamMessage;
      if (from === "group") {
        msg = { type, from, group: nonEmpty(m, "group", type), ...payload(m, type) };
        const fromUserId = m.fromUserId;
        if (fromUserId === null) msg.fromUserId = null;
        else if (fromUserId !== undefined) msg.fromUserId = str(m, "fromUserId", type);
      } else if (from === "server") {
        msg = { type, from, ...payload(m, type) };
      } else {
        throw invalid('"from" of a message must be "group" or "server"');
      }
      const sequenceId = optUint(m, "sequenceId", type);
      if (sequenceId !== undefined) msg.sequenceId = sequenceId;
      const metadata = optMetadata(m, type);
      if (metadata !== undefined) msg.metadata = metadata;
      return msg;
    }
    case "pong":
      return { type };
    default:
      throw new ProtocolError("unknown_type", `unknown service message type ${quoted(type)}`);
  }
}

/** Encoder/decoder for the JSON subprotocols. Decoders throw ProtocolError; encoders throw TypeError on bad input. */
export const jsonCodec: {
  encodeUpstream(m: UpstreamMessage): string;
  decodeUpstream(text: string): UpstreamMessage;
  encodeDownstream(m: DownstreamMessage): string;
  decodeDownstream(text: string): DownstreamMessage;
} = { encodeUpstream, decodeUpstream, encodeDownstream, decodeDownstream };

// The same four functions one by one, so that a bundle which needs one direction (a client encodes upstream and
// decodes downstream) tree-shakes the other two away.
export {
  decodeDownstream as decodeJsonDownstream,
  decodeUpstream as decodeJsonUpstream,
  encodeDownstream as encodeJsonDownstream,
  encodeUpstream as encodeJsonUpstream,
};
