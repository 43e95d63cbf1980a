// The operations of one hub over the REST-level client: request shapes, retry mode, status handling. The service
// client and the group client are thin facades over this, each wrapping every call in its own tracing span.

import { RestError } from "@azure/core-rest-pipeline";
import { createPagedIterator, type PagedAsyncIterableIterator, type PageSettings } from "@webpubsub/async";
import { toRestError } from "@webpubsub/rest";
import { malformedResponse } from "./errors.ts";
import { checkOptionNames } from "./option-names.ts";
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
import type { QueryArray, RawResponse, RestClientLike, RestRequestParameters, RestResponse } from "./rest-types.ts";
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

/** Why an option of the official types that an operation has no use for is refused. */
const NO_SUCH_PARAMETER = "the service has no such parameter for it";

function checkFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== "function") {
    throw new TypeError(`${name} must be a function when given, got ${value === null ? "null" : typeof value}.`);
  }
}

/**
 * The options every operation takes, plus the names `where` accepts (`extra`; `unsupported` names official options
 * it refuses, with the reason): an unknown or unsupported option is an error naming it, never ignored.
 */
function checkCommon(
  options: OperationOptions | undefined,
  where: string,
  extra: readonly string[] = [],
  unsupported: Readonly<Record<string, string>> = {},
): void {
  checkOptions(options);
  checkOptionNames(options, where, extra, unsupported);
  checkAbortSignal(options?.abortSignal);
  checkFunction(options?.onResponse, "options.onResponse");
  const request = options?.requestOptions;
  checkOptions(request, "options.requestOptions");
  if (request?.timeout !== undefined && (!Number.isFinite(request.timeout) || request.timeout < 0)) {
    throw new RangeError(`options.requestOptions.timeout must be a number of milliseconds >= 0.`);
  }
  checkOptions(request?.customHeaders, "options.requestOptions.customHeaders");
  checkFunction(request?.onUploadProgress, "options.requestOptions.onUploadProgress");
  checkFunction(request?.onDownloadProgress, "options.requestOptions.onDownloadProgress");
}

const SEND_OPTIONS = ["contentType", "messageTtlSeconds"] as const;

function checkSendOptions(
  options: SendToAllOptions | undefined,
  where: string,
  extra: readonly string[],
  unsupported: Readonly<Record<string, string>> = {},
): void {
  checkCommon(options, where, [...SEND_OPTIONS, ...extra], unsupported);
  checkTtl(options?.messageTtlSeconds);
  checkFilter(options?.filter);
  checkStringArray(options?.excludedConnections, "options.excludedConnections");
}

function checkCloseOptions(
  options: CloseConnectionsOptions | undefined,
  where: string,
  extra: readonly string[],
  unsupported: Readonly<Record<string, string>> = {},
): void {
  checkCommon(options, where, ["reason", ...extra], unsupported);
  checkOptionalString(options?.reason, "options.reason");
  checkStringArray(options?.excluded, "options.excluded");
}

function checkPermissionOptions(options: PermissionOptions | undefined, where: string): void {
  checkCommon(options, where, ["targetName"]);
  if (options?.targetName !== undefined) checkGroupValue(options.targetName, "options.targetName");
}

/** One request of an operation: where it goes and which answers are results rather than errors. */
interface Call {
  /** The operation's name in errors. */
  operation: string;
  mode: RetryMode;
  method: Method;
  /** A route template of the REST client (`{hub}` is filled in), or an absolute URL (a listing's nextLink). */
  path: string;
  params?: string[];
  request?: RestRequestParameters;
  /** Which answers are results (default: any 2xx); any other answer is thrown as a RestError. */
  accept?: (response: RestResponse) => boolean;
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

  /**
   * Every request of every operation goes through here: the operation options become request parameters, the retry
   * rules apply, and the final answer (after retries) is classified and reported once to `options.onResponse` as
   * the official clients do: the raw response, its parsed body, and the error when the answer is thrown.
   */
  async send(call: Call, options: OperationOptions | undefined): Promise<RestResponse> {
    let raw: RawResponse | undefined;
    const parameters: RestRequestParameters = {
      ...call.request,
      abortSignal: options?.abortSignal,
      tracingOptions: options?.tracingOptions,
    };
    const requestOptions = options?.requestOptions;
    if (requestOptions?.timeout !== undefined) parameters.timeout = requestOptions.timeout;
    if (requestOptions?.customHeaders) parameters.headers = { ...requestOptions.customHeaders };
    if (requestOptions?.onUploadProgress) parameters.onUploadProgress = requestOptions.onUploadProgress;
    if (requestOptions?.onDownloadProgress) parameters.onDownloadProgress = requestOptions.onDownloadProgress;
    const onResponse = options?.onResponse;
    if (onResponse) {
      // Each attempt overwrites it, so the callback sees the answer that decided the outcome.
      parameters.onResponse = (response) => {
        raw = response;
      };
    }
    const { rest, hub } = this.ctx;
    const args = call.path.includes("{hub}") ? [hub, ...(call.params ?? [])] : (call.params ?? []);
    const response = await sendWithRetries(
      () => rest.path(call.path, ...args)[call.method](parameters),
      call.mode,
      this.ctx.retry,
      options?.abortSignal,
    );
    const error = (call.accept ?? isSuccess)(response) ? undefined : toRestError(response, call.operation);
    if (onResponse && raw) onResponse(raw, response.body, error);
    if (error) throw error;
    return response;
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
    await this.send({ operation, mode, method, path, params, ...(request ? { request } : {}) }, options);
  }

  async #exists(
    operation: string,
    path: string,
    params: string[],
    options: OperationOptions | undefined,
    request?: RestRequestParameters,
  ): Promise<boolean> {
    const response = await this.send(
      {
        operation,
        mode: "idempotent",
        method: "head",
        path,
        params,
        ...(request ? { request } : {}),
        // Only the service's own "not there" answers mean false; any other 404 (a misrouted proxy) is an error.
        accept: (r) => isSuccess(r) || (r.status === "404" && isNotThereCode(r.headers["x-ms-error-code"])),
      },
      options,
    );
    return isSuccess(response);
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
    checkSendOptions(options, span, ["filter", "excludedConnections"]);
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
    checkSendOptions(options, span, ["filter"], { excludedConnections: NO_SUCH_PARAMETER });
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
    checkSendOptions(options, span, [], { filter: NO_SUCH_PARAMETER, excludedConnections: NO_SUCH_PARAMETER });
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
    checkSendOptions(options, span, ["filter", "excludedConnections"]);
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
    checkCommon(options, span);
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
    checkCommon(options, span);
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
    checkCommon(options, span);
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
    checkCommon(options, span);
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
    checkCommon(options, span);
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
    checkCommon(options, span, [], { reason: NO_SUCH_PARAMETER });
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
    checkCommon(options, span, [], { reason: NO_SUCH_PARAMETER });
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
    checkCommon(options, span, ["maxPageSize", "top", "continuationToken"]);
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
        response = await this.send(
          { operation: "listConnectionsInGroup", mode: "idempotent", method: "get", path: next },
          o,
        );
      } else {
        response = await this.send(
          {
            operation: "listConnectionsInGroup",
            mode: "idempotent",
            method: "get",
            path: "/api/hubs/{hub}/groups/{group}/connections",
            params: [group],
            request: { queryParameters: { maxpagesize: maxPageSize, top: options?.top, continuationToken: token } },
          },
          o,
        );
      }
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
    checkCommon(options, span);
    return this.traced(span, options, (o) =>
      this.#exists("connectionExists", "/api/hubs/{hub}/connections/{connectionId}", [connectionId], o),
    );
  }

  async userExists(span: string, userId: unknown, options: OperationOptions | undefined): Promise<boolean> {
    checkId(userId, "userId");
    checkCommon(options, span);
    return this.traced(span, options, (o) => this.#exists("userExists", "/api/hubs/{hub}/users/{userId}", [userId], o));
  }

  async groupExists(span: string, group: unknown, options: OperationOptions | undefined): Promise<boolean> {
    checkGroup(group, "groupName");
    checkCommon(options, span);
    return this.traced(span, options, (o) => this.#exists("groupExists", "/api/hubs/{hub}/groups/{group}", [group], o));
  }

  async closeConnection(
    span: string,
    connectionId: unknown,
    options: CloseConnectionOptions | undefined,
  ): Promise<void> {
    checkId(connectionId, "connectionId");
    checkCloseOptions(options, span, [], { excluded: NO_SUCH_PARAMETER });
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
    checkCloseOptions(options, span, ["excluded"]);
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
    checkCloseOptions(options, span, ["excluded"]);
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
    checkCloseOptions(options, span, ["excluded"]);
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
    checkPermissionOptions(options, span);
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
    checkPermissionOptions(options, span);
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
    checkCommon(options, span, ["userId", "roles", "groups", "expirationTimeInMinutes", "clientProtocol"]);
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
      const response = await this.send(
        {
          operation: "getClientAccessToken",
          mode: "idempotent",
          method: "post",
          path: "/api/hubs/{hub}/:generateToken",
          request: {
            queryParameters: {
              userId: o.userId,
              role: multi(o.roles),
              minutesToExpire: o.expirationTimeInMinutes ?? 60,
              group: multi(o.groups),
              clientType: o.clientProtocol,
            },
          },
        },
        o,
      );
      const token = (response.body as { token?: unknown } | undefined)?.token;
      if (typeof token !== "string" || token.length === 0) {
        throw malformedResponse(response, "getClientAccessToken", "a non-empty `token` in the response body");
      }
      return clientTokenResponse(endpoint, hub, o.clientProtocol, token);
    });
  }

  async getServiceStatus(span: string, options: OperationOptions | undefined): Promise<boolean> {
    checkCommon(options, span);
    return this.traced(span, options, async (o) => {
      // One attempt ("none"): a health probe reports what it sees now rather than waiting out a backoff.
      const response = await this.send(
        {
          operation: "getServiceStatus",
          mode: "none",
          method: "head",
          path: "/api/health",
          accept: (r) => isSuccess(r) || r.status === "503",
        },
        o,
      );
      return isSuccess(response);
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
