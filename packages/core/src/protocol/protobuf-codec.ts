// Codec for protobuf.webpubsub.azure.v1 and protobuf.reliable.webpubsub.azure.v1 binary frames (protocol.md 4.6),
// hand-written against this proto3 layout (field numbers are the wire contract):
//
//   UpstreamMessage   oneof { 1 SendToGroup { 1 group, 2 ack_id, 3 data, 4 no_echo, 5 ttl_seconds, 6 metadata }
//                             5 Event { 1 event, 2 data, 3 ack_id, 4 metadata }
//                             6 JoinGroup { 1 group, 2 ack_id }   7 LeaveGroup { 1 group, 2 ack_id }
//                             8 SequenceAck { 1 sequence_id }    9 Ping {} }
//   DownstreamMessage oneof { 1 Ack { 1 ack_id, 2 success, 3 error { 1 name, 2 message } }
//                             2 Data { 1 from, 2 group, 3 data, 4 sequence_id, 5 metadata }
//                             3 System oneof { 1 Connected { 1 connection_id, 2 user_id, 3 reconnection_token }
//                                              2 Disconnected { 2 reason } }
//                             4 Pong {} }
//   MessageData       oneof { 1 text_data, 2 binary_data, 3 protobuf_data (google.protobuf.Any), 4 json_data }
//
// `protobuf` payloads are the serialized google.protobuf.Any bytes (the same bytes JSON frames carry as base64).
// `json` payloads travel as JSON text in json_data. Downstream frames carry no fromUserId; an empty user_id means
// an anonymous connection (userId null).

import { isValidEventName, isValidGroupName, MAX_GROUP_NAME_LENGTH } from "../names.ts";
import { shownValue } from "../shown.ts";
import { CLOSE_UNSUPPORTED_DATA, ProtocolError, withAckId } from "./errors.ts";
import { MAX_JSON_DEPTH, MAX_JSON_OBJECT_MEMBERS } from "./json-bounds.ts";
import { scanJsonText } from "./json-scan.ts";
import type { DownstreamMessage, MessagePayload, UpstreamMessage } from "./messages.ts";
import { expectWire, ProtoReader, ProtoWriter, WIRE_LEN, WIRE_VARINT } from "./protobuf-wire.ts";

// ---- encoding --------------------------------------------------------------------------------------------------

function writePayload(w: ProtoWriter, field: number, p: MessagePayload): void {
  w.messageField(field, (d) => {
    switch (p.dataType) {
      case "text":
        if (typeof p.data !== "string") throw new TypeError("data of a text message must be a string");
        d.stringField(1, p.data);
        return;
      case "binary":
      case "protobuf":
        if (!(p.data instanceof Uint8Array))
          throw new TypeError(`data of a ${p.dataType} message must be a Uint8Array`);
        d.bytesField(p.dataType === "binary" ? 2 : 3, p.data);
        return;
      case "json": {
        const text = JSON.stringify(p.data);
        if (text === undefined) throw new TypeError("data of a json message must be JSON-serializable");
        d.stringField(4, text);
        return;
      }
      default:
        throw new TypeError(`unknown dataType ${shownValue((p as { dataType: unknown }).dataType)}`);
    }
  });
}

function encodeUpstream(m: UpstreamMessage): Uint8Array {
  const w = new ProtoWriter();
  switch (m.type) {
    case "sendToGroup":
      w.messageField(1, (s) => {
        s.stringField(1, m.group);
        if (m.ackId !== undefined) s.uintField(2, m.ackId);
        writePayload(s, 3, m);
        if (m.noEcho !== undefined) s.boolField(4, m.noEcho);
        if (m.ttlSeconds !== undefined) s.uintField(5, m.ttlSeconds);
        if (m.metadata !== undefined) s.mapField(6, m.metadata);
      });
      break;
    case "event":
      w.messageField(5, (e) => {
        e.stringField(1, m.event);
        writePayload(e, 2, m);
        if (m.ackId !== undefined) e.uintField(3, m.ackId);
        if (m.metadata !== undefined) e.mapField(4, m.metadata);
      });
      break;
    case "joinGroup":
    case "leaveGroup":
      w.messageField(m.type === "joinGroup" ? 6 : 7, (g) => {
        g.stringField(1, m.group);
        if (m.ackId !== undefined) g.uintField(2, m.ackId);
      });
      break;
    case "sequenceAck":
      w.messageField(8, (s) => {
        if (m.sequenceId !== 0) s.uintField(1, m.sequenceId);
      });
      break;
    case "ping":
      w.messageField(9, () => {});
      break;
    default:
      throw new TypeError(`unknown upstream message type ${shownValue((m as { type: unknown }).type)}`);
  }
  return w.finish();
}

function encodeDownstream(m: DownstreamMessage): Uint8Array {
  const w = new ProtoWriter();
  switch (m.type) {
    case "ack":
      w.messageField(1, (a) => {
        if (m.ackId !== 0) a.uintField(1, m.ackId);
        if (m.success) a.boolField(2, true);
        if (m.error !== undefined) {
          const { name, message } = m.error;
          a.messageField(3, (e) => {
            if (name) e.stringField(1, name);
            if (message) e.stringField(2, message);
          });
        }
      });
      break;
    case "message":
      w.messageField(2, (d) => {
        d.stringField(1, m.from);
        if (m.from === "group") d.stringField(2, m.group);
        else if (m.from !== "server")
          throw new TypeError(`unknown message source ${shownValue((m as { from: unknown }).from)}`);
        writePayload(d, 3, m);
        if (m.sequenceId !== undefined) d.uintField(4, m.sequenceId);
        if (m.metadata !== undefined) d.mapField(5, m.metadata);
      });
      break;
    case "system":
      w.messageField(3, (s) => {
        if (m.event === "connected") {
          s.messageField(1, (c) => {
            c.stringField(1, m.connectionId);
            if (m.userId) c.stringField(2, m.userId);
            if (m.reconnectionToken !== undefined) c.stringField(3, m.reconnectionToken);
          });
        } else if (m.event === "disconnected") {
          s.messageField(2, (d) => {
            if (m.message) d.stringField(2, m.message);
          });
        } else {
          throw new TypeError(`unknown system event ${shownValue((m as { event: unknown }).event)}`);
        }
      });
      break;
    case "pong":
      w.messageField(4, () => {});
      break;
    default:
      throw new TypeError(`unknown downstream message type ${shownValue((m as { type: unknown }).type)}`);
  }
  return w.finish();
}

// ---- decoding --------------------------------------------------------------------------------------------------

function invalid(message: string): ProtocolError {
  return new ProtocolError("invalid_message", message);
}

function toBytes(frame: unknown, direction: string): Uint8Array {
  if (frame instanceof Uint8Array) return frame;
  if (frame instanceof ArrayBuffer) return new Uint8Array(frame);
  if (ArrayBuffer.isView(frame)) return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  throw new ProtocolError(
    "invalid_frame_type",
    `${direction} frames of a protobuf subprotocol must be binary frames`,
    CLOSE_UNSUPPORTED_DATA,
  );
}

/**
 * Reads one field of a message into `into`, the state of the message being read; each message has a table of these
 * by field number (`Fields`), so the wire layout of a message stands in one place beside the proto comment above.
 */
type FieldReader<S> = (r: ProtoReader, wireType: number, into: S) => void;
type Fields<S> = Readonly<Record<number, FieldReader<S>>>;

/**
 * Reads every field of a message into `into` with the reader its table has for the field number; a field the table
 * lacks is skipped (proto3 unknown field). Returns the number of the last field skipped, 0 when none was.
 */
function readMessage<S>(r: ProtoReader, fields: Fields<S>, into: S): number {
  let unknownField = 0;
  while (!r.done) {
    const [field, wireType] = r.tag();
    const read = fields[field];
    if (read === undefined) {
      unknownField = field;
      r.skip(wireType);
    } else {
      read(r, wireType, into);
    }
  }
  return unknownField;
}

function str(r: ProtoReader, wireType: number, what: string): string {
  expectWire(wireType, WIRE_LEN, what);
  return r.string();
}

function bytes(r: ProtoReader, wireType: number, what: string): Uint8Array {
  expectWire(wireType, WIRE_LEN, what);
  return r.bytes().slice();
}

function sub(r: ProtoReader, wireType: number, what: string): ProtoReader {
  expectWire(wireType, WIRE_LEN, what);
  return r.message();
}

/** A `string` field stored at `key`; `what` (the proto name) names it in wire-type errors. */
function stringField<K extends string>(key: K, what: string): FieldReader<{ [P in K]?: string }> {
  return (r, wireType, into) => {
    into[key] = str(r, wireType, what);
  };
}

/** A `uint64`/`int32` field stored at `key`. */
function uintField<K extends string>(key: K, what: string): FieldReader<{ [P in K]?: number }> {
  return (r, wireType, into) => {
    expectWire(wireType, WIRE_VARINT, what);
    into[key] = r.varint();
  };
}

/** A `bool` field stored at `key`. */
function boolField<K extends string>(key: K, what: string): FieldReader<{ [P in K]?: boolean }> {
  return (r, wireType, into) => {
    expectWire(wireType, WIRE_VARINT, what);
    into[key] = r.varint() !== 0;
  };
}

/** A nested message field, read by `read` and stored at `key`. */
function messageField<K extends string, V>(
  key: K,
  what: string,
  read: (r: ProtoReader) => V,
): FieldReader<{ [P in K]?: V }> {
  return (r, wireType, into) => {
    into[key] = read(sub(r, wireType, what));
  };
}

/** The state of a oneof (a message whose known fields are alternatives): the last known field read wins. */
interface Oneof<T> {
  message?: T;
}

/**
 * Reads a top-level message whose fields form a oneof; a frame with only unknown fields is an unknown type.
 */
function readOneof<T>(r: ProtoReader, sender: string, name: string, variants: Fields<Oneof<T>>): T {
  const oneof: Oneof<T> = {};
  const unknownField = readMessage(r, variants, oneof);
  if (oneof.message !== undefined) return oneof.message;
  if (unknownField !== 0) {
    throw new ProtocolError("unknown_type", `unknown ${sender} message (${name} field ${unknownField})`);
  }
  throw invalid(`empty ${name}`);
}

/** json_data a service refused to parse (see json-bounds.ts); reported inside withAckId by bounded(). */
interface RefusedJson {
  refused: string;
}

/**
 * MessageData, a oneof. json_data is held to the JSON bounds before it is parsed (json-bounds.ts); past them, a
 * message a service receives from a client (`answerable`) is refused with its ackId (see bounded()), a message a
 * client receives is invalid at once.
 */
interface PayloadState {
  readonly answerable: boolean;
  payload?: MessagePayload | RefusedJson;
}

const payloadFields: Fields<PayloadState> = {
  1: (r, wt, into) => {
    into.payload = { dataType: "text", data: str(r, wt, "text_data") };
  },
  2: (r, wt, into) => {
    into.payload = { dataType: "binary", data: bytes(r, wt, "binary_data") };
  },
  3: (r, wt, into) => {
    into.payload = { dataType: "protobuf", data: bytes(r, wt, "protobuf_data") };
  },
  4: (r, wt, into) => {
    into.payload = jsonData(str(r, wt, "json_data"), into.answerable);
  },
};

function jsonData(text: string, answerable: boolean): MessagePayload | RefusedJson {
  const problem = scanJsonText(text, MAX_JSON_DEPTH).problem;
  if (problem !== undefined) {
    if (answerable) return { refused: `json_data is ${problem}` };
    throw invalid(`json_data is ${problem}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalid("json_data is not valid JSON");
  }
  return { dataType: "json", data };
}

function readPayload(r: ProtoReader, answerable: true): MessagePayload | RefusedJson;
function readPayload(r: ProtoReader, answerable: false): MessagePayload;
function readPayload(r: ProtoReader, answerable: boolean): MessagePayload | RefusedJson {
  const state: PayloadState = { answerable };
  readMessage(r, payloadFields, state);
  if (state.payload === undefined) throw invalid("message data has no text, binary, protobuf or json payload");
  return state.payload;
}

const mapEntryFields: Fields<{ key: string; value: string }> = {
  1: stringField("key", "metadata key"),
  2: stringField("value", "metadata value"),
};

/** Reads one map<string, string> entry into `into` (created when undefined) and returns it. */
function readMapEntry(r: ProtoReader, into: Record<string, string> | undefined): Record<string, string> {
  const entry = { key: "", value: "" };
  readMessage(r, mapEntryFields, entry);
  const map = into ?? {};
  // defineProperty keeps a "__proto__" key as data instead of touching the prototype.
  Object.defineProperty(map, entry.key, { value: entry.value, enumerable: true, writable: true, configurable: true });
  return map;
}

/** A metadata field (repeated map entries) of a message a service does not bound (what clients receive). */
const metadataField: FieldReader<{ metadata?: Record<string, string> }> = (r, wt, into) => {
  into.metadata = readMapEntry(sub(r, wt, "metadata"), into.metadata);
};

/**
 * A metadata field of a message a service reads: entries beyond the bound on a JSON object's members are counted,
 * not stored, and make the message invalid (see metadataBound).
 */
const boundedMetadataField: FieldReader<{ metadata?: Record<string, string>; entries: number }> = (r, wt, into) => {
  const entry = sub(r, wt, "metadata");
  if (++into.entries <= MAX_JSON_OBJECT_MEMBERS) into.metadata = readMapEntry(entry, into.metadata);
};

function metadataBound(count: number): void {
  if (count > MAX_JSON_OBJECT_MEMBERS) throw invalid(`metadata has more than ${MAX_JSON_OBJECT_MEMBERS} entries`);
}

/** What a service receives from clients: json_data beyond the JSON bounds is an invalid message. */
function bounded(payload: MessagePayload | RefusedJson): MessagePayload {
  if ("refused" in payload) throw invalid(payload.refused);
  return payload;
}

function nonEmpty(value: string, what: string): string {
  if (value === "") throw invalid(`${what} must not be empty`);
  return value;
}

function groupName(group: string): string {
  if (!isValidGroupName(group)) {
    throw invalid(`group must be 1 to ${MAX_GROUP_NAME_LENGTH} characters, not whitespace only`);
  }
  return group;
}

const upstreamFields: Fields<Oneof<UpstreamMessage>> = {
  1: messageField("message", "send_to_group_message", readSendToGroup),
  5: messageField("message", "event_message", readEvent),
  6: messageField("message", "group message", (g) => readGroupOp(g, "joinGroup")),
  7: messageField("message", "group message", (g) => readGroupOp(g, "leaveGroup")),
  8: messageField("message", "sequence_ack_message", readSequenceAck),
  9: messageField("message", "ping_message", (): UpstreamMessage => ({ type: "ping" })),
};

function decodeUpstream(frame: Uint8Array): UpstreamMessage {
  return readOneof(new ProtoReader(toBytes(frame, "client")), "client", "UpstreamMessage", upstreamFields);
}

interface SendToGroupState {
  group: string;
  ackId?: number;
  payload?: MessagePayload | RefusedJson;
  noEcho?: boolean;
  ttlSeconds?: number;
  metadata?: Record<string, string>;
  entries: number;
}

const sendToGroupFields: Fields<SendToGroupState> = {
  1: stringField("group", "group"),
  2: uintField("ackId", "ack_id"),
  3: messageField("payload", "data", (d) => readPayload(d, true)),
  4: boolField("noEcho", "no_echo"),
  5: uintField("ttlSeconds", "ttl_seconds"),
  6: boundedMetadataField,
};

function readSendToGroup(r: ProtoReader): UpstreamMessage {
  const s: SendToGroupState = { group: "", entries: 0 };
  readMessage(r, sendToGroupFields, s);
  const { ackId, payload } = s;
  const m = withAckId(ackId, () => {
    metadataBound(s.entries);
    if (payload === undefined) throw invalid("sendToGroup message has no data");
    return { type: "sendToGroup", group: groupName(s.group), ...bounded(payload) } as UpstreamMessage & {
      type: "sendToGroup";
    };
  });
  if (ackId !== undefined) m.ackId = ackId;
  if (s.noEcho !== undefined) m.noEcho = s.noEcho;
  if (s.ttlSeconds !== undefined) m.ttlSeconds = s.ttlSeconds;
  if (s.metadata !== undefined) m.metadata = s.metadata;
  return m;
}

interface EventState {
  event: string;
  payload?: MessagePayload | RefusedJson;
  ackId?: number;
  metadata?: Record<string, string>;
  entries: number;
}

const eventFields: Fields<EventState> = {
  1: stringField("event", "event"),
  2: messageField("payload", "data", (d) => readPayload(d, true)),
  3: uintField("ackId", "ack_id"),
  4: boundedMetadataField,
};

function readEvent(r: ProtoReader): UpstreamMessage {
  const s: EventState = { event: "", entries: 0 };
  readMessage(r, eventFields, s);
  const { ackId, payload } = s;
  const m = withAckId(ackId, () => {
    metadataBound(s.entries);
    if (payload === undefined) throw invalid("event message has no data");
    if (!isValidEventName(s.event)) throw invalid("event must match ^[A-Za-z][A-Za-z0-9_.-]{0,127}$");
    return { type: "event", event: s.event, ...bounded(payload) } as UpstreamMessage & { type: "event" };
  });
  if (ackId !== undefined) m.ackId = ackId;
  if (s.metadata !== undefined) m.metadata = s.metadata;
  return m;
}

const groupOpFields: Fields<{ group: string; ackId?: number }> = {
  1: stringField("group", "group"),
  2: uintField("ackId", "ack_id"),
};

function readGroupOp(r: ProtoReader, type: "joinGroup" | "leaveGroup"): UpstreamMessage {
  const s: { group: string; ackId?: number } = { group: "" };
  readMessage(r, groupOpFields, s);
  const { ackId } = s;
  const m: UpstreamMessage & { type: "joinGroup" | "leaveGroup" } = withAckId(ackId, () => ({
    type,
    group: groupName(s.group),
  }));
  if (ackId !== undefined) m.ackId = ackId;
  return m;
}

const sequenceAckFields: Fields<{ sequenceId: number }> = { 1: uintField("sequenceId", "sequence_id") };

function readSequenceAck(r: ProtoReader): UpstreamMessage {
  const s = { sequenceId: 0 };
  readMessage(r, sequenceAckFields, s);
  return { type: "sequenceAck", sequenceId: s.sequenceId };
}

const downstreamFields: Fields<Oneof<DownstreamMessage>> = {
  1: messageField("message", "ack_message", readAck),
  2: messageField("message", "data_message", readData),
  3: messageField("message", "system_message", readSystem),
  4: messageField("message", "pong_message", (): DownstreamMessage => ({ type: "pong" })),
};

function decodeDownstream(frame: Uint8Array): DownstreamMessage {
  return readOneof(new ProtoReader(toBytes(frame, "service")), "service", "DownstreamMessage", downstreamFields);
}

interface AckError {
  name: string;
  message: string;
}

const ackErrorFields: Fields<AckError> = {
  1: stringField("name", "error name"),
  2: stringField("message", "error message"),
};

function readAckError(r: ProtoReader): AckError {
  const error = { name: "", message: "" };
  readMessage(r, ackErrorFields, error);
  return error;
}

const ackFields: Fields<{ ackId: number; success: boolean; error?: AckError }> = {
  1: uintField("ackId", "ack_id"),
  2: boolField("success", "success"),
  3: messageField("error", "error", readAckError),
};

function readAck(r: ProtoReader): DownstreamMessage {
  const s: { ackId: number; success: boolean; error?: AckError } = { ackId: 0, success: false };
  readMessage(r, ackFields, s);
  const m: DownstreamMessage & { type: "ack" } = { type: "ack", ackId: s.ackId, success: s.success };
  if (s.error !== undefined) m.error = s.error;
  return m;
}

interface DataState {
  from: string;
  group?: string;
  payload?: MessagePayload;
  sequenceId?: number;
  metadata?: Record<string, string>;
}

const dataFields: Fields<DataState> = {
  1: stringField("from", "from"),
  2: stringField("group", "group"),
  3: messageField("payload", "data", (d) => readPayload(d, false)),
  4: uintField("sequenceId", "sequence_id"),
  5: metadataField,
};

function readData(r: ProtoReader): DownstreamMessage {
  const s: DataState = { from: "" };
  readMessage(r, dataFields, s);
  const { from, payload } = s;
  if (payload === undefined) throw invalid("data message has no data");
  let m: DownstreamMessage & { type: "message" };
  if (from === "group") {
    m = { type: "message", from, group: nonEmpty(s.group ?? "", "group"), ...payload };
  } else if (from === "server") {
    m = { type: "message", from, ...payload };
  } else {
    throw invalid(`"from" of a data message must be "group" or "server", got ${shownValue(from)}`);
  }
  if (s.sequenceId !== undefined) m.sequenceId = s.sequenceId;
  if (s.metadata !== undefined) m.metadata = s.metadata;
  return m;
}

const systemFields: Fields<Oneof<DownstreamMessage>> = {
  1: messageField("message", "connected_message", readConnected),
  2: messageField("message", "disconnected_message", readDisconnected),
};

function readSystem(r: ProtoReader): DownstreamMessage {
  const oneof: Oneof<DownstreamMessage> = {};
  readMessage(r, systemFields, oneof);
  if (oneof.message === undefined) {
    throw new ProtocolError("unknown_type", "system message is neither connected nor disconnected (newer kind?)");
  }
  return oneof.message;
}

interface ConnectedState {
  connectionId: string;
  userId: string;
  reconnectionToken?: string;
}

const connectedFields: Fields<ConnectedState> = {
  1: stringField("connectionId", "connection_id"),
  2: stringField("userId", "user_id"),
  3: stringField("reconnectionToken", "reconnection_token"),
};

function readConnected(r: ProtoReader): DownstreamMessage {
  const s: ConnectedState = { connectionId: "", userId: "" };
  readMessage(r, connectedFields, s);
  const m: DownstreamMessage & { event: "connected" } = {
    type: "system",
    event: "connected",
    connectionId: nonEmpty(s.connectionId, "connection_id"),
    userId: s.userId === "" ? null : s.userId,
  };
  if (s.reconnectionToken) m.reconnectionToken = s.reconnectionToken;
  return m;
}

const disconnectedFields: Fields<{ reason: string }> = { 2: stringField("reason", "reason") };

function readDisconnected(r: ProtoReader): DownstreamMessage {
  const s = { reason: "" };
  readMessage(r, disconnectedFields, s);
  return { type: "system", event: "disconnected", message: s.reason };
}

/**
 * Encoder/decoder for the protobuf subprotocols. Decoders accept Uint8Array (or ArrayBuffer) frames and throw
 * ProtocolError (1003 for text frames, 1007 for malformed bytes or messages); encoders throw TypeError/RangeError.
 */
export const protobufCodec: {
  encodeUpstream(m: UpstreamMessage): Uint8Array;
  decodeUpstream(frame: Uint8Array): UpstreamMessage;
  encodeDownstream(m: DownstreamMessage): Uint8Array;
  decodeDownstream(frame: Uint8Array): DownstreamMessage;
} = { encodeUpstream, decodeUpstream, encodeDownstream, decodeDownstream };
