// Message payloads: checks data against its dataType and converts binary inputs to Uint8Array.

import type { MessagePayload } from "@webpubsub/core";

/** The data types a message can carry. `binary`/`protobuf` data is a Uint8Array or ArrayBuffer (or any view). */
export type WebPubSubDataType = "text" | "json" | "binary" | "protobuf";

/** Checks `data` against `dataType` and converts binary inputs to Uint8Array. Throws TypeError naming the argument. */
export function toPayload(data: unknown, dataType: unknown, argName = "data"): MessagePayload {
  switch (dataType) {
    case "text":
      if (typeof data !== "string") throw new TypeError(`${argName} must be a string when dataType is "text"`);
      return { dataType, data };
    case "json":
      if (data === undefined || typeof data === "function" || typeof data === "symbol" || typeof data === "bigint") {
        throw new TypeError(`${argName} must be a JSON value when dataType is "json", got ${typeof data}`);
      }
      return { dataType, data };
    case "binary":
    case "protobuf":
      if (data instanceof Uint8Array) return { dataType, data };
      if (data instanceof ArrayBuffer) return { dataType, data: new Uint8Array(data) };
      if (ArrayBuffer.isView(data)) {
        return { dataType, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
      }
      throw new TypeError(`${argName} must be a Uint8Array or ArrayBuffer when dataType is "${dataType}"`);
    default:
      throw new TypeError(`dataType must be "text", "json", "binary" or "protobuf", got ${String(dataType)}`);
  }
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
