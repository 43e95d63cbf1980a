// Option types of the client and of every operation, a superset of the official @azure/web-pubsub ones: each official
// option is honoured, or refused with an error naming it (option-names.ts); none is silently ignored.
import type {
  Agent,
  HttpClient,
  PipelinePolicy,
  PipelineRequest,
  PipelineResponse,
  ProxySettings,
  RedirectPolicyOptions,
  TelemetryOptions,
  TlsSettings,
  TransferProgressEvent,
} from "@azure/core-rest-pipeline";
import type { OperationTracingOptions } from "@azure/core-tracing";
import type { MessageContentType } from "./payload.ts";
import type { ServiceRetryOptions } from "./retry-policy.ts";
import type { WebPubSubClientProtocol } from "./validation.ts";

/** A pipeline policy and where it runs: once per call, or once per attempt. */
export interface AdditionalPolicyConfig {
  policy: PipelinePolicy;
  position: "perCall" | "perRetry";
}

export interface WebPubSubServiceClientOptions {
  /** REST API version sent as `api-version`. Default "2024-12-01". */
  apiVersion?: string;
  /**
   * Send requests through this host (e.g. Azure API Management) instead of the service host. Only the host changes;
   * the token audience and client access URLs keep the service endpoint.
   */
  reverseProxyEndpoint?: string;
  /** Retry limits; see the README for which operations are retried on which failures. */
  retryOptions?: ServiceRetryOptions;
  /** Header and query names whose values may be logged unredacted. */
  loggingOptions?: { additionalAllowedHeaderNames?: string[]; additionalAllowedQueryParameters?: string[] };
  /** Extra pipeline policies (e.g. a recorder), as in any Azure SDK client. */
  additionalPolicies?: AdditionalPolicyConfig[];
  /** Replace the HTTP client (tests, custom transports). */
  httpClient?: HttpClient;
  /** Prefix added to the User-Agent header. */
  userAgentOptions?: { userAgentPrefix?: string };
  proxyOptions?: ProxySettings;
  /**
   * Node.js HTTP agent for the default HTTP client (connection pooling, keep-alive). It makes the connections itself,
   * so TLS settings go on the agent: `tlsOptions` beside it is refused.
   */
  agent?: Agent;
  /**
   * TLS settings for the default HTTP client's own agents (Node.js): a CA to trust (`ca`), a client certificate and
   * key. Not with `agent` (refused: give that agent the settings).
   */
  tlsOptions?: TlsSettings;
  /** How many redirects the pipeline follows (default 20). */
  redirectOptions?: RedirectPolicyOptions;
  /** The header that carries the client request id (default `x-ms-client-request-id`). */
  telemetryOptions?: TelemetryOptions;
  /**
   * `enabled: false` skips this package's per-method spans (the REST pipeline's HTTP spans still follow the global
   * instrumenter). Default: enabled; spans cost nearly nothing until an instrumenter is registered.
   */
  tracingOptions?: { enabled?: boolean };
  /**
   * Allow a TokenCredential's bearer token over plain http to a host other than localhost, 127.0.0.1 or [::1]
   * (refused at construction otherwise). Access keys work over http without it: each request carries its own
   * short-lived JWT bound to the request URL, never the key itself (this is how the local emulator is reached).
   */
  allowInsecureConnection?: boolean;
}

/**
 * The raw HTTP answer of one request with its parsed body: the shape of core-client's `FullOperationResponse`, which
 * the official clients hand to `onResponse`.
 */
export interface RawResponse extends PipelineResponse {
  request: PipelineRequest;
  parsedBody?: unknown;
  parsedHeaders?: Record<string, unknown>;
}

/**
 * The raw-response callback of every operation, as in the official clients: the raw HTTP response (status, headers,
 * request, parsed body), the parsed body, and the error when the operation throws because of that response. Called
 * once per request of the operation, after its retries: once for most operations, once per page of a listing, never
 * when no request is made (a client token signed locally) or no response came (a network failure).
 */
export type RawResponseCallback = (rawResponse: RawResponse, flatResponse: unknown, error?: unknown) => void;

export interface OperationOptions {
  abortSignal?: AbortSignal;
  tracingOptions?: OperationTracingOptions;
  requestOptions?: {
    /** Milliseconds before one HTTP attempt is abandoned. */
    timeout?: number;
    /** Extra request headers, e.g. `X-WebPubSub-Metadata-<key>`. */
    customHeaders?: Record<string, string>;
    /** Progress of the request body upload. */
    onUploadProgress?: (progress: TransferProgressEvent) => void;
    /** Progress of the response body download. */
    onDownloadProgress?: (progress: TransferProgressEvent) => void;
  };
  /** Called with the raw response of each request (see RawResponseCallback). */
  onResponse?: RawResponseCallback;
}

export interface SendOptions extends OperationOptions {
  /** Overrides the content type chosen from the message (see the README, "Payloads"). */
  contentType?: MessageContentType;
  /** Seconds the service keeps the message for slow clients: 0 (never expires) to 300. */
  messageTtlSeconds?: number;
}

export interface SendToConnectionOptions extends SendOptions {}

export interface SendToUserOptions extends SendOptions {
  /** OData filter on the user's connections; build it with the `odata` template. */
  filter?: string;
}

export interface SendToAllOptions extends SendToUserOptions {
  /** Connection ids that do not get the message. */
  excludedConnections?: string[];
}

export interface SendToGroupOptions extends SendToAllOptions {}

export interface CloseConnectionOptions extends OperationOptions {
  /** Sent to the client in the close frame / disconnected message. */
  reason?: string;
}

export interface CloseConnectionsOptions extends CloseConnectionOptions {
  /** Connection ids to keep open. */
  excluded?: string[];
}

export interface PermissionOptions extends OperationOptions {
  /**
   * The group the permission is for. Optional in the API description, but the live service answers 400 ("Invalid group
   * name") without it, so pass it.
   */
  targetName?: string;
}

export interface GetClientAccessTokenOptions extends OperationOptions {
  userId?: string;
  /** Roles such as "webpubsub.joinLeaveGroup" or "webpubsub.sendToGroup.chat". */
  roles?: string[];
  /** Groups the client joins when it connects. */
  groups?: string[];
  /** Token lifetime, default 60 minutes. */
  expirationTimeInMinutes?: number;
  clientProtocol?: WebPubSubClientProtocol;
}

export interface ClientTokenResponse {
  token: string;
  /** ws(s)://host/client/hubs/{hub} (or /clients/mqtt|socketio/hubs/{hub}). */
  baseUrl: string;
  /** baseUrl + "?access_token=" + token: hand it to the WebSocket client. */
  url: string;
}

export interface ListConnectionsOptions extends OperationOptions {
  /** Items per page requested from the service (1-200). */
  maxPageSize?: number;
  /** Total number of members to return. */
  top?: number;
  /**
   * Start from this point of a listing: the service's `continuationToken` value (the official option). Sent as that
   * query parameter on the listing route, never followed as a URL. `byPage({ continuationToken })` means the same.
   */
  continuationToken?: string;
}

export interface WebPubSubGroupMember {
  connectionId: string;
  userId?: string;
}

// Names of the official @azure/web-pubsub option types, so code migrating from it compiles unchanged.
export type HubSendToAllOptions = SendToAllOptions;
export type HubSendTextToAllOptions = SendToAllOptions;
export type HubSendToUserOptions = SendToUserOptions;
export type HubSendTextToUserOptions = SendToUserOptions;
export type HubSendToConnectionOptions = SendToConnectionOptions;
export type HubSendTextToConnectionOptions = SendToConnectionOptions;
export type HubCloseConnectionOptions = CloseConnectionOptions;
export type HubCloseAllConnectionsOptions = CloseConnectionsOptions;
export type HubCloseUserConnectionsOptions = CloseConnectionsOptions;
export type HubRemoveUserFromAllGroupsOptions = OperationOptions;
export type HasConnectionOptions = OperationOptions;
export type HubHasGroupOptions = OperationOptions;
export type HubHasUserOptions = OperationOptions;
export type HubGrantPermissionOptions = PermissionOptions;
export type HubRevokePermissionOptions = PermissionOptions;
export type HubHasPermissionOptions = PermissionOptions;
export type GenerateClientTokenOptions = GetClientAccessTokenOptions;
export type GroupAddConnectionOptions = OperationOptions;
export type GroupRemoveConnectionOptions = OperationOptions;
export type GroupAddUserOptions = OperationOptions;
export type GroupRemoveUserOptions = OperationOptions;
export type GroupSendToAllOptions = SendToGroupOptions;
export type GroupSendTextToAllOptions = SendToGroupOptions;
export type GroupCloseAllConnectionsOptions = CloseConnectionsOptions;
export type GroupListConnectionsOptions = ListConnectionsOptions;
