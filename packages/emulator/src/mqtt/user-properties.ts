// MQTT 5.0 user properties in their two shapes: mqtt-packet's record (a name to one value or several) and the list of
// { name, value } pairs the upstream events and connect answers use.
import type { MqttUserProperty } from "../upstream/types.ts";

/** mqtt-packet's record as a list of pairs (a name with several values gives one pair each, in order). */
export function userPropertyList(
  record: Readonly<Record<string, string | string[]>> | undefined,
): MqttUserProperty[] | undefined {
  if (record === undefined) return undefined;
  return Object.entries(record).flatMap(([name, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ name, value })));
}

/** A list of pairs in mqtt-packet's shape; undefined for none. */
export function userPropertyRecord(
  list: readonly MqttUserProperty[] | undefined,
): Record<string, string[]> | undefined {
  if (list === undefined || list.length === 0) return undefined;
  const out: Record<string, string[]> = {};
  for (const p of list) {
    const values = out[p.name] ?? [];
    values.push(p.value);
    out[p.name] = values;
  }
  return out;
}
