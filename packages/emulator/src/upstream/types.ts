// The shapes of the upstream invoker: event handler settings, what it knows of a connection, the events and their
// outcomes.
import type { MessagePayload } from "@webpubsub/core";
import type { SystemEventName } from "./system-events.ts";

export type { SystemEventName };

/** One entry of a hub's `eventHandlers` list (protocol.md 5.1). */
export interface EventHandlerSettings {
  /** Absolute http(s) URL; may contain `{hub}` and `{event}` outside the host part. */
  urlTemplate: string;
  /** `*`, a single event name, or a comma-separated list of names. Absent: no user events. */
  userEventPattern?: string;
  /** System events this handler receives. Absent: none. */
  systemEvents?: SystemEventName[];
}

/** What the emulator knows about a connection when it raises an event for it. */
export interface UpstreamContext {
  hub: string;
  connectionId: string;
  userId: string | null;
  subprotocol?: string;
  /** The opaque connection state last set by a handler; absent or empty when there is none. */
  connectionState?: string;
  /** Returns the next CloudEvents `ce-id` for this connection (0 for connect, then 1, 2, ...). */
  nextEventId(): number;
  /** MQTT connections: the `ce-physicalConnectionId` / `ce-sessionId` headers and the `disconnected` details. */
  mqtt?: MqttEventContext;
}

/** A name/value pair of an MQTT 5.0 packet's user properties. */
export interface MqttUserProperty {
  name: string;
  value: string;
}

/** What the events of an MQTT connection add (protocol.md 5.3, 5.6). */
export interface MqttEventContext {
  physicalConnectionId: string;
  sessionId?: string;
  /** how the session ended (read by `disconnected` only) */
  disconnect?: {
    initiatedByClient: boolean;
    disconnectPacket?: { code: number; userProperties?: MqttUserProperty[] };
  };
}

/** The `mqtt` member of an MQTT client's `connect` request (protocol.md 5.5). */
export interface MqttConnectProperties {
  /** 4 = MQTT 3.1.1, 5 = MQTT 5.0 */
  protocolVersion: number;
  username?: string;
  /** base64 of the CONNECT password bytes */
  password?: string;
  userProperties?: MqttUserProperty[];
}

/** Request data of the blocking `connect` event (protocol.md 5.5) before normalization. */
export interface ConnectEventInput {
  /** Token claims; every value is sent as an array of strings. */
  claims: Record<string, unknown>;
  /** Query parameters of the handshake; `access_token` is removed before sending. */
  query: Record<string, string | readonly string[] | undefined> | URLSearchParams;
  /** Handshake request headers; `Authorization` is removed before sending. */
  headers: Record<string, string | readonly string[] | undefined>;
  /** Subprotocols the client offered, in order. */
  subprotocols: string[];
  clientCertificates: [];
  /** MQTT clients: the CONNECT packet's fields */
  mqtt?: MqttConnectProperties;
}

export type ConnectResult =
  | {
      kind: "accept";
      userId?: string;
      groups?: string[];
      roles?: string[];
      subprotocol?: string;
      /** undefined: not set by the handler; null: cleared; string: the new state. */
      connectionState?: string | null;
      /** MQTT: user properties for the CONNACK */
      mqtt?: { userProperties?: MqttUserProperty[] };
    }
  | {
      kind: "reject";
      status: number;
      message: string;
      /** MQTT: the handler's CONNACK code (absent when it gave none or an invalid one), reason and user properties */
      mqtt?: { code?: number; reason?: string; userProperties?: MqttUserProperty[] };
    };

export type UserEventResult =
  | {
      kind: "ok";
      reply?: MessagePayload;
      /** undefined: unchanged; null: cleared; string: the new state. */
      connectionState?: string | null;
    }
  | {
      kind: "error";
      status?: number;
      message: string;
      /** why no answer came, when none did: the handler timed out, or the caller cancelled the call */
      reason?: "timeout" | "cancelled";
    }
  | { kind: "no-handler" };

export type UpstreamEvent = SystemEventName | { user: string };

export interface UpstreamInvokerOptions {
  /** The current event handler list of a hub (read on every event, so configuration changes apply at once). */
  getHandlers: (hub: string) => EventHandlerSettings[];
  /** Access keys; `ce-signature` carries one HMAC per key. At least one. */
  accessKeys: string[];
  /** The emulator's `host:port`, sent as `WebHook-Request-Origin`. */
  origin: string;
  /** Receives one line per delivery problem, validation outcome and event result. */
  log: (line: string) => void;
  /** Timeout of one HTTP attempt of an event, in milliseconds. Default 100000. */
  timeoutMs?: number;
  /** Timeout of the abuse-protection request, in milliseconds. Default 10000. */
  validationTimeoutMs?: number;
  /**
   * Delays before each retry of an event answered 408/5xx or failing at the network level; the number of entries is
   * the number of retries. Default [1000, 3000, 5000] (at most 4 attempts). Use [] to disable retries.
   */
  retryDelaysMs?: readonly number[];
  /**
   * How long a failed abuse-protection validation is remembered before the handler is validated again, in
   * milliseconds. Default 10000. A successful validation is remembered for the invoker's lifetime.
   */
  validationFailureTtlMs?: number;
  /** Largest response body read from a handler, in bytes. Default 1 MiB. */
  maxResponseBytes?: number;
  /** Told the outcome of every event sent (or not sent) to a handler; the emulator's dashboard feed uses it. */
  onOutcome?: (outcome: UpstreamOutcome) => void;
}

/** One upstream call as the dashboard shows it: `status` when the handler answered, `error` otherwise. */
export interface UpstreamOutcome {
  hub: string;
  connectionId: string;
  userId: string | null;
  /** the event name: connect, connected, disconnected or the user event's name */
  event: string;
  /** the CloudEvents type, e.g. azure.webpubsub.sys.connect */
  type: string;
  /** the handler URL with access_token values redacted */
  url?: string;
  status?: number;
  error?: string;
  durationMs: number;
}
