// The blocking `connect` event: request body (protocol.md 5.5) and the handler's decision.
import { isValidGroupName, scanJsonText, shown, utf8Decode } from "@webpubsub/core";
import { readConnectionState } from "./cloud-event.ts";
import { type DeliveryOutcome, responseText } from "./http-delivery.ts";
import { mqttAccept, mqttReject } from "./mqtt-fields.ts";
import type { ConnectEventInput, ConnectResult, MqttConnectProperties } from "./types.ts";

export interface ConnectEventBody {
  claims: Record<string, string[]>;
  query: Record<string, string[]>;
  headers: Record<string, string[]>;
  subprotocols: string[];
  clientCertificates: [];
  mqtt?: MqttConnectProperties;
}

function claimString(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value) ?? String(value);
}

function toStringArray(value: string | readonly string[]): string[] {
  return typeof value === "string" ? [value] : [...value];
}

function append(map: Record<string, string[]>, name: string, value: string | readonly string[]): void {
  const list = map[name] ?? [];
  list.push(...toStringArray(value));
  map[name] = list;
}

/**
 * The connect request body: every map value an array of strings; `access_token` removed from the query and
 * `Authorization` from the headers (names compared case-insensitively); null/undefined claims left out.
 */
export function buildConnectBody(input: ConnectEventInput): ConnectEventBody {
  const claims: Record<string, string[]> = Object.create(null);
  for (const [name, value] of Object.entries(input.claims ?? {})) {
    if (value === null || value === undefined) continue;
    claims[name] = Array.isArray(value)
      ? value.filter((v) => v !== null && v !== undefined).map(claimString)
      : [claimString(value)];
  }
  const query: Record<string, string[]> = Object.create(null);
  const addQuery = (name: string, value: string | readonly string[]) => {
    if (name.toLowerCase() === "access_token") return;
    append(query, name, value);
  };
  if (input.query instanceof URLSearchParams) {
    for (const [name, value] of input.query) addQuery(name, value);
  } else {
    for (const [name, value] of Object.entries(input.query ?? {})) if (value !== undefined) addQuery(name, value);
  }
  const headers: Record<string, string[]> = Object.create(null);
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (value === undefined || name.toLowerCase() === "authorization") continue;
    append(headers, name, value);
  }
  const body: ConnectEventBody = {
    claims,
    query,
    headers,
    subprotocols: [...(input.subprotocols ?? [])],
    clientCertificates: [],
  };
  if (input.mqtt !== undefined) body.mqtt = input.mqtt;
  return body;
}

/**
 * Groups of an accepting answer, as many as a session's MQTT subscriptions: more makes the answer invalid. They are
 * joined in one turn (10,000 took ~0.1 s with the dashboard on).
 */
export const MAX_ANSWER_GROUPS = 1000;
/**
 * Roles of an accepting answer: more makes the answer invalid. The connection compiles its wildcard roles once, when
 * it is made (100 of ~1,000 distinct characters: ~20 ms), but every permission check still runs each wildcard pattern
 * of the action against the group: 100 patterns that stay alive through a 1,024-character group take ~30-45 ms of CPU
 * per check (test/event-loop-bounds), 200 would take ~60-90 ms, too close to the 100 ms bound of a turn. Before roles
 * were compiled once, 1 MiB of wildcard roles made each check take ~0.2 s.
 */
export const MAX_ANSWER_ROLES = 100;

/** Status for the client handshake when the handler could not decide (5xx, timeout, network, bad answer). */
const HANDLER_FAILED = 500;

function tooLong(list: string, max: number): string {
  return `${list} lists more than ${max.toLocaleString("en-US")} entries`;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}

/**
 * Turns the handler's answer into the emulator's decision:
 * - 2xx with an empty body (204): accept with the token's defaults;
 * - 2xx with JSON `{userId?, groups?, roles?, subprotocol?}`: accept with overrides (`groups` replace the token's only
 *   when non-empty, `roles: []` clears them, `subprotocol` must be one the client offered, empty values are ignored);
 * - 4xx other than 408: reject with that status and the body text as message;
 * - anything else (5xx, 408, 3xx, timeout, network failure, malformed JSON): reject with 500.
 * `ce-connectionState` on an accepting answer sets the initial state.
 */
export function interpretConnectResponse(
  outcome: DeliveryOutcome,
  offeredSubprotocols: readonly string[],
): ConnectResult {
  if (outcome.kind === "failure") {
    return { kind: "reject", status: HANDLER_FAILED, message: `connect event handler failed: ${outcome.message}` };
  }
  const { status, body } = outcome;
  if (status < 200 || status > 299) return refusal(status, body);
  const accept: Accept = { kind: "accept" };
  const state = readConnectionState(outcome.headers);
  if (state !== undefined) accept.connectionState = state;
  const text = utf8Decode(body).trim();
  if (text === "") return accept;
  const invalid = readAnswer(text, accept, offeredSubprotocols);
  if (invalid === undefined) return accept;
  return {
    kind: "reject",
    status: HANDLER_FAILED,
    message: `connect event handler answered ${status} with an invalid body: ${invalid}`,
  };
}

type Accept = Extract<ConnectResult, { kind: "accept" }>;

/** A non-2xx answer: a 4xx other than 408 is the handler refusing the client, anything else is the handler failing. */
function refusal(status: number, body: Uint8Array): ConnectResult {
  const detail = responseText(body);
  const refused = status >= 400 && status <= 499 && status !== 408;
  const reject: ConnectResult = refused
    ? { kind: "reject", status, message: detail || `connect event handler answered ${status}` }
    : {
        kind: "reject",
        status: HANDLER_FAILED,
        message: `connect event handler answered ${status}${detail ? `: ${detail}` : ""}`,
      };
  const mqtt = mqttReject(utf8Decode(body).trim());
  if (mqtt !== undefined) reject.mqtt = mqtt;
  return reject;
}

/** Reads an accepting answer's JSON body into `accept`; gives what makes the body invalid, or undefined. */
function readAnswer(text: string, accept: Accept, offeredSubprotocols: readonly string[]): string | undefined {
  // the bounds of JSON from clients apply to handler answers too (see core's scanJsonText)
  const problem = scanJsonText(text).problem;
  if (problem !== undefined) return `JSON ${problem}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return "not JSON";
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return "not a JSON object";
  const r = parsed as Record<string, unknown>;
  if (r.userId !== undefined && r.userId !== null) {
    if (typeof r.userId !== "string") return "userId must be a string";
    if (r.userId !== "") accept.userId = r.userId;
  }
  if (r.groups !== undefined && r.groups !== null) {
    if (!isStringArray(r.groups)) return "groups must be an array of strings";
    if (r.groups.length > MAX_ANSWER_GROUPS) return tooLong("groups", MAX_ANSWER_GROUPS);
    const invalid = r.groups.find((g) => !isValidGroupName(g));
    if (invalid !== undefined) return `group ${shown(invalid)} must be 1..1024 characters and not blank`;
    if (r.groups.length > 0) accept.groups = [...new Set(r.groups)];
  }
  if (r.roles !== undefined && r.roles !== null) {
    if (!isStringArray(r.roles)) return "roles must be an array of strings";
    if (r.roles.length > MAX_ANSWER_ROLES) return tooLong("roles", MAX_ANSWER_ROLES);
    accept.roles = [...new Set(r.roles)];
  }
  if (r.subprotocol !== undefined && r.subprotocol !== null && r.subprotocol !== "") {
    if (typeof r.subprotocol !== "string") return "subprotocol must be a string";
    if (!offeredSubprotocols.includes(r.subprotocol)) {
      return `subprotocol ${shown(r.subprotocol)} is not one the client offered`;
    }
    accept.subprotocol = r.subprotocol;
  }
  const mqtt = mqttAccept(r);
  if (mqtt !== undefined) accept.mqtt = mqtt;
  return undefined;
}
