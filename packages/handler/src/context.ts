// Recognizing CloudEvents requests from Web PubSub and building the ConnectionContext from their headers.
import { CloudEventsHeaders, CloudEventTypes, decodeConnectionState } from "@webpubsub/core";
import type { ConnectionContext } from "./types.ts";

export type EventKind = "connect" | "connected" | "disconnected" | "groupJoined" | "groupLeft" | "user";

/** The kind of Web PubSub event a `ce-type` names, or undefined for anything else. */
export function eventKind(type: string | null): EventKind | undefined {
  if (type === null) return undefined;
  if (type.startsWith(CloudEventTypes.userPrefix) && type.length > CloudEventTypes.userPrefix.length) return "user";
  switch (type) {
    case CloudEventTypes.connect:
      return "connect";
    case CloudEventTypes.connected:
      return "connected";
    case CloudEventTypes.disconnected:
      return "disconnected";
    case CloudEventTypes.groupJoined:
      return "groupJoined";
    case CloudEventTypes.groupLeft:
      return "groupLeft";
    default:
      return undefined;
  }
}

/** Whether the request carries the CloudEvents markers the service always sends. */
export function isCloudEvent(headers: Headers): boolean {
  return headers.has(CloudEventsHeaders.awpsVersion) || headers.has(CloudEventsHeaders.specVersion);
}

function optional(headers: Headers, name: string): string | undefined {
  const value = headers.get(name);
  return value === null || value === "" ? undefined : value;
}

/** The event's name: `ce-eventName`, else from the type (a system event's last segment, a user event's whole name). */
export function eventNameOf(headers: Headers, type: string): string {
  return (
    optional(headers, CloudEventsHeaders.eventName) ??
    (type.startsWith(CloudEventTypes.userPrefix)
      ? type.slice(CloudEventTypes.userPrefix.length)
      : type.split(".").pop()!)
  );
}

export function buildContext(headers: Headers, type: string, signal: AbortSignal): ConnectionContext {
  const subprotocol = optional(headers, CloudEventsHeaders.subprotocol);
  const physicalConnectionId = optional(headers, "ce-physicalconnectionid");
  const eventName = eventNameOf(headers, type);
  const context: ConnectionContext = {
    hub: headers.get(CloudEventsHeaders.hub) ?? "",
    connectionId: headers.get(CloudEventsHeaders.connectionId) ?? "",
    eventName,
    type,
    states: decodeConnectionState(headers.get(CloudEventsHeaders.connectionState)),
    clientProtocol: "default",
    signal,
    headers,
  };
  const userId = optional(headers, CloudEventsHeaders.userId);
  if (userId !== undefined) context.userId = userId;
  if (subprotocol !== undefined) context.subprotocol = subprotocol;
  const origin = optional(headers, CloudEventsHeaders.webhookRequestOrigin);
  if (origin !== undefined) context.origin = origin;
  const signature = optional(headers, CloudEventsHeaders.signature);
  if (signature !== undefined) context.signature = signature;
  if (physicalConnectionId !== undefined && subprotocol?.toLowerCase().includes("mqtt")) {
    markMqtt(context, physicalConnectionId, headers);
  }
  return context;
}

/** Marks a context as an MQTT connection (headers, or for `connect` an `mqtt` body, say so). */
export function markMqtt(context: ConnectionContext, physicalConnectionId: string | undefined, headers: Headers): void {
  context.clientProtocol = "mqtt";
  const sessionId = optional(headers, "ce-sessionid");
  context.mqtt = { physicalConnectionId: physicalConnectionId ?? "" };
  if (sessionId !== undefined) context.mqtt.sessionId = sessionId;
}
