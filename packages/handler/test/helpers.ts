// Builders for the CloudEvents requests the service sends, used by the unit and adapter tests.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { signConnectionId } from "@webpubsub/core";
import { WebPubSubEventHandler, type WebPubSubEventHandlerOptions } from "../src/index.ts";

export const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
export const OTHER_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210ZYXWVUT";

export interface EventInit {
  type: string;
  hub?: string;
  connectionId?: string;
  userId?: string;
  eventName?: string;
  body?: BodyInit | null;
  contentType?: string;
  headers?: Record<string, string>;
  path?: string;
  origin?: string;
}

/** A POST the service would send for an event (no signature unless headers give one). */
export function eventRequest(init: EventInit): Request {
  const connectionId = init.connectionId ?? "conn1";
  const headers = new Headers({
    "ce-specversion": "1.0",
    "ce-awpsversion": "1.0",
    "ce-type": init.type,
    "ce-source": `/hubs/${init.hub ?? "hub"}/client/${connectionId}`,
    "ce-id": "1",
    "ce-time": new Date(0).toISOString(),
    "ce-hub": init.hub ?? "hub",
    "ce-connectionid": connectionId,
    "ce-userid": init.userId ?? "user",
    "ce-eventname": init.eventName ?? init.type.split(".").pop()!,
    "webhook-request-origin": init.origin ?? "a.com",
    "content-type": init.contentType ?? "application/json; charset=utf-8",
  });
  for (const [k, v] of Object.entries(init.headers ?? {})) headers.set(k, v);
  return new Request(`http://localhost${init.path ?? "/api/webpubsub/hubs/hub/"}`, {
    method: "POST",
    headers,
    body: init.body === undefined ? "{}" : init.body,
  });
}

/** Same as eventRequest, with a ce-signature made from the given keys. */
export async function signedEventRequest(init: EventInit, keys: string[] = [KEY]): Promise<Request> {
  const signature = await signConnectionId(init.connectionId ?? "conn1", keys);
  return eventRequest({ ...init, headers: { ...init.headers, "ce-signature": signature } });
}

export const CONNECT = "azure.webpubsub.sys.connect";
export const CONNECTED = "azure.webpubsub.sys.connected";
export const DISCONNECTED = "azure.webpubsub.sys.disconnected";
export const USER_MESSAGE = "azure.webpubsub.user.message";

export const MQTT_HEADERS = { "ce-subprotocol": "mqtt", "ce-physicalconnectionid": "phys1", "ce-sessionid": "sess1" };

/** The vendored test vectors (fixtures/reference/vectors.json at the repository root). */
export const VECTORS_PATH = fileURLToPath(new URL("../../../fixtures/reference/vectors.json", import.meta.url));

/** The eventHandler section of the vendored vectors. */
export function loadEventHandlerVectors(): Record<string, unknown> {
  const all = JSON.parse(readFileSync(VECTORS_PATH, "utf8")) as { eventHandler?: Record<string, unknown> };
  if (all.eventHandler === undefined) throw new Error(`${VECTORS_PATH} has no eventHandler section`);
  return all.eventHandler;
}

/** A handler of hub "hub" with `options`, and the errors it reports (onError) in order. */
export function make(options: WebPubSubEventHandlerOptions): { handler: WebPubSubEventHandler; errors: unknown[] } {
  const errors: unknown[] = [];
  const handler = new WebPubSubEventHandler("hub", { onError: (e) => errors.push(e), ...options });
  return { handler, errors };
}
