// The operations of one hub over the REST-level client: request shapes, retry mode, status handling. The service
// client and the group client are thin facades over this, each wrapping every call in its own tracing span.
import { createPagedIterator, type PagedAsyncIterableIterator, type PageSettings } from "@webpubsub/async";
import { createRestError } from "./errors.ts";
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
import { tracingClient } from "./tracing.ts";
import {
  checkAbortSignal,
  checkClientProtocol,
  checkExpiration,
  checkFilter,
  checkGroup,
  checkGroupArray,
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

export interface HubContext {
  hub: string;
  endpoint: string;
  rest: RestClientLike;
  retry: Required<ServiceRetryOptions>;
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
  if (options?.targetName !== undefined) checkGroup(options.targetName, "options.targetName");
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
    if (!isSuccess(response)) throw createRestError(response, operation);
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
    if (response.status === "404") return false;
    throw createRestError(response, operation);
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

  sendToAll(span: string, message: unknown, options: SendToAllOptions | undefined): Promise<void> {
    checkSendOptions(options);
    const payload = preparePayload(message, options?.contentType);
    return this.traced(span, options, (o) => this.#send("sendToAll", "/api/hubs/{hub}/:send", [], payload, o));
  }

  sendToUser(span: string, userId: unknown, message: unknown, options: SendToUserOptions | undefined): Promise<void> {
    checkId(userId, "userId");
    rejectOption(options, "excludedConnections", "sendToUser");
    checkSendOptions(options);
    const payload = preparePayload(message, options?.contentType);
    return this.traced(span, options, (o) =>
      this.#send("sendToUser", "/api/hubs/{hub}/users/{userId}/:send", [userId], payload, o),
    );
  }

  sendToConnection(
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

  sendToGroup(span: string, group: unknown, message: unknown, options: SendToGroupOptions | undefined): Promise<void> {
    checkGroup(group, "groupName");
    checkSendOptions(options);
    const payload = preparePayload(message, options?.contentType);
    return this.traced(span, options, (o) =>
      this.#send("sendToGroup", "/api/hubs/{hub}/groups/{group}/:send", [group], payload, o),
    );
  }

  // ---- groups ---------------------------------------------------------------------------------------------------

  addUserToGroup(span: string, group: unknown, userId: unknown, options: OperationOptions | undefined): Promise<void> {
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

  removeUserFromGroup(
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

  addConnectionToGroup(
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

  removeConnectionFromGroup(
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

  connectionsToGroups(
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

  removeConnectionFromAllGroups(
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

  removeUserFromAllGroups(span: string, userId: unknown, options: OperationOptions | undefined): Promise<void> {
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

  listConnectionsInGroup(
    span: string,
    group: unknown,
    options: ListConnectionsOptions | undefined,
  ): PagedAsyncIterableIterator<WebPubSubGroupMember, WebPubSubGroupMember[], PageSettings> {
    checkGroup(group, "groupName");
    checkCommon(options);
    checkPositiveInteger(options?.maxPageSize, "options.maxPageSize", MAX_PAGE_SIZE);
    checkPositiveInteger(options?.top, "options.top");
    const fetchPage = (settings: PageSettings) =>
      this.traced(span, options, async (o) => {
        checkPositiveInteger(settings.maxPageSize, "maxPageSize", MAX_PAGE_SIZE);
        const maxPageSize = settings.maxPageSize ?? options?.maxPageSize;
        let response: RestResponse;
        if (settings.continuationToken) {
          // The continuation token is the service's nextLink, followed as given (it carries top and api-version).
          let next = settings.continuationToken;
          if (settings.maxPageSize !== undefined) {
            const url = new URL(next);
            url.searchParams.set("maxpagesize", String(settings.maxPageSize));
            next = url.toString();
          }
          response = await this.request("idempotent", "get", next, [], o);
        } else {
          response = await this.request("idempotent", "get", "/api/hubs/{hub}/groups/{group}/connections", [group], o, {
            queryParameters: { maxpagesize: maxPageSize, top: options?.top },
          });
        }
        if (!isSuccess(response)) throw createRestError(response, "listConnectionsInGroup");
        const body = (response.body ?? {}) as { value?: unknown; nextLink?: unknown };
        const items = (Array.isArray(body.value) ? body.value : []).map(toMember);
        const nextLink = typeof body.nextLink === "string" && body.nextLink ? body.nextLink : undefined;
        return { items, continuationToken: nextLink };
      });
    return createPagedIterator(fetchPage);
  }

  // ---- connections ----------------------------------------------------------------------------------------------

  connectionExists(span: string, connectionId: unknown, options: OperationOptions | undefined): Promise<boolean> {
    checkId(connectionId, "connectionId");
    checkCommon(options);
    return this.traced(span, options, (o) =>
      this.#exists("connectionExists", "/api/hubs/{hub}/connections/{connectionId}", [connectionId], o),
    );
  }

  userExists(span: string, userId: unknown, options: OperationOptions | undefined): Promise<boolean> {
    checkId(userId, "userId");
    checkCommon(options);
    return this.traced(span, options, (o) => this.#exists("userExists", "/api/hubs/{hub}/users/{userId}", [userId], o));
  }

  groupExists(span: string, group: unknown, options: OperationOptions | undefined): Promise<boolean> {
    checkGroup(group, "groupName");
    checkCommon(options);
    return this.traced(span, options, (o) => this.#exists("groupExists", "/api/hubs/{hub}/groups/{group}", [group], o));
  }

  closeConnection(span: string, connectionId: unknown, options: CloseConnectionOptions | undefined): Promise<void> {
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

  closeAllConnections(span: string, options: CloseConnectionsOptions | undefined): Promise<void> {
    checkCloseOptions(options);
    return this.traced(span, options, (o) =>
      this.#void("closeAllConnections", "idempotent", "post", "/api/hubs/{hub}/:closeConnections", [], o, {
        queryParameters: { excluded: multi(o.excluded), reason: o.reason },
      }),
    );
  }

  closeUserConnections(span: string, userId: unknown, options: CloseConnectionsOptions | undefined): Promise<void> {
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

  closeGroupConnections(span: string, group: unknown, options: CloseConnectionsOptions | undefined): Promise<void> {
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

  permission(
    span: string,
    action: "grant" | "revoke" | "check",
    connectionId: unknown,
    permission: unknown,
    options: PermissionOptions | undefined,
  ): Promise<void> | Promise<boolean> {
    checkId(connectionId, "connectionId");
    checkPermission(permission);
    checkPermissionOptions(options);
    const path = "/api/hubs/{hub}/permissions/{permission}/connections/{connectionId}";
    const params = [permission, connectionId];
    if (action === "check") {
      return this.traced(span, options, (o) =>
        this.#exists("checkPermission", path, params, o, { queryParameters: { targetName: o.targetName } }),
      );
    }
    const operation = action === "grant" ? "grantPermission" : "revokePermission";
    return this.traced(span, options, (o) =>
      this.#void(operation, "idempotent", action === "grant" ? "put" : "delete", path, params, o, {
        queryParameters: { targetName: o.targetName },
      }),
    );
  }

  // ---- tokens and health ----------------------------------------------------------------------------------------

  getClientAccessToken(span: string, options: GetClientAccessTokenOptions | undefined): Promise<ClientTokenResponse> {
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
      if (!isSuccess(response)) throw createRestError(response, "getClientAccessToken");
      const token = (response.body as { token?: unknown } | undefined)?.token;
      if (typeof token !== "string" || token.length === 0) {
        throw createRestError({ ...response, status: "500" }, "getClientAccessToken (response had no token)");
      }
      return clientTokenResponse(endpoint, hub, o.clientProtocol, token);
    });
  }

  getServiceStatus(span: string, options: OperationOptions | undefined): Promise<boolean> {
    checkCommon(options);
    return this.traced(span, options, async (o) => {
      // One attempt: a health probe reports what it sees now rather than waiting out a backoff.
      const response = await this.ctx.rest
        .path("/api/health")
        .head({ abortSignal: o.abortSignal, tracingOptions: o.tracingOptions });
      if (isSuccess(response)) return true;
      if (response.status === "503") return false;
      throw createRestError(response, "getServiceStatus");
    });
  }
}

function toMember(raw: unknown): WebPubSubGroupMember {
  const item = (raw ?? {}) as { connectionId?: unknown; userId?: unknown };
  const member: WebPubSubGroupMember = { connectionId: String(item.connectionId) };
  if (typeof item.userId === "string") member.userId = item.userId;
  return member;
}

export type { Permission };
