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
