// Blocking user events (protocol.md 5.7): request body by data type, reply by response Content-Type.
import {
  isJsonMediaType,
  type MessagePayload,
  mediaType,
  scanJsonText,
  shown,
  shownValue,
  utf8Decode,
} from "@webpubsub/core";
import { readConnectionState } from "./cloud-event.ts";
import { type DeliveryOutcome, responseText } from "./http-delivery.ts";
import type { UserEventResult } from "./types.ts";

/** Content-Type and body of a user event: text/plain, application/json (raw JSON), octet-stream or x-protobuf bytes. */
export function encodeUserEventBody(payload: MessagePayload): { contentType: string; body: Uint8Array | string } {
  switch (payload.dataType) {
    case "text":
      return { contentType: "text/plain; charset=utf-8", body: payload.data };
    case "json":
      return { contentType: "application/json; charset=utf-8", body: JSON.stringify(payload.data) ?? "null" };
    case "binary":
      return { contentType: "application/octet-stream", body: payload.data };
    case "protobuf":
      return { contentType: "application/x-protobuf", body: payload.data };
    default:
      throw new TypeError(
        `payload.dataType must be "text", "json", "binary" or "protobuf", got ${shownValue((payload as { dataType: unknown }).dataType)}`,
      );
  }
}

/**
 * The reply a handler's 2xx body asks for, by its Content-Type: JSON types -> json, text/* -> text,
 * application/x-protobuf -> protobuf, anything else (octet-stream, none) -> binary. An empty body is no reply.
 */
export function decodeReply(body: Uint8Array, contentType: string | null): MessagePayload | undefined {
  if (body.byteLength === 0) return undefined;
  const type = mediaType(contentType);
  if (isJsonMediaType(type)) {
    const text = utf8Decode(body);
    // the bounds of JSON from clients apply to replies too: they are parsed here and re-encoded for the client
    const problem = scanJsonText(text).problem;
    if (problem !== undefined) throw new RangeError(`JSON ${problem}`);
    return { dataType: "json", data: JSON.parse(text) as unknown };
  }
  if (type.startsWith("text/")) return { dataType: "text", data: utf8Decode(body) };
  if (type === "application/x-protobuf" || type === "application/protobuf") return { dataType: "protobuf", data: body };
  return { dataType: "binary", data: body };
}

/** Turns the handler's answer to a user event into the emulator's next step. */
export function interpretUserEventResponse(outcome: DeliveryOutcome, event: string): UserEventResult {
  if (outcome.kind === "failure") {
    const result: UserEventResult = {
      kind: "error",
      message: `event handler for ${shown(event)} failed: ${outcome.message}`,
    };
    if (outcome.reason === "timeout" || outcome.reason === "cancelled") result.reason = outcome.reason;
    return result;
  }
  const { status, body, headers } = outcome;
  if (status < 200 || status > 299) {
    const detail = responseText(body);
    return {
      kind: "error",
      status,
      message: `event handler for ${shown(event)} answered ${status}${detail ? `: ${detail}` : ""}`,
    };
  }
  let reply: MessagePayload | undefined;
  try {
    reply = decodeReply(body, headers.get("content-type"));
  } catch (e) {
    const why = e instanceof RangeError ? e.message : "invalid JSON";
    return { kind: "error", status, message: `event handler for ${shown(event)} answered ${why}` };
  }
  const result: Extract<UserEventResult, { kind: "ok" }> = { kind: "ok" };
  if (reply !== undefined) result.reply = reply;
  const state = readConnectionState(headers);
  if (state !== undefined) result.connectionState = state;
  return result;
}
