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
import { CLOSE_UNSUPPORTED_DATA, ProtocolError, withAckId } from "./errors.ts";
import { MAX_JSON_DEPTH, MAX_JSON_OBJECT_MEMBERS, scanJsonText } from "./json-bounds.ts";
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
        throw new TypeError(`unknown dataType ${JSON.stringify((p as { dataType: unknown }).dataType)}`);
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
      throw new TypeError(`unknown upstream message type ${JSON.stringify((m as { type: unknown }).type)}`);
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
          throw new TypeError(`unknown message source ${JSON.stringify((m as { from: unknown }).from)}`);
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
          throw new TypeError(`unknown system event ${JSON.stringify((m as { event: unknown }).event)}`);
        }
      });
      break;
    case "pong":
      w.messageField(4, () => {});
      break;
    default:
      throw new TypeError(`unknown downstream message type ${JSON.stringify((m as { type: unknown }).type)}`);
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

/** Reads each field of a message and hands it to `onField`, which returns false for unknown fields (skipped). */
function readFields(r: ProtoReader, onField: (field: number, wireType: number) => boolean): void {
  while (!r.done) {
    const [field, wireType] = r.tag();
    if (!onField(field, wireType)) r.skip(wireType);
  }
}

/**
 * Reads a top-level message whose fields form a oneof: `read` returns the message of a known field (the last one
 * wins) or undefined for an unknown one, which is skipped; a frame with only unknown fields is an unknown type.
 */
function readOneof<T>(
  r: ProtoReader,
  sender: string,
  name: string,
  read: (field: number, wireType: number) => T | undefined,
): T {
  let message: T | undefined;
  let unknownField: number | undefined;
  readFields(r, (field, wt) => {
    const m = read(field, wt);
    if (m === undefined) {
      unknownField = field;
      return false;
    }
    message = m;
    return true;
  });
  if (message !== undefined) return message;
  if (unknownField !== undefined) {
    throw new ProtocolError("unknown_type", `unknown ${sender} message (${name} field ${unknownField})`);
  }
  throw invalid(`empty ${name}`);
}

function str(r: ProtoReader, wireType: number, what: string): string {
  expectWire(wireType, WIRE_LEN, what);
  return r.string();
}

function uint(r: ProtoReader, wireType: number, what: string): number {
  expectWire(wireType, WIRE_VARINT, what);
  return r.varint();
}

function bool(r: ProtoReader, wireType: number, what: string): boolean {
  expectWire(wireType, WIRE_VARINT, what);
  return r.varint() !== 0;
}

function sub(r: ProtoReader, wireType: number, what: string): ProtoReader {
  expectWire(wireType, WIRE_LEN, what);
  return r.message();
}

/** json_data a service refused to parse (see json-bounds.ts); reported inside withAckId by bounded(). */
interface RefusedJson {
  refused: string;
}

/** The message data; `bounded` (what a service receives from clients) scans json_data before parsing it. */
function readPayload(r: ProtoReader, bounded: true): MessagePayload | RefusedJson;
function readPayload(r: ProtoReader, bounded: false): MessagePayload;
function readPayload(r: ProtoReader, bounded: boolean): MessagePayload | RefusedJson {
  let payload: MessagePayload | RefusedJson | undefined;
  readFields(r, (field, wt) => {
    switch (field) {
      case 1:
        payload = { dataType: "text", data: str(r, wt, "text_data") };
        return true;
      case 2:
        expectWire(wt, WIRE_LEN, "binary_data");
        payload = { dataType: "binary", data: r.bytes().slice() };
        return true;
      case 3:
        expectWire(wt, WIRE_LEN, "protobuf_data");
        payload = { dataType: "protobuf", data: r.bytes().slice() };
        return true;
      case 4: {
        const text = str(r, wt, "json_data");
        if (bounded) {
          const problem = scanJsonText(text, MAX_JSON_DEPTH).problem;
          if (problem !== undefined) {
            payload = { refused: `json_data is ${problem}` };
            return true;
          }
        }
        let data: unknown;
        try {
          data = JSON.parse(text);
        } catch {
          throw invalid("json_data is not valid JSON");
        }
        payload = { dataType: "json", data };
        return true;
      }
      default:
        return false;
    }
  });
  if (payload === undefined) throw invalid("message data has no text, binary, protobuf or json payload");
  return payload;
}

/** Reads one map<string, string> entry into `into` (created when undefined) and returns it. */
function readMapEntry(r: ProtoReader, into: Record<string, string> | undefined): Record<string, string> {
  let key = "";
  let value = "";
  readFields(r, (field, wt) => {
    if (field === 1) key = str(r, wt, "metadata key");
    else if (field === 2) value = str(r, wt, "metadata value");
    else return false;
    return true;
  });
  const map = into ?? {};
  // defineProperty keeps a "__proto__" key as data instead of touching the prototype.
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  return map;
}

/**
 * Metadata entries of one message a service reads (the bound on a JSON object's members); more are counted, not
 * stored, and make the message invalid (see metadataBound).
 */
function readBoundedMapEntry(r: ProtoReader, wt: number, into: Record<string, string> | undefined, count: number) {
  const entry = sub(r, wt, "metadata");
  return count <= MAX_JSON_OBJECT_MEMBERS ? readMapEntry(entry, into) : into;
}

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

function decodeUpstream(frame: Uint8Array): UpstreamMessage {
  const r = new ProtoReader(toBytes(frame, "client"));
  return readOneof<UpstreamMessage>(r, "client", "UpstreamMessage", (field, wt) => {
    switch (field) {
      case 1:
        return readSendToGroup(sub(r, wt, "send_to_group_message"));
      case 5:
        return readEvent(sub(r, wt, "event_message"));
      case 6:
      case 7:
        return readGroupOp(sub(r, wt, "group message"), field === 6 ? "joinGroup" : "leaveGroup");
      case 8: {
        const s = sub(r, wt, "sequence_ack_message");
        let sequenceId = 0;
        readFields(s, (f, w) => {
          if (f !== 1) return false;
          sequenceId = uint(s, w, "sequence_id");
          return true;
        });
        return { type: "sequenceAck", sequenceId };
      }
      case 9:
        sub(r, wt, "ping_message");
        return { type: "ping" };
      default:
        return undefined;
    }
  });
}

function readSendToGroup(r: ProtoReader): UpstreamMessage {
  let group = "";
  let ackId: number | undefined;
  let payload: MessagePayload | RefusedJson | undefined;
  let noEcho: boolean | undefined;
  let ttlSeconds: number | undefined;
  let metadata: Record<string, string> | undefined;
  let entries = 0;
  readFields(r, (field, wt) => {
    switch (field) {
      case 1:
        group = str(r, wt, "group");
        return true;
      case 2:
        ackId = uint(r, wt, "ack_id");
        return true;
      case 3:
        payload = readPayload(sub(r, wt, "data"), true);
        return true;
      case 4:
        noEcho = bool(r, wt, "no_echo");
        return true;
      case 5:
        ttlSeconds = uint(r, wt, "ttl_seconds");
        return true;
      case 6:
        metadata = readBoundedMapEntry(r, wt, metadata, ++entries);
        return true;
      default:
        return false;
    }
  });
  const m = withAckId(ackId, () => {
    metadataBound(entries);
    if (payload === undefined) throw invalid("sendToGroup message has no data");
    return { type: "sendToGroup", group: groupName(group), ...bounded(payload) } as UpstreamMessage & {
      type: "sendToGroup";
    };
  });
  if (ackId !== undefined) m.ackId = ackId;
  if (noEcho !== undefined) m.noEcho = noEcho;
  if (ttlSeconds !== undefined) m.ttlSeconds = ttlSeconds;
  if (metadata !== undefined) m.metadata = metadata;
  return m;
}

function groupName(group: string): string {
  if (!isValidGroupName(group)) {
    throw invalid(`group must be 1 to ${MAX_GROUP_NAME_LENGTH} characters, not whitespace only`);
  }
  return group;
}

function readEvent(r: ProtoReader): UpstreamMessage {
  let event = "";
  let ackId: number | undefined;
  let payload: MessagePayload | RefusedJson | undefined;
  let metadata: Record<string, string> | undefined;
  let entries = 0;
  readFields(r, (field, wt) => {
    switch (field) {
      case 1:
        event = str(r, wt, "event");
        return true;
      case 2:
        payload = readPayload(sub(r, wt, "data"), true);
        return true;
      case 3:
        ackId = uint(r, wt, "ack_id");
        return true;
      case 4:
        metadata = readBoundedMapEntry(r, wt, metadata, ++entries);
        return true;
      default:
        return false;
    }
  });
  const m = withAckId(ackId, () => {
    metadataBound(entries);
    if (payload === undefined) throw invalid("event message has no data");
    if (!isValidEventName(event)) throw invalid("event must match ^[A-Za-z][A-Za-z0-9_.-]{0,127}$");
    return { type: "event", event, ...bounded(payload) } as UpstreamMessage & { type: "event" };
  });
  if (ackId !== undefined) m.ackId = ackId;
  if (metadata !== undefined) m.metadata = metadata;
  return m;
}

function readGroupOp(r: ProtoReader, type: "joinGroup" | "leaveGroup"): UpstreamMessage {
  let group = "";
  let ackId: number | undefined;
  readFields(r, (field, wt) => {
    if (field === 1) group = str(r, wt, "group");
    else if (field === 2) ackId = uint(r, wt, "ack_id");
    else return false;
    return true;
  });
  const m: UpstreamMessage & { type: "joinGroup" | "leaveGroup" } = withAckId(ackId, () => ({
    type,
    group: groupName(group),
  }));
  if (ackId !== undefined) m.ackId = ackId;
  return m;
}

function decodeDownstream(frame: Uint8Array): DownstreamMessage {
  const r = new ProtoReader(toBytes(frame, "service"));
  return readOneof<DownstreamMessage>(r, "service", "DownstreamMessage", (field, wt) => {
    switch (field) {
      case 1:
        return readAck(sub(r, wt, "ack_message"));
      case 2:
        return readData(sub(r, wt, "data_message"));
      case 3:
        return readSystem(sub(r, wt, "system_message"));
      case 4:
        sub(r, wt, "pong_message");
        return { type: "pong" };
      default:
        return undefined;
    }
  });
}

function readAck(r: ProtoReader): DownstreamMessage {
  let ackId = 0;
  let success = false;
  let error: { name: string; message: string } | undefined;
  readFields(r, (field, wt) => {
    switch (field) {
      case 1:
        ackId = uint(r, wt, "ack_id");
        return true;
      case 2:
        success = bool(r, wt, "success");
        return true;
      case 3: {
        const e = sub(r, wt, "error");
        const err = { name: "", message: "" };
        readFields(e, (f, w) => {
          if (f === 1) err.name = str(e, w, "error name");
          else if (f === 2) err.message = str(e, w, "error message");
          else return false;
          return true;
        });
        error = err;
        return true;
      }
      default:
        return false;
    }
  });
  const m: DownstreamMessage & { type: "ack" } = { type: "ack", ackId, success };
  if (error !== undefined) m.error = error;
  return m;
}

function readData(r: ProtoReader): DownstreamMessage {
  let from = "";
  let group: string | undefined;
  let payload: MessagePayload | undefined;
  let sequenceId: number | undefined;
  let metadata: Record<string, string> | undefined;
  readFields(r, (field, wt) => {
    switch (field) {
      case 1:
        from = str(r, wt, "from");
        return true;
      case 2:
        group = str(r, wt, "group");
        return true;
      case 3:
        payload = readPayload(sub(r, wt, "data"), false);
        return true;
      case 4:
        sequenceId = uint(r, wt, "sequence_id");
        return true;
      case 5:
        metadata = readMapEntry(sub(r, wt, "metadata"), metadata);
        return true;
      default:
        return false;
    }
  });
  if (payload === undefined) throw invalid("data message has no data");
  let m: DownstreamMessage & { type: "message" };
  if (from === "group") {
    m = { type: "message", from, group: nonEmpty(group ?? "", "group"), ...payload };
  } else if (from === "server") {
    m = { type: "message", from, ...payload };
  } else {
    throw invalid(`"from" of a data message must be "group" or "server", got ${JSON.stringify(from)}`);
  }
  if (sequenceId !== undefined) m.sequenceId = sequenceId;
  if (metadata !== undefined) m.metadata = metadata;
  return m;
}

function readSystem(r: ProtoReader): DownstreamMessage {
  let message: DownstreamMessage | undefined;
  readFields(r, (field, wt) => {
    if (field === 1) {
      const c = sub(r, wt, "connected_message");
      let connectionId = "";
      let userId = "";
      let reconnectionToken: string | undefined;
      readFields(c, (f, w) => {
        if (f === 1) connectionId = str(c, w, "connection_id");
        else if (f === 2) userId = str(c, w, "user_id");
        else if (f === 3) reconnectionToken = str(c, w, "reconnection_token");
        else return false;
        return true;
      });
      const m: DownstreamMessage & { event: "connected" } = {
        type: "system",
        event: "connected",
        connectionId: nonEmpty(connectionId, "connection_id"),
        userId: userId === "" ? null : userId,
      };
      if (reconnectionToken) m.reconnectionToken = reconnectionToken;
      message = m;
      return true;
    }
    if (field === 2) {
      const d = sub(r, wt, "disconnected_message");
      let reason = "";
      readFields(d, (f, w) => {
        if (f !== 2) return false;
        reason = str(d, w, "reason");
        return true;
      });
      message = { type: "system", event: "disconnected", message: reason };
      return true;
    }
    return false;
  });
  if (message === undefined) {
    throw new ProtocolError("unknown_type", "system message is neither connected nor disconnected (newer kind?)");
  }
  return message;
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
