// The operations of one hub over the REST-level client: request shapes, retry mode, status handling. The service
// client and the group client are thin facades over this, each wrapping every call in its own tracing span.

import { RestError } from "@azure/core-rest-pipeline";
import { createPagedIterator, type PagedAsyncIterableIterator, type PageSettings } from "@webpubsub/async";
import { toRestError } from "@webpubsub/rest";
import { malformedResponse } from "./errors.ts";
import type {
  ClientTokenResponse,
  CloseConnectionOptions,
  CloseConnectionsOptions,
  GetClientAccessTokenOptions,
  ListConnectionsOptions,
  OperationOptions,
  PermissionOptions,
  SendToAllOptions,
  SendToConnectionOptions,
  SendToGroupOptions,
  SendToUserOptions,
  WebPubSubGroupMember,
} from "./options.ts";
import { bodyForNode, type PreparedPayload, preparePayload } from "./payload.ts";
import type { QueryArray, RestClientLike, RestRequestParameters, RestResponse } from "./rest-types.ts";
import { type RetryMode, type ServiceRetryOptions, sendWithRetries } from "./retry-policy.ts";
import { clientTokenResponse, signClientToken } from "./token.ts";
import { tracedIteration, tracingClient } from "./tracing.ts";
import {
  checkAbortSignal,
  checkClientProtocol,
  checkExpiration,
  checkFilter,
  checkGroup,
  checkGroupArray,
  checkGroupValue,
  checkId,
  checkOptionalId,
  checkOptionalString,
  checkOptions,
  checkPermission,
  checkPositiveInteger,
  checkRequiredFilter,
  checkStringArray,
  checkTtl,
  MAX_PAGE_SIZE,
  type Permission,
} from "./validation.ts";

type Method = "get" | "post" | "put" | "delete" | "head";

const PERMISSION_PATH = "/api/hubs/{hub}/permissions/{permission}/connections/{connectionId}";

export interface HubContext {
  hub: string;
  endpoint: string;
  rest: RestClientLike;
  retry: Required<ServiceRetryOptions>;
  /** The reverse proxy requests go through, if any (nextLinks may point at it). */
  reverseProxyEndpoint?: string | undefined;
  /** Present for key credentials: client tokens are signed locally. */
  accessKey: (() => string) | undefined;
  /** Blob / web stream bodies must be turned into Node streams for the default Node HTTP client. */
  nodeBodies: boolean;
  /** False when the client was created with `tracingOptions: { enabled: false }`. */
  tracing: boolean;
}

function multi(values: string[] | undefined): QueryArray | undefined {
  return values && values.length > 0 ? { value: values, explode: true } : undefined;
}

/**
 * The x-ms-error-code values with which the service answers an existence check negatively: `Warning.User.NotExisted`,
 * `Warning.Group.NotExisted`, `Warning.Connection.NotExisted`, `Info.Connection.NotExisted` (permission check of an
 * unknown connection) and `Info.Permission.NotGranted`, as in the recordings and the emulator.
 */
const NOT_THERE_CODE = /^(Warning|Info|Error)\.[A-Za-z]+\.(NotExisted|NotGranted)$/;

function isNotThereCode(code: string | undefined): boolean {
  return code !== undefined && NOT_THERE_CODE.test(code);
}

function isSuccess(response: RestResponse): boolean {
  const status = Number(response.status);
  return status >= 200 && status < 300;
}

function checkCommon(options: OperationOptions | undefined): void {
  checkOptions(options);
  checkAbortSignal(options?.abortSignal);
  const request = options?.requestOptions;
  checkOptions(request, "options.requestOptions");
  if (request?.timeout !== undefined && (!Number.isFinite(request.timeout) || request.timeout < 0)) {
    throw new RangeError(`options.requestOptions.timeout must be a number of milliseconds >= 0.`);
  }
  checkOptions(request?.customHeaders, "options.requestOptions.customHeaders");
}

function rejectOption(options: object | undefined, key: string, operation: string): void {
  if (options !== undefined && (options as Record<string, unknown>)[key] !== undefined) {
    throw new TypeError(`options.${key} is not supported by ${operation}: the service has no such parameter for it.`);
  }
}

function checkSendOptions(options: SendToAllOptions | undefined): void {
  checkCommon(options);
  checkTtl(options?.messageTtlSeconds);
  checkFilter(options?.filter);
  checkStringArray(options?.excludedConnections, "options.excludedConnections");
}

function checkCloseOptions(options: CloseConnectionsOptions | undefined): void {
  checkCommon(options);
  checkOptionalString(options?.reason, "options.reason");
  checkStringArray(options?.excluded, "options.excluded");
}

function checkPermissionOptions(options: PermissionOptions | undefined): void {
  checkCommon(options);
  if (options?.targetName !== undefined) checkGroupValue(options.targetName, "options.targetName");
}

export class HubOperations {
  readonly ctx: HubContext;

  constructor(ctx: HubContext) {
    this.ctx = ctx;
  }

  /** One span per public call; the callback gets options carrying the span's tracing context. */
  traced<O extends OperationOptions, T>(
    span: string,
    options: O | undefined,
    fn: (updated: O) => Promise<T>,
  ): Promise<T> {
    if (!this.ctx.tracing) return fn((options ?? {}) as O);
    return tracingClient.withSpan(span, (options ?? {}) as O, fn, { spanKind: "client" });
  }

  async request(
    mode: RetryMode,
    method: Method,
    path: string,
    params: string[],
    options: OperationOptions | undefined,
    request: RestRequestParameters = {},
  ): Promise<RestResponse> {
    const parameters: RestRequestParameters = {
      ...request,
      abortSignal: options?.abortSignal,
      tracingOptions: options?.tracingOptions,
    };
    if (options?.requestOptions?.timeout !== undefined) parameters.timeout = options.requestOptions.timeout;
    if (options?.requestOptions?.customHeaders) parameters.headers = { ...options.requestOptions.customHeaders };
    const { rest, hub } = this.ctx;
    return sendWithRetries(
      () => rest.path(path, hub, ...params)[method](parameters),
      mode,
      this.ctx.retry,
      options?.abortSignal,
    );
  }

  async #void(
    operation: string,
    mode: RetryMode,
    method: Method,
    path: string,
    params: string[],
    options: OperationOptions | undefined,
    request?: RestRequestParameters,
  ): Promise<void> {
    const response = await this.request(mode, method, path, params, options, request);
    if (!isSuccess(response)) throw toRestError(response, operation);
  }

  async #exists(
    operation: string,
    path: string,
    params: string[],
    options: OperationOptions | undefined,
    request?: RestRequestParameters,
  ): Promise<boolean> {
    const response = await this.request("idempotent", "head", path, params, options, request);
    if (isSuccess(response)) return true;
    // Only the service's own "not there" answers mean false; any other 404 (say, a misrouted proxy) is an error.
    if (response.status === "404" && isNotThereCode(response.headers["x-ms-error-code"])) return false;
    throw toRestError(response, operation);
  }

  async #send(
    operation: string,
    path: string,
    params: string[],
    payload: PreparedPayload,
    options: SendToAllOptions | undefined,
  ): Promise<void> {
    const body = payload.webBody !== undefined && this.ctx.nodeBodies ? await bodyForNode(payload) : payload.body;
    await this.#void(operation, payload.replayable ? "send" : "none", "post", path, params, options, {
      body,
      contentType: payload.contentType,
      queryParameters: {
        excluded: multi(options?.excludedConnections),
        filter: options?.filter,
        messageTtlSeconds: options?.messageTtlSeconds,
      },
    });
  }

  // ---- messages -------------------------------------------------------------------------------------------------

  async sendToAll(span: string, message: unknown, options: SendToAllOptions | undefined): Promise<void> {
    checkSendOptions(options);
    const payload = preparePayload(message, options?.contentType);
    return this.traced(span, options, (o) => this.#send("sendToAll", "/api/hubs/{hub}/:send", [], payload, o));
  }

  async sendToUser(
    span: string,
    userId: unknown,
    message: unknown,
    options: SendToUserOptions | undefined,
  ): Promise<void> {
    checkId(userId, "userId");
    rejectOption(options, "excludedConnections", "sendToUser");
    checkSendOptions(options);
    const payload = preparePayload(message, options?.contentType);
    return this.traced(span, options, (o) =>
      this.#send("sendToUser", "/api/hubs/{hub}/users/{userId}/:send", [userId], payload, o),
    );
  }

  async sendToConnection(
    span: string,
    connectionId: unknown,
    message: unknown,
    options: SendToConnectionOptions | undefined,
  ): Promise<void> {
    checkId(connectionId, "connectionId");
    rejectOption(options, "excludedConnections", "sendToConnection");
    rejectOption(options, "filter", "sendToConnection");
    checkSendOptions(options);
    const payload = preparePayload(message, options?.contentType);
    return this.traced(span, options, (o) =>
      this.#send("sendToConnection", "/api/hubs/{hub}/connections/{connectionId}/:send", [connectionId], payload, o),
    );
  }

  async sendToGroup(
    span: string,
    group: unknown,
    message: unknown,
    options: SendToGroupOptions | undefined,
  ): Promise<void> {
    checkGroup(group, "groupName");
    checkSendOptions(options);
    const payload = preparePayload(message, options?.contentType);
    return this.traced(span, options, (o) =>
      this.#send("sendToGroup", "/api/hubs/{hub}/groups/{group}/:send", [group], payload, o),
    );
  }

  // ---- groups ---------------------------------------------------------------------------------------------------

  async addUserToGroup(
    span: string,
    group: unknown,
    userId: unknown,
    options: OperationOptions | undefined,
  ): Promise<void> {
    checkGroup(group, "groupName");
    checkId(userId, "userId");
    checkCommon(options);
    return this.traced(span, options, (o) =>
      this.#void(
        "addUserToGroup",
        "idempotent",
        "put",
        "/api/hubs/{hub}/users/{userId}/groups/{group}",
        [userId, group],
        o,
      ),
    );
  }

  async removeUserFromGroup(
    span: string,
    group: unknown,
    userId: unknown,
    options: OperationOptions | undefined,
  ): Promise<void> {
    checkGroup(group, "groupName");
    checkId(userId, "userId");
    checkCommon(options);
    return this.traced(span, options, (o) =>
      this.#void(
        "removeUserFromGroup",
        "idempotent",
        "delete",
        "/api/hubs/{hub}/users/{userId}/groups/{group}",
        [userId, group],
        o,
      ),
    );
  }

  async addConnectionToGroup(
    span: string,
    group: unknown,
    connectionId: unknown,
    options: OperationOptions | undefined,
  ): Promise<void> {
    checkGroup(group, "groupName");
    checkId(connectionId, "connectionId");
    checkCommon(options);
    return this.traced(span, options, (o) =>
      this.#void(
        "addConnectionToGroup",
        "idempotent",
        "put",
        "/api/hubs/{hub}/groups/{group}/connections/{connectionId}",
        [group, connectionId],
        o,
      ),
    );
  }

  async removeConnectionFromGroup(
    span: string,
    group: unknown,
    connectionId: unknown,
    options: OperationOptions | undefined,
  ): Promise<void> {
    checkGroup(group, "groupName");
    checkId(connectionId, "connectionId");
    checkCommon(options);
    return this.traced(span, options, (o) =>
      this.#void(
        "removeConnectionFromGroup",
        "idempotent",
        "delete",
        "/api/hubs/{hub}/groups/{group}/connections/{connectionId}",
        [group, connectionId],
        o,
      ),
    );
  }

  async connectionsToGroups(
    span: string,
    action: "add" | "remove",
    groups: unknown,
    filter: unknown,
    options: OperationOptions | undefined,
  ): Promise<void> {
    checkGroupArray(groups, "groups", true);
    checkRequiredFilter(filter, "filter");
    checkCommon(options);
    const operation = action === "add" ? "addConnectionsToGroups" : "removeConnectionsFromGroups";
    const path = action === "add" ? "/api/hubs/{hub}/:addToGroups" : "/api/hubs/{hub}/:removeFromGroups";
    return this.traced(span, options, (o) =>
      this.#void(operation, "idempotent", "post", path, [], o, {
        body: { groups, filter },
        contentType: "application/json",
      }),
    );
  }

  async removeConnectionFromAllGroups(
    span: string,
    connectionId: unknown,
    options: OperationOptions | undefined,
  ): Promise<void> {
    checkId(connectionId, "connectionId");
    checkCommon(options);
    return this.traced(span, options, (o) =>
      this.#void(
        "removeConnectionFromAllGroups",
        "idempotent",
        "delete",
        "/api/hubs/{hub}/connections/{connectionId}/groups",
        [connectionId],
        o,
      ),
    );
  }

  async removeUserFromAllGroups(span: string, userId: unknown, options: OperationOptions | undefined): Promise<void> {
    checkId(userId, "userId");
    checkCommon(options);
    return this.traced(span, options, (o) =>
      this.#void(
        "removeUserFromAllGroups",
        "idempotent",
        "delete",
        "/api/hubs/{hub}/users/{userId}/groups",
        [userId],
        o,
      ),
    );
  }

  /**
   * A lazy listing. One tracing span covers one iteration (the item iterator, or one `byPage()` iteration), from its
   * first page request until it ends. Bad arguments throw synchronously here, since the iterator is returned directly.
   */
  listConnectionsInGroup(
    span: string,
    group: unknown,
    options: ListConnectionsOptions | undefined,
  ): PagedAsyncIterableIterator<WebPubSubGroupMember, WebPubSubGroupMember[], PageSettings> {
    checkGroup(group, "groupName");
    checkCommon(options);
    checkPositiveInteger(options?.maxPageSize, "options.maxPageSize", MAX_PAGE_SIZE);
    checkPositiveInteger(options?.top, "options.top");
    checkOptionalId(options?.continuationToken, "options.continuationToken");
    // nextLinks the service returned during this listing (already checked to point at the endpoint): only these are
    // followed as URLs. Any other continuation token is the service's `continuationToken` query value.
    const followed = new Set<string>();
    // nextLinks refused (another origin): the page that carried one is still delivered, following it fails.
    const refused = new Map<string, Error>();
    const fetchPage = async (settings: PageSettings, o: OperationOptions) => {
      checkPositiveInteger(settings.maxPageSize, "maxPageSize", MAX_PAGE_SIZE);
      const maxPageSize = settings.maxPageSize ?? options?.maxPageSize;
      const token = settings.continuationToken || options?.continuationToken || undefined;
      const refusal = token === undefined ? undefined : refused.get(token);
      if (refusal !== undefined) throw refusal;
      let response: RestResponse;
      if (token !== undefined && followed.has(token)) {
        // The service's nextLink carries what the next page needs (continuationToken, remaining top).
        let next = token;
        if (settings.maxPageSize !== undefined) {
          const url = new URL(next);
          url.searchParams.set("maxpagesize", String(settings.maxPageSize));
          next = url.toString();
        }
        response = await this.request("idempotent", "get", next, [], o);
      } else {
        response = await this.request("idempotent", "get", "/api/hubs/{hub}/groups/{group}/connections", [group], o, {
          queryParameters: { maxpagesize: maxPageSize, top: options?.top, continuationToken: token },
        });
      }
      if (!isSuccess(response)) throw toRestError(response, "listConnectionsInGroup");
      const body = response.body as { value?: unknown; nextLink?: unknown } | undefined | null;
      if (typeof body !== "object" || body === null || !Array.isArray(body.value)) {
        throw malformedResponse(response, "listConnectionsInGroup", "a `value` array in the response body");
      }
      const items = body.value.map((raw, i) => toMember(raw, i, response));
      if (typeof body.nextLink !== "string" || body.nextLink === "") return { items };
      try {
        const nextLink = this.#serviceLink(body.nextLink, response);
        followed.add(nextLink);
        return { items, continuationToken: nextLink };
      } catch (error) {
        refused.set(body.nextLink, error as Error);
        return { items, continuationToken: body.nextLink };
      }
    };
    const byPage = (settings: PageSettings = {}): AsyncIterableIterator<WebPubSubGroupMember[]> =>
      tracedIteration(this.ctx.tracing, span, options ?? {}, (o) =>
        createPagedIterator<WebPubSubGroupMember>((s) => fetchPage(s, o)).byPage(settings),
      );
    async function* items(): AsyncIterableIterator<WebPubSubGroupMember> {
      for await (const page of byPage()) yield* page;
    }
    const iterator = items();
    return {
      next: () => iterator.next(),
      return: async (value?: unknown) => {
        await iterator.return?.(value as WebPubSubGroupMember);
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
      byPage,
    };
  }

  /**
   * The nextLink of a listing page, as a URL of the service endpoint. A link to the reverse proxy is mapped back to
   * the endpoint (the pipeline sends it through the proxy again); a link to any other origin is refused, so the
   * request credentials never go to a host the client was not configured for.
   */
  #serviceLink(nextLink: string, response: RestResponse): string {
    const service = new URL(this.ctx.endpoint);
    let url: URL;
    try {
      url = new URL(nextLink, `${service.origin}/`);
    } catch {
      throw malformedResponse(response, "listConnectionsInGroup", "a valid `nextLink` URL");
    }
    if (url.origin === service.origin) return url.toString();
    const proxy = this.ctx.reverseProxyEndpoint === undefined ? undefined : new URL(this.ctx.reverseProxyEndpoint);
    if (proxy !== undefined && url.origin === proxy.origin) {
      const prefix = proxy.pathname.replace(/\/+$/, "");
      const path = prefix && url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : url.pathname;
      return `${service.origin}${path}${url.search}`;
    }
    const allowed = proxy === undefined ? service.origin : `${service.origin} or ${proxy.origin}`;
    throw new RestError(
      `listConnectionsInGroup: refusing to follow the nextLink to ${url.origin}, which is not ${allowed}; credentials are only sent to the configured endpoint.`,
      { statusCode: Number(response.status), request: response.request },
    );
  }

  // ---- connections ----------------------------------------------------------------------------------------------

  async connectionExists(span: string, connectionId: unknown, options: OperationOptions | undefined): Promise<boolean> {
    checkId(connectionId, "connectionId");
    checkCommon(options);
    return this.traced(span, options, (o) =>
      this.#exists("connectionExists", "/api/hubs/{hub}/connections/{connectionId}", [connectionId], o),
    );
  }

  async userExists(span: string, userId: unknown, options: OperationOptions | undefined): Promise<boolean> {
    checkId(userId, "userId");
    checkCommon(options);
    return this.traced(span, options, (o) => this.#exists("userExists", "/api/hubs/{hub}/users/{userId}", [userId], o));
  }

  async groupExists(span: string, group: unknown, options: OperationOptions | undefined): Promise<boolean> {
    checkGroup(group, "groupName");
    checkCommon(options);
    return this.traced(span, options, (o) => this.#exists("groupExists", "/api/hubs/{hub}/groups/{group}", [group], o));
  }

  async closeConnection(
    span: string,
    connectionId: unknown,
    options: CloseConnectionOptions | undefined,
  ): Promise<void> {
    checkId(connectionId, "connectionId");
    rejectOption(options, "excluded", "closeConnection");
    checkCloseOptions(options);
    return this.traced(span, options, (o) =>
      this.#void(
        "closeConnection",
        "idempotent",
        "delete",
        "/api/hubs/{hub}/connections/{connectionId}",
        [connectionId],
        o,
        {
          queryParameters: { reason: o.reason },
        },
      ),
    );
  }

  async closeAllConnections(span: string, options: CloseConnectionsOptions | undefined): Promise<void> {
    checkCloseOptions(options);
    return this.traced(span, options, (o) =>
      this.#void("closeAllConnections", "idempotent", "post", "/api/hubs/{hub}/:closeConnections", [], o, {
        queryParameters: { excluded: multi(o.excluded), reason: o.reason },
      }),
    );
  }

  async closeUserConnections(
    span: string,
    userId: unknown,
    options: CloseConnectionsOptions | undefined,
  ): Promise<void> {
    checkId(userId, "userId");
    checkCloseOptions(options);
    return this.traced(span, options, (o) =>
      this.#void(
        "closeUserConnections",
        "idempotent",
        "post",
        "/api/hubs/{hub}/users/{userId}/:closeConnections",
        [userId],
        o,
        {
          queryParameters: { excluded: multi(o.excluded), reason: o.reason },
        },
      ),
    );
  }

  async closeGroupConnections(
    span: string,
    group: unknown,
    options: CloseConnectionsOptions | undefined,
  ): Promise<void> {
    checkGroup(group, "groupName");
    checkCloseOptions(options);
    return this.traced(span, options, (o) =>
      this.#void(
        "closeGroupConnections",
        "idempotent",
        "post",
        "/api/hubs/{hub}/groups/{group}/:closeConnections",
        [group],
        o,
        {
          queryParameters: { excluded: multi(o.excluded), reason: o.reason },
        },
      ),
    );
  }

  // ---- permissions ----------------------------------------------------------------------------------------------

  async permission(
    span: string,
    action: "grant" | "revoke",
    connectionId: unknown,
    permission: unknown,
    options: PermissionOptions | undefined,
  ): Promise<void> {
    checkId(connectionId, "connectionId");
    checkPermission(permission);
    checkPermissionOptions(options);
    const operation = action === "grant" ? "grantPermission" : "revokePermission";
    return this.traced(span, options, (o) =>
      this.#void(
        operation,
        "idempotent",
        action === "grant" ? "put" : "delete",
        PERMISSION_PATH,
        [permission, connectionId],
        o,
        {
          queryParameters: { targetName: o.targetName },
        },
      ),
    );
  }

  async checkPermission(
    span: string,
    connectionId: unknown,
    permission: unknown,
    options: PermissionOptions | undefined,
  ): Promise<boolean> {
    checkId(connectionId, "connectionId");
    checkPermission(permission);
    checkPermissionOptions(options);
    return this.traced(span, options, (o) =>
      this.#exists("checkPermission", PERMISSION_PATH, [permission, connectionId], o, {
        queryParameters: { targetName: o.targetName },
      }),
    );
  }

  // ---- tokens and health ----------------------------------------------------------------------------------------

  async getClientAccessToken(
    span: string,
    options: GetClientAccessTokenOptions | undefined,
  ): Promise<ClientTokenResponse> {
    checkCommon(options);
    checkOptionalId(options?.userId, "options.userId");
    checkStringArray(options?.roles, "options.roles");
    checkGroupArray(options?.groups, "options.groups", false);
    checkExpiration(options?.expirationTimeInMinutes);
    checkClientProtocol(options?.clientProtocol);
    const { accessKey, endpoint, hub } = this.ctx;
    if (accessKey) {
      const minutes = options?.expirationTimeInMinutes ?? 60;
      return this.traced(span, options, () =>
        signClientToken(endpoint, hub, accessKey(), { ...options, expirationTimeInMinutes: minutes }),
      );
    }
    if (options?.expirationTimeInMinutes !== undefined && !Number.isInteger(options.expirationTimeInMinutes)) {
      throw new RangeError(
        "options.expirationTimeInMinutes must be a whole number of minutes with a token credential (the service's minutesToExpire is an integer).",
      );
    }
    return this.traced(span, options, async (o) => {
      const response = await this.request("idempotent", "post", "/api/hubs/{hub}/:generateToken", [], o, {
        queryParameters: {
          userId: o.userId,
          role: multi(o.roles),
          minutesToExpire: o.expirationTimeInMinutes ?? 60,
          group: multi(o.groups),
          clientType: o.clientProtocol,
        },
      });
      if (!isSuccess(response)) throw toRestError(response, "getClientAccessToken");
      const token = (response.body as { token?: unknown } | undefined)?.token;
      if (typeof token !== "string" || token.length === 0) {
        throw malformedResponse(response, "getClientAccessToken", "a non-empty `token` in the response body");
      }
      return clientTokenResponse(endpoint, hub, o.clientProtocol, token);
    });
  }

  async getServiceStatus(span: string, options: OperationOptions | undefined): Promise<boolean> {
    checkCommon(options);
    return this.traced(span, options, async (o) => {
      // One attempt: a health probe reports what it sees now rather than waiting out a backoff.
      const response = await this.ctx.rest
        .path("/api/health")
        .head({ abortSignal: o.abortSignal, tracingOptions: o.tracingOptions });
      if (isSuccess(response)) return true;
      if (response.status === "503") return false;
      throw toRestError(response, "getServiceStatus");
    });
  }
}

function toMember(raw: unknown, index: number, response: RestResponse): WebPubSubGroupMember {
  const item = (typeof raw === "object" && raw !== null ? raw : {}) as { connectionId?: unknown; userId?: unknown };
  if (typeof item.connectionId !== "string" || item.connectionId === "") {
    throw malformedResponse(response, "listConnectionsInGroup", `a \`connectionId\` string in value[${index}]`);
  }
  const member: WebPubSubGroupMember = { connectionId: item.connectionId };
  if (typeof item.userId === "string") member.userId = item.userId;
  return member;
}

export type { Permission };
