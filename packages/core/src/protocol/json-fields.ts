// Field readers and writers shared by the JSON codecs (json-codec.ts for the messages every subprotocol has,
// json-only-codec.ts for invocations and group streams): each reader checks one field of a parsed frame and throws an
// invalid_message ProtocolError naming it, quoting at most 64 characters of the peer's value.

import { base64Decode, base64Encode } from "../base64.ts";
import { isValidEventName, isValidGroupName, MAX_GROUP_NAME_LENGTH } from "../names.ts";
import { shownValue } from "../shown.ts";
import { ProtocolError } from "./errors.ts";
import type { DataType, MessagePayload } from "./messages.ts";

/** A parsed JSON frame: an object with a string `type`. */
export type JsonFields = Record<string, unknown>;

export function invalid(message: string): ProtocolError {
  return new ProtocolError("invalid_message", message);
}

/** `kind` with its indefinite article, for "of a ... message": "an ack", "an invoke", "a joinGroup". */
export function aOrAn(kind: string): string {
  return `${/^[aeiou]/i.test(kind) ? "an" : "a"} ${kind}`;
}

/** Whether the frame has `field` with a value (null counts as absent). */
export function has(m: JsonFields, field: string): boolean {
  return m[field] !== undefined && m[field] !== null;
}

export function str(m: JsonFields, field: string, type: string): string {
  const v = m[field];
  if (typeof v !== "string") throw invalid(`"${field}" of ${aOrAn(type)} message must be a string`);
  return v;
}

export function nonEmpty(m: JsonFields, field: string, type: string): string {
  const v = str(m, field, type);
  if (v.length === 0) throw invalid(`"${field}" of ${aOrAn(type)} message must not be empty`);
  return v;
}

export function optString(m: JsonFields, field: string, type: string): string | undefined {
  const v = m[field];
  return v === undefined || v === null ? undefined : str(m, field, type);
}

export function uint(v: unknown, field: string, type: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw invalid(`"${field}" of ${aOrAn(type)} message must be a non-negative integer`);
  }
  return v;
}

/** Optional unsigned integer; null counts as absent. */
export function optUint(m: JsonFields, field: string, type: string): number | undefined {
  const v = m[field];
  return v === undefined || v === null ? undefined : uint(v, field, type);
}

export function optBool(m: JsonFields, field: string, type: string): boolean | undefined {
  const v = m[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw invalid(`"${field}" of ${aOrAn(type)} message must be a boolean`);
  return v;
}

/** A JSON object field (not an array); null counts as absent. */
export function optObject(m: JsonFields, field: string, type: string): JsonFields | undefined {
  const v = m[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v))
    throw invalid(`"${field}" of ${aOrAn(type)} message must be an object`);
  return v as JsonFields;
}

export function optMetadata(m: JsonFields, type: string): Record<string, string> | undefined {
  const v = optObject(m, "metadata", type);
  if (v === undefined) return undefined;
  const entries = Object.entries(v);
  for (const [k, value] of entries) {
    if (typeof value !== "string")
      throw invalid(`"metadata" value ${shownValue(k)} of ${aOrAn(type)} message must be a string`);
  }
  // fromEntries defines each key as data, so a "__proto__" key stays an entry instead of touching the prototype.
  return Object.fromEntries(entries) as Record<string, string>;
}

export function payload(m: JsonFields, type: string): MessagePayload {
  const dataType = (m.dataType ?? "json") as DataType;
  if (!("data" in m)) throw invalid(`${aOrAn(type)} message must have a "data" field`);
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
      throw invalid(`"dataType" of ${aOrAn(type)} message must be "json", "text", "binary" or "protobuf"`);
  }
}

/**
 * Writes a message's payload into a frame (binary and protobuf data as base64), after checking that the data fits its
 * dataType (a TypeError otherwise: the caller built an impossible message).
 */
export function payloadJson(p: MessagePayload, out: JsonFields): void {
  const { dataType, data } = p;
  if (dataType === "text" ? typeof data !== "string" : dataType !== "json" && !(data instanceof Uint8Array)) {
    throw new TypeError(
      dataType === "text"
        ? "data of a text message must be a string"
        : `data of a ${dataType} message must be a Uint8Array`,
    );
  }
  out.dataType = dataType;
  out.data = dataType === "binary" || dataType === "protobuf" ? base64Encode(data) : data;
}

export function groupName(m: JsonFields, type: string): string {
  const v = str(m, "group", type);
  if (!isValidGroupName(v)) {
    throw invalid(
      `"group" of ${aOrAn(type)} message must be 1 to ${MAX_GROUP_NAME_LENGTH} characters, not whitespace only`,
    );
  }
  return v;
}

export function eventName(m: JsonFields, type: string): string {
  const v = str(m, "event", type);
  if (!isValidEventName(v)) {
    throw invalid(`"event" of ${aOrAn(type)} message must match ^[A-Za-z][A-Za-z0-9_.-]{0,127}$`);
  }
  return v;
}

/** Sets `target[key]` when `value` is defined: an absent optional field stays absent in the decoded message. */
export function setDefined<T, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
