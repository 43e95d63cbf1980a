// The messages only the JSON subprotocols have (the protobuf definition has none of them): invocations (`invoke`,
// `cancelInvocation`, `invokeResponse`) and group streams (a sendToGroup with `stream`, `streamData`, `streamEnd`,
// `streamAck`, `streamNack`, `streamClosed`), per client-spec 3.6 and the JSON subprotocol reference. json-codec.ts
// parses the frame and hands these types here; a client that never uses invocations or streams does not bundle this.

import { shownValue } from "../shown.ts";
import { ProtocolError, type ReplyTo, withReplyTo } from "./errors.ts";
import {
  aOrAn,
  eventName,
  groupName,
  has,
  invalid,
  type JsonFields,
  nonEmpty,
  optBool,
  optObject,
  optString,
  payload,
  payloadJson,
  setDefined,
  str,
  uint,
} from "./json-fields.ts";
import type {
  CancelInvocationMessage,
  InvokeMessage,
  InvokeResponseMessage,
  JsonDownstreamMessage,
  JsonUpstreamMessage,
  MessagePayload,
  StreamAckMessage,
  StreamClosedMessage,
  StreamDataMessage,
  StreamEndMessage,
  StreamNackMessage,
  StreamStartMessage,
} from "./messages.ts";

/** Client messages of the JSON subprotocols only. */
export type JsonOnlyUpstreamMessage =
  | InvokeMessage
  | CancelInvocationMessage
  | StreamStartMessage
  | StreamDataMessage
  | StreamEndMessage;

/** Service messages of the JSON subprotocols only. */
export type JsonOnlyDownstreamMessage =
  | InvokeResponseMessage
  | StreamAckMessage
  | StreamNackMessage
  | StreamClosedMessage;

export function isJsonOnlyUpstream(m: JsonUpstreamMessage): m is JsonOnlyUpstreamMessage {
  return (
    m.type === "invoke" ||
    m.type === "cancelInvocation" ||
    m.type === "streamData" ||
    m.type === "streamEnd" ||
    (m.type === "sendToGroup" && m.stream !== undefined)
  );
}

export function isJsonOnlyDownstream(m: JsonDownstreamMessage): m is JsonOnlyDownstreamMessage {
  return m.type === "invokeResponse" || m.type === "streamAck" || m.type === "streamNack" || m.type === "streamClosed";
}

/**
 * Whether the frame carries a payload at all (`dataType` or `data`). Only these messages have an optional payload; it
 * lives here rather than in json-fields.ts so that a bundle of the common codec alone does not carry it.
 */
function hasPayload(m: JsonFields): boolean {
  return m.dataType !== undefined || m.data !== undefined;
}

/** Copies an optional payload (both fields or neither) into a frame. */
function optionalPayloadJson(m: Partial<MessagePayload>, out: JsonFields): void {
  if (m.dataType === undefined && m.data === undefined) return;
  payloadJson(m as MessagePayload, out);
}

/** Encodes a JSON-only client message. Throws TypeError on bad input. */
export function encodeJsonOnlyUpstream(m: JsonOnlyUpstreamMessage): string {
  const out: JsonFields = { type: m.type };
  switch (m.type) {
    case "invoke":
      out.invocationId = m.invocationId;
      out.target = m.target;
      out.event = m.event;
      optionalPayloadJson(m, out);
      break;
    case "cancelInvocation":
      out.invocationId = m.invocationId;
      break;
    case "sendToGroup": {
      out.group = m.group;
      if (m.noEcho !== undefined) out.noEcho = m.noEcho;
      const stream: JsonFields = { streamId: m.stream.streamId };
      if (m.stream.idleTimeoutMs !== undefined) stream.idleTimeoutMs = m.stream.idleTimeoutMs;
      out.stream = stream;
      break;
    }
    case "streamData":
      out.streamId = m.streamId;
      if (m.streamSequenceId !== undefined) {
        out.streamSequenceId = m.streamSequenceId;
        payloadJson(m, out);
      }
      break;
    case "streamEnd":
      out.streamId = m.streamId;
      if (m.error !== undefined) {
        const error: JsonFields = {};
        if (m.error.message !== undefined) error.message = m.error.message;
        if (m.error.userErrorCode !== undefined) error.userErrorCode = m.error.userErrorCode;
        out.error = error;
      }
      break;
    default:
      throw new TypeError(`unknown upstream message type ${shownValue((m as { type: unknown }).type)}`);
  }
  return JSON.stringify(out);
}

/** An id the peer could be answered with, when the frame has a valid one (else undefined). */
function replyId(m: JsonFields, field: "invocationId" | "streamId"): ReplyTo {
  const v = m[field];
  return typeof v === "string" && v.length > 0 ? { [field]: v } : {};
}

/** A positive integer (stream sequence ids and idle timeouts start at 1). */
function positive(v: unknown, field: string, type: string): number {
  const n = uint(v, field, type);
  if (n === 0) throw invalid(`"${field}" of ${aOrAn(type)} message must be at least 1`);
  return n;
}

/**
 * Decodes the fields of a JSON-only client frame of `type` (pass it to jsonCodec.decodeUpstream). An invalid frame
 * whose invocationId or streamId is valid throws a ProtocolError carrying that id, so a service can answer it.
 */
export function decodeJsonOnlyUpstream(m: JsonFields, type: string): JsonOnlyUpstreamMessage {
  switch (type) {
    case "invoke":
      return withReplyTo(replyId(m, "invocationId"), () => {
        const invocationId = nonEmpty(m, "invocationId", type);
        if (has(m, "target") && m.target !== "event") throw invalid(`"target" of an invoke message must be "event"`);
        const msg: InvokeMessage = { type, invocationId, target: "event", event: eventName(m, type) };
        return hasPayload(m) ? { ...msg, ...payload(m, type) } : msg;
      });
    case "cancelInvocation":
      return { type, invocationId: nonEmpty(m, "invocationId", type) };
    case "sendToGroup": {
      const s = optObject(m, "stream", type);
      if (s === undefined) throw invalid('"stream" of a stream start must be an object');
      return withReplyTo(replyId(s, "streamId"), () => {
        const msg: StreamStartMessage = {
          type,
          group: groupName(m, type),
          stream: { streamId: nonEmpty(s, "streamId", "stream start") },
        };
        if (hasPayload(m)) throw invalid("a stream start must not have data or dataType");
        setDefined(msg, "noEcho", optBool(m, "noEcho", type));
        if (has(s, "idleTimeoutMs"))
          msg.stream.idleTimeoutMs = positive(s.idleTimeoutMs, "idleTimeoutMs", "stream start");
        return msg;
      });
    }
    case "streamData":
      return withReplyTo(replyId(m, "streamId"), () => {
        const streamId = nonEmpty(m, "streamId", type);
        if (!has(m, "streamSequenceId") && !hasPayload(m)) return { type, streamId };
        // A fragment has all three of streamSequenceId, dataType and data (client-spec 3.6.2).
        if (m.dataType === undefined) throw invalid('a streamData fragment must have "dataType"');
        const streamSequenceId = positive(m.streamSequenceId, "streamSequenceId", type);
        return { type, streamId, streamSequenceId, ...payload(m, type) };
      });
    case "streamEnd":
      return withReplyTo(replyId(m, "streamId"), () => {
        const msg: StreamEndMessage = { type, streamId: nonEmpty(m, "streamId", type) };
        const e = optObject(m, "error", type);
        if (e !== undefined) {
          // The service names the error (UserError); the publisher only describes it.
          if ("name" in e) throw invalid('"error" of a streamEnd message must not have a "name"');
          const error: NonNullable<StreamEndMessage["error"]> = {};
          setDefined(error, "message", optString(e, "message", "streamEnd error"));
          setDefined(error, "userErrorCode", optString(e, "userErrorCode", "streamEnd error"));
          msg.error = error;
        }
        return msg;
      });
    default:
      throw new ProtocolError("unknown_type", `unknown client message type ${shownValue(type)}`);
  }
}

/** Encodes a JSON-only service message. Throws TypeError on bad input. */
export function encodeJsonOnlyDownstream(m: JsonOnlyDownstreamMessage): string {
  const out: JsonFields = { type: m.type };
  switch (m.type) {
    case "invokeResponse":
      out.invocationId = m.invocationId;
      out.success = m.success;
      optionalPayloadJson(m, out);
      if (m.error !== undefined) out.error = { name: m.error.name, message: m.error.message };
      break;
    case "streamAck":
      out.streamId = m.streamId;
      out.expectedSequenceId = m.expectedSequenceId;
      break;
    case "streamNack":
      out.streamId = m.streamId;
      out.expectedSequenceId = m.expectedSequenceId;
      out.name = m.name;
      if (m.message !== undefined) out.message = m.message;
      break;
    case "streamClosed":
      out.streamId = m.streamId;
      if (m.error !== undefined) {
        out.error = m.error.message === undefined ? { name: m.error.name } : { ...m.error };
      }
      break;
    default:
      throw new TypeError(`unknown downstream message type ${shownValue((m as { type: unknown }).type)}`);
  }
  return JSON.stringify(out);
}

/** `{ name, message? }` of a stream nack or close. */
function namedError(e: JsonFields, type: string): { name: string; message?: string } {
  const out: { name: string; message?: string } = { name: str(e, "name", type) };
  setDefined(out, "message", optString(e, "message", type));
  return out;
}

/** Decodes the fields of a JSON-only service frame of `type` (pass it to decodeJsonDownstream). */
export function decodeJsonOnlyDownstream(m: JsonFields, type: string): JsonOnlyDownstreamMessage {
  switch (type) {
    case "invokeResponse": {
      // A response that does not say it succeeded is a failure.
      const success = optBool(m, "success", type) === true;
      const msg: InvokeResponseMessage = { type, invocationId: nonEmpty(m, "invocationId", type), success };
      const e = optObject(m, "error", type);
      if (e !== undefined) {
        msg.error = {
          name: str(e, "name", "invokeResponse error"),
          message: optString(e, "message", "invokeResponse error") ?? "",
        };
      }
      return hasPayload(m) ? { ...msg, ...payload(m, type) } : msg;
    }
    case "streamAck":
      return {
        type,
        streamId: nonEmpty(m, "streamId", type),
        expectedSequenceId: uint(m.expectedSequenceId, "expectedSequenceId", type),
      };
    case "streamNack": {
      const msg: StreamNackMessage = {
        type,
        streamId: nonEmpty(m, "streamId", type),
        expectedSequenceId: uint(m.expectedSequenceId, "expectedSequenceId", type),
        ...namedError(m, type),
      };
      return msg;
    }
    case "streamClosed": {
      const msg: StreamClosedMessage = { type, streamId: nonEmpty(m, "streamId", type) };
      const e = optObject(m, "error", type);
      if (e !== undefined) msg.error = namedError(e, "streamClosed error");
      return msg;
    }
    default:
      throw new ProtocolError("unknown_type", `unknown service message type ${shownValue(type)}`);
  }
}
