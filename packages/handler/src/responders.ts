// The `response` objects user handlers answer with (connect and user events), each producing one fetch Response.
import { checkGroupName, encodeConnectionState, shown, shownValue } from "@webpubsub/core";
import {
  connackVersions,
  httpStatusForMqttConnectCode,
  isMqttConnectErrorCode,
  mqttConnectCodeForHttpStatus,
} from "./mqtt-codes.ts";
import type {
  ConnectErrorResponse,
  ConnectRequest,
  ConnectResponse,
  ConnectResponseHandler,
  MqttConnectErrorResponse,
  MqttConnectResponse,
  MqttUserProperty,
  StateSetter,
  UserEventResponseHandler,
} from "./types.ts";

const JSON_TYPE = "application/json; charset=utf-8";
const TEXT_TYPE = "text/plain; charset=utf-8";
const BINARY_TYPE = "application/octet-stream";
const CONNECTION_STATE_HEADER = "ce-connectionState";

/**
 * Holds the single answer to one event. A second answer from user code is a programming error and throws; an answer
 * that comes after the event was closed without one (timeout, caller gone, handler failed) is dropped instead: user
 * code cannot know it is late, and a throw from the callback it answers in would end the program.
 */
export class Answer {
  readonly promise: Promise<Response>;
  #resolve!: (response: Response) => void;
  #done = false;
  #closed = false;

  constructor() {
    this.promise = new Promise<Response>((resolve) => {
      this.#resolve = resolve;
    });
  }

  get done(): boolean {
    return this.#done;
  }

  /** Whether the event was closed without an answer from user code (timeout, caller gone, handler failed). */
  get closed(): boolean {
    return this.#closed;
  }

  /** The answer of user code: throws when it already answered, does nothing once the event was closed without it. */
  send(response: Response): void {
    if (this.#closed) return;
    if (this.#done) throw new Error("This event has already been answered");
    this.#done = true;
    this.#resolve(response);
  }

  /** Closes the event with the handler's own answer unless already answered; returns whether this call answered. */
  trySend(make: () => Response): boolean {
    if (this.#done) return false;
    this.#done = true;
    this.#closed = true;
    this.#resolve(make());
    return true;
  }
}

/** Tracks state changes made through `setState` / `clearStates` on top of the state the request carried. */
class StateTracker implements StateSetter {
  readonly #states: Record<string, unknown>;
  #modified = false;
  readonly #answer: Answer;

  constructor(states: Record<string, unknown>, answer: Answer) {
    this.#states = states;
    this.#answer = answer;
  }

  setState(name: string, value: unknown): void {
    if (typeof name !== "string" || name === "") throw new TypeError("setState name must be a non-empty string");
    if (!this.#open()) return;
    if (value === undefined) {
      delete this.#states[name];
    } else {
      let json: string | undefined;
      try {
        json = JSON.stringify(value);
      } catch (error) {
        throw new TypeError(`setState value for ${shown(name)} must be JSON-serializable`, { cause: error });
      }
      if (json === undefined) throw new TypeError(`setState value for ${shown(name)} must be JSON-serializable`);
      // defined, not assigned: `setState("__proto__", v)` must add a state named __proto__, not swap the prototype
      Object.defineProperty(this.#states, name, { value, enumerable: true, writable: true, configurable: true });
    }
    this.#modified = true;
  }

  clearStates(): void {
    if (!this.#open()) return;
    for (const key of Object.keys(this.#states)) delete this.#states[key];
    this.#modified = true;
  }

  /** The `ce-connectionState` header to send, when the state changed. */
  apply(headers: Headers): void {
    if (this.#modified) headers.set(CONNECTION_STATE_HEADER, encodeConnectionState(this.#states));
  }

  /** Whether a change can still be sent: throws after the answer of user code, false once the event was closed. */
  #open(): boolean {
    if (this.#answer.closed) return false;
    if (this.#answer.done) throw new Error("This event has already been answered");
    return true;
  }
}

function errorResponse(status: number, detail: string | undefined, headers: Headers): Response {
  if (detail !== undefined && typeof detail !== "string") throw new TypeError("fail detail must be a string");
  if (detail) headers.set("content-type", TEXT_TYPE);
  return new Response(detail ? detail : null, { status, headers });
}

function jsonResponse(status: number, body: unknown, headers: Headers): Response {
  headers.set("content-type", JSON_TYPE);
  return new Response(JSON.stringify(body), { status, headers });
}

function stringArray(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new TypeError(`success(${name}) must be an array of strings`);
  }
  return [...value];
}

function userProperties(value: unknown, name: string): MqttUserProperty[] | undefined {
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.some((p) => p === null || typeof p !== "object" || typeof p.name !== "string" || typeof p.value !== "string")
  ) {
    throw new TypeError(`${name} must be an array of { name: string, value: string }`);
  }
  return value.map((p: MqttUserProperty) => ({ name: p.name, value: p.value }));
}

const CONNECT_FAILURE_STATUSES = new Set([400, 401, 403, 500]);

export function createConnectResponseHandler(request: ConnectRequest, answer: Answer): ConnectResponseHandler {
  const state = new StateTracker(request.context.states, answer);
  const isMqtt = request.context.clientProtocol === "mqtt";

  const fail = (code: unknown, detail?: string): void => {
    if (typeof code !== "number" || !CONNECT_FAILURE_STATUSES.has(code)) {
      throw new RangeError(`connect fail code must be 400, 401, 403 or 500, got ${shownValue(code)}`);
    }
    const headers = new Headers();
    if (isMqtt) {
      if (detail !== undefined && typeof detail !== "string") throw new TypeError("fail detail must be a string");
      const mqtt = { code: mqttConnectCodeForHttpStatus(code, request.mqtt?.protocolVersion), reason: detail };
      answer.send(jsonResponse(code, { mqtt }, headers));
    } else {
      answer.send(errorResponse(code, detail, headers));
    }
  };

  return {
    setState: (name, value) => state.setState(name, value),
    clearStates: () => state.clearStates(),
    success(response?: ConnectResponse | MqttConnectResponse): void {
      const headers = new Headers();
      const body = connectBody(response, request);
      state.apply(headers);
      answer.send(body === undefined ? new Response(null, { status: 204, headers }) : jsonResponse(200, body, headers));
    },
    fail,
    failWith(response: ConnectErrorResponse | MqttConnectErrorResponse): void {
      if (response === null || typeof response !== "object") throw new TypeError("failWith response must be an object");
      if ("mqtt" in response) {
        if (!isMqtt) {
          throw new TypeError(
            "failWith({ mqtt }) answers MQTT clients only; refuse this WebSocket client with failWith({ code, detail })",
          );
        }
        const m = response.mqtt;
        if (m === null || typeof m !== "object") throw new TypeError("failWith mqtt must be an object");
        const protocolVersion = request.mqtt?.protocolVersion;
        if (!isMqttConnectErrorCode(m.code, protocolVersion)) {
          throw new RangeError(
            `failWith mqtt.code must be a refusing CONNACK code of ${connackVersions(protocolVersion)}, got ${shownValue(m.code)}`,
          );
        }
        if (m.reason !== undefined && typeof m.reason !== "string") {
          throw new TypeError("failWith mqtt.reason must be a string");
        }
        const mqtt = {
          code: m.code,
          reason: m.reason,
          userProperties: userProperties(m.userProperties, "failWith mqtt.userProperties"),
        };
        answer.send(jsonResponse(httpStatusForMqttConnectCode(m.code), { mqtt }, new Headers()));
        return;
      }
      fail(response.code, response.detail);
    },
  };
}

/** The JSON body of an accepting connect answer, or undefined when nothing is overridden (204). */
function connectBody(response: unknown, request: ConnectRequest): Record<string, unknown> | undefined {
  if (response === undefined || response === null) return undefined;
  if (typeof response !== "object" || Array.isArray(response)) {
    throw new TypeError("connect success response must be an object");
  }
  const r = response as MqttConnectResponse;
  const body: Record<string, unknown> = {};
  if (r.userId !== undefined) {
    if (typeof r.userId !== "string" || r.userId === "") {
      throw new TypeError("success(userId) must be a non-empty string");
    }
    body.userId = r.userId;
  }
  const groups = stringArray(r.groups, "groups");
  if (groups) {
    // the service refuses a connect answer naming an invalid group (and drops the client): say so here instead
    for (const [i, group] of groups.entries()) checkGroupName(group, `success(groups[${i}])`);
    body.groups = groups;
  }
  const roles = stringArray(r.roles, "roles");
  if (roles) body.roles = roles;
  if (r.subprotocol !== undefined && r.subprotocol !== "") {
    if (typeof r.subprotocol !== "string") throw new TypeError("success(subprotocol) must be a string");
    const offered = request.subprotocols;
    if (Array.isArray(offered) && offered.length > 0 && !offered.includes(r.subprotocol)) {
      throw new TypeError(`success(subprotocol) must be one the client offered (${shown(offered.join(", "))})`);
    }
    body.subprotocol = r.subprotocol;
  }
  if (r.mqtt !== undefined) {
    if (r.mqtt === null || typeof r.mqtt !== "object") throw new TypeError("success(mqtt) must be an object");
    const props = userProperties(r.mqtt.userProperties, "success(mqtt.userProperties)");
    body.mqtt = props ? { userProperties: props } : {};
  }
  return Object.keys(body).length === 0 ? undefined : body;
}

export function createUserEventResponseHandler(
  states: Record<string, unknown>,
  answer: Answer,
): UserEventResponseHandler {
  const state = new StateTracker(states, answer);
  return {
    setState: (name, value) => state.setState(name, value),
    clearStates: () => state.clearStates(),
    success(data?: unknown, dataType?: "binary" | "text" | "json"): void {
      const headers = new Headers();
      const body = replyBody(data, dataType, headers);
      state.apply(headers);
      answer.send(new Response(body, { status: 200, headers }));
    },
    fail(code: number, detail?: string): void {
      if (typeof code !== "number" || !Number.isInteger(code) || code < 400 || code > 599) {
        throw new RangeError(`user event fail code must be an HTTP error status 400-599, got ${shownValue(code)}`);
      }
      const headers = new Headers();
      state.apply(headers);
      answer.send(errorResponse(code, detail, headers));
    },
  };
}

function replyBody(data: unknown, dataType: unknown, headers: Headers): BodyInit | null {
  if (dataType !== undefined && dataType !== "binary" && dataType !== "text" && dataType !== "json") {
    throw new TypeError(`success dataType must be "binary", "text" or "json", got ${shownValue(dataType)}`);
  }
  headers.set("content-type", dataType === "json" ? JSON_TYPE : dataType === "text" ? TEXT_TYPE : BINARY_TYPE);
  if (data === undefined || data === null) return dataType === "json" && data === null ? "null" : null;
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  if (dataType === "json") {
    const json = JSON.stringify(data);
    if (json === undefined) throw new TypeError("success data must be JSON-serializable for dataType json");
    return json;
  }
  throw new TypeError("success data must be a string or bytes (ArrayBuffer / ArrayBufferView) unless dataType is json");
}
