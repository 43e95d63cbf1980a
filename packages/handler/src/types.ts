// The CloudEvents requests the service sends to an event handler and the answers a handler gives, as seen by user code.
import type { MqttDisconnectReasonCode, MqttV311ConnectReturnCode, MqttV500ConnectReasonCode } from "./mqtt-codes.ts";

/** How the client is connected: a WebSocket client (any subprotocol) or an MQTT client. */
export type WebPubSubClientProtocol = "default" | "mqtt";

export interface MqttConnectionContextProperties {
  /** `ce-physicalConnectionId`: the physical MQTT network connection. */
  physicalConnectionId: string;
  /** `ce-sessionId`: the MQTT session, when the service sends it. */
  sessionId?: string;
}

/** What every event says about the connection it comes from (read from the `ce-*` headers). */
export interface ConnectionContext {
  hub: string;
  connectionId: string;
  /** `connect`, `connected`, `disconnected`, the user event name, or `joined` / `left` for group presence. */
  eventName: string;
  /** The CloudEvents type, e.g. `azure.webpubsub.user.message`. */
  type: string;
  /** Absent for anonymous connections. */
  userId?: string;
  /** The subprotocol the connection uses (`ce-subprotocol`), when it has one. */
  subprotocol?: string;
  /** `webhook-request-origin`: the service host that sent the event. */
  origin?: string;
  /** `ce-signature` as received (already verified when access keys are configured). */
  signature?: string;
  /**
   * The connection state (decoded from `ce-connectionState`; `{}` when absent or invalid). Values are JSON values the
   * app stored with setState; typed `any`, as in the official package, so `states.calledTime++` compiles.
   */
  // biome-ignore lint/suspicious/noExplicitAny: the values are whatever JSON the app stored (official typing).
  states: Record<string, any>;
  clientProtocol: WebPubSubClientProtocol;
  /** MQTT connections only. */
  mqtt?: MqttConnectionContextProperties;
  /** Aborted when the handler's time (`timeoutInMs`) runs out or the HTTP request is aborted. */
  signal: AbortSignal;
  /** The raw request headers, for anything not modelled here. */
  headers: Headers;
}

export interface Certificate {
  thumbprint: string;
  content?: string;
}

export interface MqttUserProperty {
  name: string;
  value: string;
}

export interface MqttConnectProperties {
  /** 4 for MQTT 3.1.1, 5 for MQTT 5.0. */
  protocolVersion: number;
  username?: string;
  /** Base64 of the password bytes. */
  password?: string;
  userProperties?: MqttUserProperty[];
}

/** The blocking `connect` event. All map values are arrays of strings, as the service sends them. */
export interface ConnectRequest {
  context: ConnectionContext;
  claims?: Record<string, string[]>;
  query?: Record<string, string[]>;
  /** Same object as `query` (the name the official package uses). */
  queries?: Record<string, string[]>;
  headers?: Record<string, string[]>;
  subprotocols?: string[];
  clientCertificates?: Certificate[];
  /** MQTT clients only. */
  mqtt?: MqttConnectProperties;
}

export interface MqttConnectRequest extends ConnectRequest {
  mqtt: MqttConnectProperties;
}

/** Accept the connection and override what the token said. */
export interface ConnectResponse {
  userId?: string;
  groups?: string[];
  roles?: string[];
  /** Must be one of the subprotocols the client offered. */
  subprotocol?: string;
}

export interface MqttConnectResponse extends ConnectResponse {
  mqtt?: { userProperties?: MqttUserProperty[] };
}

/** The statuses `fail()` accepts for `connect`. */
export type ConnectFailureStatus = 400 | 401 | 403 | 500;

export interface ConnectErrorResponse {
  code: ConnectFailureStatus;
  detail?: string;
}

export interface MqttConnectErrorResponseProperties {
  code: MqttV311ConnectReturnCode | MqttV500ConnectReasonCode;
  reason?: string;
  userProperties?: MqttUserProperty[];
}

export interface MqttConnectErrorResponse {
  mqtt: MqttConnectErrorResponseProperties;
}

/** Sets or clears the connection state that the service echoes back on every later event. */
export interface StateSetter {
  /** Sets one state entry; `undefined` removes it. The value must survive `JSON.stringify`. */
  setState(name: string, value: unknown): void;
  /** Removes every state entry. */
  clearStates(): void;
}

export interface ConnectResponseHandler extends StateSetter {
  /** Accept: 204 without a body, or 200 with the overrides. */
  success(response?: ConnectResponse | MqttConnectResponse): void;
  /** Reject with a status and an optional reason (MQTT clients get the matching CONNACK code). */
  fail(code: ConnectFailureStatus, detail?: string): void;
  /** Reject with a full error body (MQTT: a CONNACK code; the HTTP status follows from it). */
  failWith(response: ConnectErrorResponse | MqttConnectErrorResponse): void;
}

/** Data a user event carries, decoded by its content type. */
export type UserEventData =
  | { dataType: "text"; data: string }
  | { dataType: "json"; data: unknown }
  | { dataType: "binary"; data: Uint8Array };

export type UserEventRequest = { context: ConnectionContext; contentType: string } & UserEventData;

/** Reply data: a string, bytes (`ArrayBuffer` or any `ArrayBufferView`), or for `json` any serializable value. */
export type UserEventReplyData = unknown;

export interface UserEventResponseHandler extends StateSetter {
  /**
   * Answer 200, sending `data` back to the client. `dataType` picks the Content-Type: `binary` (the default,
   * `application/octet-stream`), `text` (`text/plain; charset=utf-8`) or `json` (`application/json; charset=utf-8`).
   * For `json`, a string is sent as is (it is JSON text); any other value is serialized with `JSON.stringify`.
   */
  success(data?: UserEventReplyData, dataType?: "binary" | "text" | "json"): void;
  /** Answer an error status (400-599) with an optional text detail. */
  fail(code: number, detail?: string): void;
}

export interface ConnectedRequest {
  context: ConnectionContext;
}

export interface MqttDisconnectPacket {
  code: MqttDisconnectReasonCode;
  userProperties?: MqttUserProperty[];
}

export interface MqttDisconnectedProperties {
  initiatedByClient: boolean;
  disconnectPacket?: MqttDisconnectPacket;
}

export interface DisconnectedRequest {
  context: ConnectionContext;
  reason?: string;
  /** MQTT clients only. */
  mqtt?: MqttDisconnectedProperties;
}

export interface GroupJoinedRequest {
  context: ConnectionContext;
  group: string;
}

export type GroupLeftRequest = GroupJoinedRequest;

type MaybePromise<T> = T | Promise<T>;

/** Called for a request the handler does not own (another path, hub, method, or not a CloudEvents request). */
export type UnhandledRequestHandler = (request: Request) => MaybePromise<Response>;

/** Where errors of user handlers (and timeouts) are reported; they never reach the HTTP response. */
export type HandlerErrorReporter = (error: unknown, info: { eventName: string; connectionId?: string }) => void;

export interface WebPubSubEventHandlerOptions {
  /** URL path prefix served, default `/api/webpubsub/hubs/{hub}/`; matched case-insensitively. `{hub}` is replaced. */
  path?: string;
  /** Access keys of the resource; every POST must carry a `ce-signature` made with one of them. */
  accessKeys?: string[];
  /** Connection string of the resource; its access key is used like `accessKeys`. */
  connectionString?: string;
  /** Verify `ce-signature` (default: true when keys are configured; without keys there is nothing to verify with). */
  verifySignature?: boolean;
  /**
   * Service hosts allowed to call (abuse protection), e.g. `["contoso.webpubsub.azure.com"]` or full URLs.
   * Default: any (`WebHook-Allowed-Origin: *`). When set, POSTs from other origins are answered 403.
   */
  allowedOrigins?: string[];
  /** Same as `allowedOrigins` but each entry must be an absolute URL (the official package's option). */
  allowedEndpoints?: string[];
  handleConnect?: (request: ConnectRequest, response: ConnectResponseHandler) => MaybePromise<void>;
  handleUserEvent?: (request: UserEventRequest, response: UserEventResponseHandler) => MaybePromise<void>;
  onConnected?: (request: ConnectedRequest) => MaybePromise<void>;
  onDisconnected?: (request: DisconnectedRequest) => MaybePromise<void>;
  onGroupJoined?: (request: GroupJoinedRequest) => MaybePromise<void>;
  onGroupLeft?: (request: GroupLeftRequest) => MaybePromise<void>;
  /** Time a handler may take before the event is answered 504 (blocking) or 200 (non-blocking). Default 60000. */
  timeoutInMs?: number;
  /** Largest request body accepted; bigger bodies are answered 413 without being read. Default 1 MiB (the service's message limit). */
  maxBodyBytes?: number;
  /**
   * Time the whole request body may take to arrive, from the moment the handler starts reading it; a slower body is
   * answered 408 with `Connection: close`. Default 30000.
   */
  bodyTimeoutInMs?: number;
  /** Answer for requests the handler does not own, in `fetch()`. Default: 404. */
  onUnhandled?: UnhandledRequestHandler;
  /** Where handler errors go. Default: `console.error`. */
  onError?: HandlerErrorReporter;
}
