// Cross-protocol content (reference-mqtt-cross-protocol-communication): the MQTT 5.0 Content Type maps to a Web PubSub
// data type and back; MQTT 3.1.1 messages (and 5.0 ones without a known content type) are binary. Text and JSON travel
// as UTF-8, binary and protobuf as the same bytes. The QoS a subscriber gets is the lower of the sender's QoS and its
// subscription's: MQTT publishers send at their PUBLISH QoS, everything else (REST, Web PubSub clients) at QoS 1.

import type { Outgoing, Payload, PayloadKind } from "../outgoing.ts";
import { mediaType, type QoS, scanJsonText, utf8Decode } from "./deps.ts";

const CONTENT_TYPES: Record<PayloadKind, string> = {
  json: "application/json",
  text: "text/plain",
  protobuf: "application/x-protobuf",
  binary: "application/octet-stream",
};

/** The MQTT 5.0 Content Type of a Web PubSub payload. */
export function contentTypeOf(kind: PayloadKind): string {
  return CONTENT_TYPES[kind];
}

/** The payload bytes of an MQTT PUBLISH carrying `p`. */
export function payloadBytes(p: Payload): Buffer {
  if (p.kind === "binary" || p.kind === "protobuf") return p.bytes ?? Buffer.alloc(0);
  return Buffer.from(p.text ?? "", "utf8");
}

/** Thrown when a PUBLISH's payload does not match its Content Type (5.0 reason Payload Format Invalid). */
export class PayloadInvalid extends Error {
  override name = "PayloadInvalid";
}

/** The Web PubSub payload of an MQTT PUBLISH; throws PayloadInvalid for text that is not UTF-8 or JSON that is not. */
export function payloadFromMqtt(bytes: Buffer, contentType: string | undefined): Payload {
  const media = contentType === undefined ? undefined : mediaType(contentType);
  if (media === "application/json" || media === "text/plain") {
    let text: string;
    try {
      text = utf8Decode(bytes);
    } catch {
      throw new PayloadInvalid(`The payload is not UTF-8 text, as its content type '${media}' says.`);
    }
    if (media === "text/plain") return { kind: "text", text };
    if (scanJsonText(text).problem !== undefined || !isJson(text)) {
      throw new PayloadInvalid("The payload is not JSON, as its content type 'application/json' says.");
    }
    return { kind: "json", text };
  }
  if (media === "application/x-protobuf") return { kind: "protobuf", bytes };
  return { kind: "binary", bytes };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The QoS of MQTT publishes, by message; a message absent here (REST, Web PubSub clients) is sent at QoS 1. */
const SENT_QOS = new WeakMap<Outgoing, QoS>();

export function markSentQos(msg: Outgoing, qos: QoS): void {
  SENT_QOS.set(msg, qos);
}

/** The QoS a subscriber of QoS `granted` receives `msg` at. */
export function deliveryQos(msg: Outgoing, granted: QoS): QoS {
  const sent = SENT_QOS.get(msg) ?? 1;
  return sent < granted ? sent : granted;
}
