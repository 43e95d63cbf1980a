// The MQTT members of `connect` answers (protocol.md 5.5): `mqtt.userProperties` on success, and
// `{ "mqtt": { code, reason?, userProperties? } }` on failure. Anything malformed is ignored: a failure without a usable
// code still refuses the client (with the code its HTTP status maps to).
import { capped } from "../bounded-text.ts";
import type { MqttUserProperty } from "./types.ts";

/** User properties kept from one answer, and characters of each name, value and reason. */
const MAX_PROPERTIES = 32;
const MAX_CHARS = 256;

function userProperties(v: unknown): MqttUserProperty[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: MqttUserProperty[] = [];
  for (const p of v.slice(0, MAX_PROPERTIES)) {
    if (p === null || typeof p !== "object") continue;
    const { name, value } = p as Record<string, unknown>;
    if (typeof name === "string" && typeof value === "string") {
      out.push({ name: capped(name, MAX_CHARS), value: capped(value, MAX_CHARS) });
    }
  }
  return out.length > 0 ? out : undefined;
}

function mqttMember(body: unknown): Record<string, unknown> | undefined {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return undefined;
  const m = (body as Record<string, unknown>).mqtt;
  return m !== null && typeof m === "object" && !Array.isArray(m) ? (m as Record<string, unknown>) : undefined;
}

/** The success answer's `mqtt` member, when it has user properties. */
export function mqttAccept(body: unknown): { userProperties?: MqttUserProperty[] } | undefined {
  const props = userProperties(mqttMember(body)?.userProperties);
  return props === undefined ? undefined : { userProperties: props };
}

/** The failure answer's `mqtt` member (JSON text), when it has one. */
export function mqttReject(
  text: string,
): { code?: number; reason?: string; userProperties?: MqttUserProperty[] } | undefined {
  if (text === "" || text.length > 64 * 1024) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const m = mqttMember(parsed);
  if (m === undefined) return undefined;
  const out: { code?: number; reason?: string; userProperties?: MqttUserProperty[] } = {};
  if (typeof m.code === "number" && Number.isInteger(m.code) && m.code > 0 && m.code < 256) out.code = m.code;
  if (typeof m.reason === "string") out.reason = capped(m.reason, MAX_CHARS);
  const props = userProperties(m.userProperties);
  if (props !== undefined) out.userProperties = props;
  return out;
}
