// Message payloads: checks data against its dataType and converts binary inputs to Uint8Array.

import type { MessagePayload } from "@webpubsub/core";
import { refuse } from "./validation.ts";

/** The data types a message can carry. `binary`/`protobuf` data is a Uint8Array or ArrayBuffer (or any view). */
export type WebPubSubDataType = "text" | "json" | "binary" | "protobuf";

/** Binary data (a Uint8Array, an ArrayBuffer or any view) as a Uint8Array over the same bytes; else undefined. */
export function asBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data; // includes Node Buffers
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/** What `data` must be for each dataType. */
const EXPECTED_DATA = {
  text: "a string",
  json: "a JSON value",
  binary: "a Uint8Array or ArrayBuffer",
  protobuf: "a Uint8Array or ArrayBuffer",
};

/** Checks `data` against `dataType` and converts binary inputs to Uint8Array. Throws TypeError naming the argument. */
export function toPayload(data: unknown, dataType: unknown, argName = "data"): MessagePayload {
  switch (dataType) {
    case "text":
      if (typeof data === "string") return { dataType, data };
      break;
    case "json":
      if (data !== undefined && typeof data !== "function" && typeof data !== "symbol" && typeof data !== "bigint") {
        return { dataType, data };
      }
      break;
    case "binary":
    case "protobuf": {
      const bytes = asBytes(data);
      if (bytes) return { dataType, data: bytes };
      break;
    }
    default:
      refuse("dataType", '"text", "json", "binary" or "protobuf"', dataType);
  }
  return refuse(argName, `${EXPECTED_DATA[dataType]} when dataType is "${dataType}"`, data);
}

/**
 * `data` as it is now, for a message encoded later: bytes copied, a JSON object or array copied through its JSON text
 * (a cycle or a BigInt throws here, as encoding would); strings and other primitives cannot change.
 */
export function copied(data: unknown): unknown {
  if (data instanceof Uint8Array) return new Uint8Array(data); // a copy (a Node Buffer's slice() would not be)
  const text = typeof data === "object" && data ? JSON.stringify(data) : undefined;
  return text === undefined ? data : JSON.parse(text);
}

/**
 * Received data as the app asked for it (options.binaryType): with "arraybuffer", `binary` and `protobuf` data become
 * an ArrayBuffer holding exactly the bytes (the message is copied, never modified); otherwise the message is returned.
 */
export function withBinaryType<T extends { dataType?: string; data?: unknown }>(
  message: T,
  binaryType: "uint8array" | "arraybuffer",
): T {
  const { data } = message;
  if (binaryType !== "arraybuffer" || !(data instanceof Uint8Array)) return message;
  const whole =
    data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
  return { ...message, data: whole ? data.buffer : data.slice().buffer };
}
