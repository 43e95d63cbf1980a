// Decoding what a client sends (what a service does), apart from json-codec.ts: a frame past the JSON bounds is refused
// with what can still be read of it (its type and ackId, see json-scan.ts), which a client's bundle has no use for.
import { shownValue } from "../shown.ts";
import { ProtocolError, withAckId } from "./errors.ts";
import { MAX_JSON_DEPTH } from "./json-bounds.ts";
import { type JsonOnlyDecoder, parseFrame } from "./json-codec.ts";
import { eventName, groupName, has, optBool, optMetadata, optUint, payload, setDefined, uint } from "./json-fields.ts";
import { scanJsonText, topMembers } from "./json-scan.ts";
import type { UpstreamMessage } from "./messages.ts";

const ACKABLE_TYPES: readonly string[] = ['"joinGroup"', '"leaveGroup"', '"sendToGroup"', '"event"'];

/**
 * What a service receives is scanned before JSON.parse (see json-bounds.ts): the message object may nest one level
 * more than its data. A frame beyond the bounds is an invalid message, answerable with its ackId when it is a message
 * kind that has one (the scan reads the top-level "type" and "ackId" without parsing).
 */
function checkBounds(text: string): void {
  const scan = scanJsonText(text, MAX_JSON_DEPTH + 1);
  if (scan.exceeded === undefined) return;
  const why =
    scan.exceeded === "depth"
      ? `its content is nested more than ${MAX_JSON_DEPTH} levels deep`
      : `it is ${scan.problem ?? "too complex"}`;
  const top = topMembers(text, ["type", "ackId"]);
  const rawAckId = top.get("ackId");
  const ackId = rawAckId !== undefined && /^\d{1,15}$/.test(rawAckId) ? Number(rawAckId) : undefined;
  const ackable = ACKABLE_TYPES.includes(top.get("type") ?? "");
  throw new ProtocolError("invalid_message", `the message is refused: ${why}`, undefined, ackable ? ackId : undefined);
}

/**
 * Decodes a client frame (what a service does). Frames of the JSON-only message types (invocations, group streams,
 * a sendToGroup that starts a stream) go to `jsonOnly` (decodeJsonOnlyUpstream); without it they are refused like
 * any type the receiver does not implement (`unknown_type`, or an invalid sendToGroup).
 */
function decodeUpstream(text: string): UpstreamMessage;
function decodeUpstream<T>(text: string, jsonOnly: JsonOnlyDecoder<T>): UpstreamMessage | T;
function decodeUpstream<T>(text: string, jsonOnly?: JsonOnlyDecoder<T>): UpstreamMessage | T {
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
      setDefined(msg, "ackId", ackId);
      return msg;
    }
    case "sendToGroup": {
      if (jsonOnly && has(m, "stream")) return jsonOnly(m, type);
      const ackId = optUint(m, "ackId", type);
      return withAckId(ackId, () => {
        const msg = { type, group: groupName(m, type), ...payload(m, type) } as UpstreamMessage & {
          type: "sendToGroup";
        };
        setDefined(msg, "ackId", ackId);
        setDefined(msg, "noEcho", optBool(m, "noEcho", type));
        setDefined(msg, "ttlSeconds", optUint(m, "ttlSeconds", type));
        setDefined(msg, "metadata", optMetadata(m, type));
        return msg;
      });
    }
    case "event": {
      const ackId = optUint(m, "ackId", type);
      return withAckId(ackId, () => {
        const msg = { type, event: eventName(m, type), ...payload(m, type) } as UpstreamMessage & { type: "event" };
        setDefined(msg, "ackId", ackId);
        setDefined(msg, "metadata", optMetadata(m, type));
        return msg;
      });
    }
    case "sequenceAck":
      return { type, sequenceId: uint(m.sequenceId, "sequenceId", type) };
    case "ping":
      return { type };
    default:
      if (jsonOnly) return jsonOnly(m, type);
      throw new ProtocolError("unknown_type", `unknown client message type ${shownValue(type)}`);
  }
}

export { decodeUpstream as decodeJsonUpstream };
