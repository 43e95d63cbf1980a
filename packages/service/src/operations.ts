// The operations of one hub: each public method checks its arguments and makes one call through the operation table
// (operation-table.ts), whose descriptors give the route, retry mode, accepted answers and option names. Every request
// goes through `request` (typed by the generated route types) and `#exchange` (retries, onResponse, errors); the
// group listing (group-listing.ts) pages through them too. The service client and the group client are thin facades
// over this, each naming the tracing span of its methods.
import type {
  HttpResponse,
  RequestParameters,
  RouteMethod,
  RouteParameters,
  RoutePath,
  RoutePathArguments,
  RouteResources,
  WebPubSubRestClient,
} from "@webpubsub/rest";
import { malformedResponse } from "./errors.ts";
import { loadedHttpStack, type RestClientLoader } from "./http-stack-loader.ts";
import { checkOperationOptions } from "./operation-options.ts";
import { isAccepted, isSuccess, OPERATIONS, type OperationFacts } from "./operation-table.ts";
import type {
  ClientTokenResponse,
  CloseConnectionOptions,
  CloseConnectionsOptions,
  GetClientAccessTokenOptions,
  OperationOptions,
  PermissionOptions,
  RawResponse,
  SendToAllOptions,
  SendToConnectionOptions,
  SendToGroupOptions,
  SendToUserOptions,
} from "./options.ts";
import {
  bodyForNode,
  type MessageBodyParam,
  messageBodyParam,
  type PreparedPayload,
  preparePayload,
} from "./payload.ts";
import { type RetryMode, type ServiceRetryOptions, sendWithRetries } from "./retry-policy.ts";
import { clientTokenResponse, signClientToken } from "./token.ts";
import { withSpan } from "./tracing.ts";
import {
  checkGroup,
  checkGroupArray,
  checkId,
  checkPermission,
  checkRequiredFilter,
  type Permission,
} from "./validation.ts";

export interface HubContext {
  hub: string;
  endpoint: string;
  /** The REST client, created (and the HTTP stack loaded) at the first request. */
  rest: RestClientLoader;
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

/** An operation of the table, with its route's path and method as type parameters. */
type Operation<P extends RoutePath, M extends RouteMethod<P>> = OperationFacts & { path: P; method: M };

/** An array query parameter: sent when it has values, left out when empty. */
function nonEmpty(values: string[] | undefined): string[] | undefined {
  return values && values.length > 0 ? values : undefined;
}

/** The request parameters every operation shares, from its options: abort, tracing, timeout, headers, progress. */
function commonParameters(
  options: OperationOptions | undefined,
  onRaw: ((response: RawResponse) => void) | undefined,
): RequestParameters {
  const parameters: RequestParameters = { abortSignal: options?.abortSignal, tracingOptions: options?.tracingOptions };
  const requestOptions = options?.requestOptions;
  if (requestOptions?.timeout !== undefined) parameters.timeout = requestOptions.timeout;
  if (requestOptions?.customHeaders) parameters.headers = { ...requestOptions.customHeaders };
  if (requestOptions?.onUploadProgress) parameters.onUploadProgress = requestOptions.onUploadProgress;
  if (requestOptions?.onDownloadProgress) parameters.onDownloadProgress = requestOptions.onDownloadProgress;
  if (onRaw) parameters.onResponse = onRaw;
  return parameters;
}

const nothing = (): void => {};

/** Resources kept per client: a hub's sends reuse a handful (a send to a user or group adds one per id, up to this). */
const RESOURCE_CACHE_SIZE = 256;

export class HubOperations {
  readonly ctx: HubContext;
  /** `client.path(...)` results by route and arguments: making one builds a closure per HTTP method, every time. */
  readonly #resources = new Map<string, unknown>();

  constructor(ctx: HubContext) {
    this.ctx = ctx;
  }

  /** The route's resource for these path arguments (which fill its template in order), made once and reused. */
  #resource<P extends RoutePath>(client: WebPubSubRestClient, path: P, args: RoutePathArguments[P]): RouteResources[P] {
    const list = args as readonly string[];
    // A route of the hub alone is keyed by its template; any other argument is added prefixed with its length, so
    // that different arguments never make the same key.
    let key: string = path;
    if (list.length !== 1 || list[0] !== this.ctx.hub) for (const arg of list) key += `|${arg.length}:${arg}`;
    let resource = this.#resources.get(key) as RouteResources[P] | undefined;
    if (resource === undefined) {
      resource = client.path(path, ...args);
      if (this.#resources.size >= RESOURCE_CACHE_SIZE) this.#resources.clear();
      this.#resources.set(key, resource);
    }
    return resource;
  }

  /** One span per public call; the callback gets options carrying the span's tracing context. */
  traced<O extends OperationOptions, T>(
    span: string,
    options: O | undefined,
    fn: (updated: O) => Promise<T>,
  ): Promise<T> {
    if (!this.ctx.tracing) return fn((options ?? {}) as O);
    return withSpan(span, (options ?? {}) as O, fn);
  }

  /**
   * One request of `op`: `args` fill its path template, `parameters` are the operation's own (both typed by the
   * generated route types), and the options add what every request shares. Answers `op` does not accept are thrown.
   */
  request<P extends RoutePath, M extends RouteMethod<P>>(
    op: Operation<P, M>,
    args: RoutePathArguments[P],
    parameters: RouteParameters<P, M>,
    options: OperationOptions | undefined,
    retry: RetryMode = op.retry,
  ): Promise<HttpResponse> {
    const send = (client: WebPubSubRestClient, common: RequestParameters): PromiseLike<HttpResponse> => {
      const resource = this.#resource(client, op.path, args);
      // The compiler cannot pick a method of a generic resource (`RouteResources[P][M]`), so this names the
      // method's type by the route types: it takes the operation's parameters.
      const method = resource[op.method] as (parameters: RouteParameters<P, M>) => PromiseLike<HttpResponse>;
      return method({ ...parameters, ...common });
    };
    return this.#exchange(
      op,
      (common) => {
        const client = this.ctx.rest.created;
        return client ? send(client, common) : this.ctx.rest.get().then((created) => send(created, common));
      },
      options,
      retry,
    );
  }

  /** The next page of a listing: the service's nextLink is an absolute URL, not a path template of the API. */
  nextPage(op: OperationFacts, url: string, options: OperationOptions | undefined): Promise<HttpResponse> {
    return this.#exchange(
      op,
      async (common) => (await this.ctx.rest.get()).pathUnchecked(url).get(common),
      options,
      op.retry,
    );
  }

  /**
   * Every request of every operation goes through here: the retry rules apply, and the final answer (after retries)
   * is classified by the operation's `accepts` and reported once to `options.onResponse` as the official clients do:
   * the raw response, its parsed body, and the error when the answer is thrown.
   */
  async #exchange(
    op: OperationFacts,
    send: (common: RequestParameters) => PromiseLike<HttpResponse>,
    options: OperationOptions | undefined,
    retry: RetryMode,
  ): Promise<HttpResponse> {
    let raw: RawResponse | undefined;
    const onResponse = options?.onResponse;
    // Each attempt overwrites `raw`, so the callback sees the answer that decided the outcome.
    const common = commonParameters(options, onResponse ? (response) => (raw = response) : undefined);
    const response = await sendWithRetries(() => send(common), retry, this.ctx.retry, options?.abortSignal);
    const error = isAccepted(op.accepts, response) ? undefined : loadedHttpStack().toRestError(response, op.name);
    if (onResponse && raw) onResponse(raw, response.body, error);
    if (error) throw error;
    return response;
  }

  /** One request of `op` in the span `span`; `read` turns the answer into the result. */
  #call<P extends RoutePath, M extends RouteMethod<P>, T>(
    span: string,
    op: Operation<P, M>,
    args: RoutePathArguments[P],
    parameters: RouteParameters<P, M>,
    options: OperationOptions | undefined,
    read: (response: HttpResponse) => T,
  ): Promise<T> {
    return this.traced(span, options, async (o) => read(await this.request(op, args, parameters, o)));
  }

  /** A message to send: the body is prepared in the span (web bodies on Node need node:stream, loaded lazily). */
  #message<P extends RoutePath, M extends RouteMethod<P>>(
    span: string,
    op: Operation<P, M>,
    args: RoutePathArguments[P],
    payload: PreparedPayload,
    options: OperationOptions | undefined,
    parameters: (body: MessageBodyParam) => RouteParameters<P, M>,
  ): Promise<void> {
    return this.traced(span, options, async (o) => {
      const body = payload.webBody !== undefined && this.ctx.nodeBodies ? await bodyForNode(payload) : payload.body;
      const retry = payload.replayable ? op.retry : "none";
      await this.request(op, args, parameters(messageBodyParam(payload.contentType, body)), o, retry);
    });
  }

  // ---- messages -------------------------------------------------------------------------------------------------

  async sendToAll(span: string, message: unknown, options: SendToAllOptions | undefined): Promise<void> {
    checkOperationOptions(OPERATIONS.sendToAll, options, span);
    const payload = preparePayload(message, options?.contentType);
    return this.#message(span, OPERATIONS.sendToAll, [this.ctx.hub], payload, options, (body) => ({
      ...body,
      queryParameters: {
        excluded: nonEmpty(options?.excludedConnections),
        filter: options?.filter,
        messageTtlSeconds: options?.messageTtlSeconds,
      },
    }));
  }

  async sendToUser(
    span: string,
    userId: unknown,
    message: unknown,
    options: SendToUserOptions | undefined,
  ): Promise<void> {
    checkId(userId, "userId");
    checkOperationOptions(OPERATIONS.sendToUser, options, span);
    const payload = preparePayload(message, options?.contentType);
    return this.#message(span, OPERATIONS.sendToUser, [this.ctx.hub, userId], payload, options, (body) => ({
      ...body,
      queryParameters: { filter: options?.filter, messageTtlSeconds: options?.messageTtlSeconds },
    }));
  }

  async sendToConnection(
    span: string,
    connectionId: unknown,
    message: unknown,
    options: SendToConnectionOptions | undefined,
  ): Promise<void> {
    checkId(connectionId, "connectionId");
    checkOperationOptions(OPERATIONS.sendToConnection, options, span);
    const payload = preparePayload(message, options?.contentType);
    const args: [string, string] = [this.ctx.hub, connectionId];
    return this.#message(span, OPERATIONS.sendToConnection, args, payload, options, (body) => ({
      ...body,
      queryParameters: { messageTtlSeconds: options?.messageTtlSeconds },
    }));
  }

  async sendToGroup(
    span: string,
    group: unknown,
    message: unknown,
    options: SendToGroupOptions | undefined,
  ): Promise<void> {
    checkGroup(group, "groupName");
    checkOperationOptions(OPERATIONS.sendToGroup, options, span);
    const payload = preparePayload(message, options?.contentType);
    return this.#message(span, OPERATIONS.sendToGroup, [this.ctx.hub, group], payload, options, (body) => ({
      ...body,
      queryParameters: {
        excluded: nonEmpty(options?.excludedConnections),
        filter: options?.filter,
        messageTtlSeconds: options?.messageTtlSeconds,
      },
    }));
  }

  // ---- groups ---------------------------------------------------------------------------------------------------

  async addUserToGroup(
    span: string,
    group: unknown,
    userId: unknown,
    options: OperationOptions | undefined,
  ): Promise<void> {
    return this.#groupMember(span, OPERATIONS.addUserToGroup, group, userId, "userId", options);
  }

  async removeUserFromGroup(
    span: string,
    group: unknown,
    userId: unknown,
    options: OperationOptions | undefined,
  ): Promise<void> {
    return this.#groupMember(span, OPERATIONS.removeUserFromGroup, group, userId, "userId", options);
  }

  async addConnectionToGroup(
    span: string,
    group: unknown,
    connectionId: unknown,
    options: OperationOptions | undefined,
  ): Promise<void> {
    return this.#groupMember(span, OPERATIONS.addConnectionToGroup, group, connectionId, "connectionId", options);
  }

  async removeConnectionFromGroup(
    span: string,
    group: unknown,
    connectionId: unknown,
    options: OperationOptions | undefined,
  ): Promise<void> {
    return this.#groupMember(span, OPERATIONS.removeConnectionFromGroup, group, connectionId, "connectionId", options);
  }

  /**
   * Adds a user or a connection to a group or removes it (the operation's route and method decide): the group is
   * checked first, then the member. A user's route names the user before the group, a connection's after it.
   */
  #groupMember(
    span: string,
    op:
      | typeof OPERATIONS.addUserToGroup
      | typeof OPERATIONS.removeUserFromGroup
      | typeof OPERATIONS.addConnectionToGroup
      | typeof OPERATIONS.removeConnectionFromGroup,
    group: unknown,
    member: unknown,
    memberName: "userId" | "connectionId",
    options: OperationOptions | undefined,
  ): Promise<void> {
    checkGroup(group, "groupName");
    checkId(member, memberName);
    checkOperationOptions(op, options, span);
    const args: [string, string, string] =
      memberName === "userId" ? [this.ctx.hub, member, group] : [this.ctx.hub, group, member];
    return this.#call(span, op, args, {}, options, nothing);
  }

  /** Adds every connection matching the OData `filter` to each of `groups`. */
  async addConnectionsToGroups(
    span: string,
    groups: unknown,
    filter: unknown,
    options: OperationOptions | undefined,
  ): Promise<void> {
    return this.#groupsByFilter(span, OPERATIONS.addConnectionsToGroups, groups, filter, options);
  }

  /** Removes every connection matching the OData `filter` from each of `groups`. */
  async removeConnectionsFromGroups(
    span: string,
    groups: unknown,
    filter: unknown,
    options: OperationOptions | undefined,
  ): Promise<void> {
    return this.#groupsByFilter(span, OPERATIONS.removeConnectionsFromGroups, groups, filter, options);
  }

  /** Adds the connections matching `filter` to `groups` or removes them (the operation decides); a JSON body. */
  #groupsByFilter(
    span: string,
    op: typeof OPERATIONS.addConnectionsToGroups | typeof OPERATIONS.removeConnectionsFromGroups,
    groups: unknown,
    filter: unknown,
    options: OperationOptions | undefined,
  ): Promise<void> {
    checkGroupArray(groups, "groups", true);
    checkRequiredFilter(filter, "filter");
    checkOperationOptions(op, options, span);
    const parameters = { body: { groups, filter }, contentType: "application/json" } as const;
    return this.#call(span, op, [this.ctx.hub], parameters, options, nothing);
  }

  async removeConnectionFromAllGroups(
    span: string,
    connectionId: unknown,
    options: OperationOptions | undefined,
  ): Promise<void> {
    checkId(connectionId, "connectionId");
    checkOperationOptions(OPERATIONS.removeConnectionFromAllGroups, options, span);
    const args: [string, string] = [this.ctx.hub, connectionId];
    return this.#call(span, OPERATIONS.removeConnectionFromAllGroups, args, {}, options, nothing);
  }

  async removeUserFromAllGroups(span: string, userId: unknown, options: OperationOptions | undefined): Promise<void> {
    checkId(userId, "userId");
    checkOperationOptions(OPERATIONS.removeUserFromAllGroups, options, span);
    return this.#call(span, OPERATIONS.removeUserFromAllGroups, [this.ctx.hub, userId], {}, options, nothing);
  }

  // ---- connections ----------------------------------------------------------------------------------------------

  async connectionExists(span: string, connectionId: unknown, options: OperationOptions | undefined): Promise<boolean> {
    checkId(connectionId, "connectionId");
    checkOperationOptions(OPERATIONS.connectionExists, options, span);
    return this.#call(span, OPERATIONS.connectionExists, [this.ctx.hub, connectionId], {}, options, isSuccess);
  }

  async userExists(span: string, userId: unknown, options: OperationOptions | undefined): Promise<boolean> {
    checkId(userId, "userId");
    checkOperationOptions(OPERATIONS.userExists, options, span);
    return this.#call(span, OPERATIONS.userExists, [this.ctx.hub, userId], {}, options, isSuccess);
  }

  async groupExists(span: string, group: unknown, options: OperationOptions | undefined): Promise<boolean> {
    checkGroup(group, "groupName");
    checkOperationOptions(OPERATIONS.groupExists, options, span);
    return this.#call(span, OPERATIONS.groupExists, [this.ctx.hub, group], {}, options, isSuccess);
  }

  async closeConnection(
    span: string,
    connectionId: unknown,
    options: CloseConnectionOptions | undefined,
  ): Promise<void> {
    checkId(connectionId, "connectionId");
    checkOperationOptions(OPERATIONS.closeConnection, options, span);
    const parameters = { queryParameters: { reason: options?.reason } };
    return this.#call(span, OPERATIONS.closeConnection, [this.ctx.hub, connectionId], parameters, options, nothing);
  }

  async closeAllConnections(span: string, options: CloseConnectionsOptions | undefined): Promise<void> {
    checkOperationOptions(OPERATIONS.closeAllConnections, options, span);
    const parameters = { queryParameters: { excluded: nonEmpty(options?.excluded), reason: options?.reason } };
    return this.#call(span, OPERATIONS.closeAllConnections, [this.ctx.hub], parameters, options, nothing);
  }

  async closeUserConnections(
    span: string,
    userId: unknown,
    options: CloseConnectionsOptions | undefined,
  ): Promise<void> {
    checkId(userId, "userId");
    checkOperationOptions(OPERATIONS.closeUserConnections, options, span);
    const parameters = { queryParameters: { excluded: nonEmpty(options?.excluded), reason: options?.reason } };
    return this.#call(span, OPERATIONS.closeUserConnections, [this.ctx.hub, userId], parameters, options, nothing);
  }

  async closeGroupConnections(
    span: string,
    group: unknown,
    options: CloseConnectionsOptions | undefined,
  ): Promise<void> {
    checkGroup(group, "groupName");
    checkOperationOptions(OPERATIONS.closeGroupConnections, options, span);
    const parameters = { queryParameters: { excluded: nonEmpty(options?.excluded), reason: options?.reason } };
    return this.#call(span, OPERATIONS.closeGroupConnections, [this.ctx.hub, group], parameters, options, nothing);
  }

  // ---- permissions ----------------------------------------------------------------------------------------------

  async grantPermission(
    span: string,
    connectionId: unknown,
    permission: unknown,
    options: PermissionOptions | undefined,
  ): Promise<void> {
    return this.#permission(span, OPERATIONS.grantPermission, connectionId, permission, options, nothing);
  }

  async revokePermission(
    span: string,
    connectionId: unknown,
    permission: unknown,
    options: PermissionOptions | undefined,
  ): Promise<void> {
    return this.#permission(span, OPERATIONS.revokePermission, connectionId, permission, options, nothing);
  }

  async checkPermission(
    span: string,
    connectionId: unknown,
    permission: unknown,
    options: PermissionOptions | undefined,
  ): Promise<boolean> {
    return this.#permission(span, OPERATIONS.checkPermission, connectionId, permission, options, isSuccess);
  }

  /** One of the permission operations: same route (hub, permission, connection) and `targetName`, its own method. */
  #permission<T>(
    span: string,
    op: typeof OPERATIONS.grantPermission | typeof OPERATIONS.revokePermission | typeof OPERATIONS.checkPermission,
    connectionId: unknown,
    permission: unknown,
    options: PermissionOptions | undefined,
    read: (response: HttpResponse) => T,
  ): Promise<T> {
    checkId(connectionId, "connectionId");
    checkPermission(permission);
    checkOperationOptions(op, options, span);
    const args: [string, Permission, string] = [this.ctx.hub, permission, connectionId];
    const parameters = { queryParameters: { targetName: options?.targetName } };
    return this.#call(span, op, args, parameters, options, read);
  }

  // ---- tokens and health ----------------------------------------------------------------------------------------

  /** Signed locally with a key credential (no request); asked of the service (`:generateToken`) otherwise. */
  async getClientAccessToken(
    span: string,
    options: GetClientAccessTokenOptions | undefined,
  ): Promise<ClientTokenResponse> {
    checkOperationOptions(OPERATIONS.getClientAccessToken, options, span);
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
    const queryParameters = {
      userId: options?.userId,
      role: nonEmpty(options?.roles),
      minutesToExpire: options?.expirationTimeInMinutes ?? 60,
      group: nonEmpty(options?.groups),
      clientType: options?.clientProtocol,
    };
    return this.#call(span, OPERATIONS.getClientAccessToken, [hub], { queryParameters }, options, (response) => {
      const token = (response.body as { token?: unknown } | undefined)?.token;
      if (typeof token !== "string" || token.length === 0) {
        throw malformedResponse(response, "getClientAccessToken", "a non-empty `token` in the response body");
      }
      return clientTokenResponse(endpoint, hub, options?.clientProtocol, token);
    });
  }

  /** True on 2xx, false on 503. One attempt: a health probe reports what it sees now rather than waiting out a backoff. */
  async getServiceStatus(span: string, options: OperationOptions | undefined): Promise<boolean> {
    checkOperationOptions(OPERATIONS.getServiceStatus, options, span);
    return this.#call(span, OPERATIONS.getServiceStatus, [], {}, options, isSuccess);
  }
}

export type { Permission };
