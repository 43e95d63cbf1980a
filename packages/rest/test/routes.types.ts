// Type-level tests, checked by `pnpm typecheck` (tsc): each @ts-expect-error line must be a compile error, or the
// typecheck fails with "Unused '@ts-expect-error' directive". Never executed.
import type {
  RouteMethod,
  RouteOperation,
  RouteParameters,
  RoutePath,
  RoutePathArguments,
  RouteResources,
  RouteResponse,
  WebPubSubAddConnectionsToGroupsParameters,
  WebPubSubCloseAllConnectionsParameters,
  WebPubSubRestClient,
  WebPubSubSendToAll202Response,
  WebPubSubSendToAll204Response,
  WebPubSubSendToAllDefaultResponse,
  WebPubSubSendToAllParameters,
  WebPubSubSendToUserParameters,
} from "../src/index.ts";

export async function typeTests(client: WebPubSubRestClient): Promise<void> {
  // Correct calls compile.
  await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "text/plain", body: "hi" });
  await client.path("/api/hubs/{hub}/groups/{group}/:send", "chat", "g").post({ body: { any: "json" } });
  await client.path("/api/hubs/{hub}/:addToGroups", "chat").post({ body: { groups: ["g"] } });
  await client
    .path("/api/hubs/{hub}/permissions/{permission}/connections/{connectionId}", "h", "sendToGroup", "c")
    .put();

  // Wrong number of path arguments.
  // @ts-expect-error the template has one placeholder
  client.path("/api/hubs/{hub}/:send");
  // @ts-expect-error the template has one placeholder
  client.path("/api/hubs/{hub}/:send", "chat", "extra");
  // @ts-expect-error the template has three placeholders
  client.path("/api/hubs/{hub}/groups/{group}/connections/{connectionId}", "chat", "g");
  // @ts-expect-error not a route of the API
  client.path("/api/hubs/{hub}/nothing", "chat");

  // Wrong body types.
  // @ts-expect-error text/plain takes a string
  await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "text/plain", body: 42 });
  // @ts-expect-error application/octet-stream takes bytes
  await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "application/octet-stream", body: "text" });
  // @ts-expect-error not a content type of the operation
  await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "application/xml", body: "<a/>" });
  // @ts-expect-error groups must be an array of strings
  await client.path("/api/hubs/{hub}/:addToGroups", "chat").post({ body: { groups: "g" } });
  // @ts-expect-error the body is required
  await client.path("/api/hubs/{hub}/:addToGroups", "chat").post({});
  // @ts-expect-error excluded is an array of connection ids
  await client.path("/api/hubs/{hub}/:closeConnections", "chat").post({ queryParameters: { excluded: "c1" } });
  const toUser = client.path("/api/hubs/{hub}/users/{userId}/:send", "h", "u");
  // @ts-expect-error messageTtlSeconds is a number
  await toUser.post({ body: 1, queryParameters: { messageTtlSeconds: "5" } });
  // @ts-expect-error a HEAD-only route has no get
  await client.path("/api/hubs/{hub}/users/{userId}", "h", "u").get();
}

/** True when two types are identical (not merely assignable). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

// An operation described once as { name, method, path }, the way @webpubsub/service describes its operations.
interface OperationSpec {
  name: string;
}
type Described = OperationSpec & RouteOperation;

export const described = {
  sendToAll: { name: "sendToAll", method: "post", path: "/api/hubs/{hub}/:send" },
  removeUserFromGroup: {
    name: "removeUserFromGroup",
    method: "delete",
    path: "/api/hubs/{hub}/users/{userId}/groups/{group}",
  },
  checkPermission: {
    name: "checkPermission",
    method: "head",
    path: "/api/hubs/{hub}/permissions/{permission}/connections/{connectionId}",
  },
} satisfies Record<string, Described>;

export const wrongPath = {
  // @ts-expect-error not a path template of the API (a typo of /api/hubs/{hub}/:send)
  sendToAll: { name: "sendToAll", method: "post", path: "/api/hubs/{hub}/send" },
} satisfies Record<string, Described>;

export const wrongMethod = {
  // @ts-expect-error the send route has only post
  sendToAll: { name: "sendToAll", method: "get", path: "/api/hubs/{hub}/:send" },
} satisfies Record<string, Described>;

export const wrongTemplateName = {
  // @ts-expect-error placeholders are part of the template: {user} is not {userId}
  userExists: { name: "userExists", method: "head", path: "/api/hubs/{hub}/users/{user}" },
} satisfies Record<string, Described>;

// Generic over the path: the arguments and the resource follow from the template.
export function resource<TPath extends RoutePath>(
  client: WebPubSubRestClient,
  path: TPath,
  ...args: RoutePathArguments[TPath]
): RouteResources[TPath] {
  return client.path(path, ...args);
}

/**
 * Sends any described operation: generic over path and method. The compiler cannot resolve a method of a generic
 * resource (`RouteResources[TPath][TMethod]`), so the one cast names the method's type by the route types.
 */
export async function send<TPath extends RoutePath, TMethod extends RouteMethod<TPath>>(
  client: WebPubSubRestClient,
  operation: { path: TPath; method: TMethod },
  args: RoutePathArguments[TPath],
  options: RouteParameters<TPath, TMethod>,
): Promise<RouteResponse<TPath, TMethod>> {
  const method = client.path(operation.path, ...args)[operation.method] as (
    options: RouteParameters<TPath, TMethod>,
  ) => PromiseLike<RouteResponse<TPath, TMethod>>;
  return await method(options);
}

export async function genericTypeTests(client: WebPubSubRestClient): Promise<void> {
  const sent: RouteResponse<"/api/hubs/{hub}/:send", "post"> = await resource(
    client,
    "/api/hubs/{hub}/:send",
    "h",
  ).post({
    body: "hi",
  });
  const options: RouteParameters<"/api/hubs/{hub}/:addToGroups", "post"> = { body: { groups: ["g"] } };
  await resource(client, "/api/hubs/{hub}/:addToGroups", "h").post(options);
  const methods: RouteMethod<"/api/hubs/{hub}/permissions/{permission}/connections/{connectionId}">[] = [
    "put",
    "delete",
    "head",
  ];
  void sent;
  void methods;
  // @ts-expect-error the permission route has no post
  const noPost: RouteMethod<"/api/hubs/{hub}/permissions/{permission}/connections/{connectionId}"> = "post";
  void noPost;
  // @ts-expect-error the template has two placeholders
  resource(client, "/api/hubs/{hub}/users/{userId}", "h");
  // @ts-expect-error the permission is a string
  resource(client, "/api/hubs/{hub}/permissions/{permission}/connections/{connectionId}", "h", 1, "c");
  // @ts-expect-error groups must be an array of strings
  const wrongBody: RouteParameters<"/api/hubs/{hub}/:addToGroups", "post"> = { body: { groups: "g" } };
  void wrongBody;
  // @ts-expect-error the body of addToGroups is required
  const noBody: RouteParameters<"/api/hubs/{hub}/:addToGroups", "post"> = {};
  void noBody;
  // The generic types are exactly the operation's own.
  const sameResponse: Equal<
    RouteResponse<"/api/hubs/{hub}/:send", "post">,
    WebPubSubSendToAll202Response | WebPubSubSendToAll204Response | WebPubSubSendToAllDefaultResponse
  > = true;
  const sameParameters: Equal<RouteParameters<"/api/hubs/{hub}/:send", "post">, WebPubSubSendToAllParameters> = true;
  const sameRequired: Equal<
    RouteParameters<"/api/hubs/{hub}/:addToGroups", "post">,
    WebPubSubAddConnectionsToGroupsParameters
  > = true;
  const sameOptional: Equal<
    RouteParameters<"/api/hubs/{hub}/:closeConnections", "post">,
    WebPubSubCloseAllConnectionsParameters
  > = true;
  // @ts-expect-error another operation's parameters are not the same type
  const otherParameters: Equal<RouteParameters<"/api/hubs/{hub}/:send", "post">, WebPubSubSendToUserParameters> = true;
  const toAll = await send(client, described.sendToAll, ["h"], { body: "hi" });
  if (toAll.status === "202" || toAll.status === "204") void toAll.headers;
  // @ts-expect-error the send route takes one path argument
  await send(client, described.sendToAll, ["h", "extra"], { body: "hi" });
  // @ts-expect-error the options are those of the described operation: sendToAll needs a body
  await send(client, described.sendToAll, ["h"], {});
  void [sameResponse, sameParameters, sameRequired, sameOptional, otherParameters];
}

// The client type has one name; WebPubSubServiceClient is @webpubsub/service's class and must not come from here.
// @ts-expect-error @webpubsub/rest exports no WebPubSubServiceClient
import type { WebPubSubServiceClient } from "../src/index.ts";
export type NotExported = WebPubSubServiceClient;
