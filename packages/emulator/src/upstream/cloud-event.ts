// Binary-mode CloudEvents request headers (protocol.md 5.3) and the connection-state response header (5.8).
import { CloudEventsHeaders } from "@webpubsub/core";

export interface CloudEventFields {
  /** Full ce-type, e.g. azure.webpubsub.sys.connect or azure.webpubsub.user.chat. */
  type: string;
  eventName: string;
  eventId: number;
  hub: string;
  connectionId: string;
  userId: string | null;
  subprotocol?: string | undefined;
  connectionState?: string | undefined;
  /** The ce-signature value ("sha256=<hex>,sha256=<hex>"). */
  signature: string;
  /** The emulator's host:port (WebHook-Request-Origin). */
  origin: string;
  contentType: string;
  time: Date;
  /** MQTT connections: `ce-physicalConnectionId` and `ce-sessionId` */
  physicalConnectionId?: string | undefined;
  sessionId?: string | undefined;
}

/**
 * A header value as bytes on the wire: ASCII passes through; other characters are sent as their UTF-8 bytes (fetch
 * only takes Latin-1 strings). Control characters cannot travel in a header: TypeError.
 */
export function toHeaderValue(value: string, name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) {
    throw new TypeError(`${name} contains a control character and cannot be sent as an HTTP header`);
  }
  if (/^[\x20-\x7e\t]*$/.test(value)) return value;
  return Buffer.from(value, "utf8").toString("latin1");
}

/** All ce-* headers of one event, plus Content-Type and WebHook-Request-Origin. Throws TypeError on unsendable values. */
export function buildCloudEventHeaders(f: CloudEventFields): Headers {
  const h = new Headers();
  h.set("content-type", f.contentType);
  h.set(CloudEventsHeaders.webhookRequestOrigin, toHeaderValue(f.origin, "origin"));
  h.set(CloudEventsHeaders.specVersion, "1.0");
  h.set(CloudEventsHeaders.awpsVersion, "1.0");
  h.set(CloudEventsHeaders.type, toHeaderValue(f.type, "ce-type"));
  h.set(CloudEventsHeaders.source, toHeaderValue(`/hubs/${f.hub}/client/${f.connectionId}`, "ce-source"));
  h.set(CloudEventsHeaders.id, String(f.eventId));
  h.set(CloudEventsHeaders.time, f.time.toISOString());
  h.set(CloudEventsHeaders.signature, f.signature);
  if (f.userId !== null) h.set(CloudEventsHeaders.userId, toHeaderValue(f.userId, "userId"));
  h.set(CloudEventsHeaders.connectionId, toHeaderValue(f.connectionId, "connectionId"));
  h.set(CloudEventsHeaders.hub, toHeaderValue(f.hub, "hub"));
  h.set(CloudEventsHeaders.eventName, toHeaderValue(f.eventName, "ce-eventName"));
  if (f.subprotocol) h.set(CloudEventsHeaders.subprotocol, toHeaderValue(f.subprotocol, "subprotocol"));
  if (f.connectionState) {
    h.set(CloudEventsHeaders.connectionState, toHeaderValue(f.connectionState, "connectionState"));
  }
  if (f.physicalConnectionId)
    h.set("ce-physicalConnectionId", toHeaderValue(f.physicalConnectionId, "physicalConnectionId"));
  if (f.sessionId) h.set("ce-sessionId", toHeaderValue(f.sessionId, "sessionId"));
  return h;
}

/**
 * The connection state a blocking event's response sets (protocol.md 5.8): undefined when the header is absent
 * (unchanged), null when it is empty (cleared), else the value. When a handler sends the header more than once,
 * fetch joins the values with ", "; the last one wins.
 */
export function readConnectionState(headers: Headers): string | null | undefined {
  const raw = headers.get(CloudEventsHeaders.connectionState);
  if (raw === null) return undefined;
  const last = raw.split(", ").at(-1)!.trim();
  return last === "" ? null : last;
}
