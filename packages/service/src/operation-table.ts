// Every REST operation of the service client, described once: its name, the route it uses (a path template and
// method of @webpubsub/rest's generated `Routes`, so a typo or a route the spec does not have is a compile error),
// when a failed attempt is sent again, which answers are results, and which options it takes. HubOperations
// (operations.ts) sends every request through this table.
//
// Adding a REST operation: edit swagger/webpubsub.json, run `pnpm regen`, then follow the compile errors. The first
// one is here: `EveryRestOperationCovered` lists the operation, which is neither in OPERATIONS nor in NOT_EXPOSED.
// Describe it in OPERATIONS (and give it a method in operations.ts and the facades), or list it in NOT_EXPOSED with
// the reason. A changed path, method or parameter shows up as errors at the descriptor and at the call that builds
// its parameters (typed by the generated `RouteParameters`).
import type { HttpResponse, RouteOperation } from "@webpubsub/rest";
import type { OperationOptionNames, OptionName } from "./operation-options.ts";
import type { RetryMode } from "./retry-policy.ts";

/**
 * Which answers of an operation are results; any other is thrown as a RestError. `success`: any 2xx (the live
 * service answers 200, 202 or 204). `success-or-not-there`: also the service's own "not there" 404 (existence
 * checks). `success-or-unavailable`: also 503 (the health check).
 */
export type Accepts = "success" | "success-or-not-there" | "success-or-unavailable";

/** What the service client knows about one REST operation besides its route. */
export interface OperationFacts extends OperationOptionNames {
  /** The operation's name in errors: the WebPubSubServiceClient method that exposes it. */
  readonly name: string;
  readonly retry: RetryMode;
  readonly accepts: Accepts;
}

/** One REST operation of the table: a route of the generated client plus what the service client knows about it. */
export type OperationDescriptor = RouteOperation & OperationFacts;

/** Why an option of the official types that an operation has no use for is refused. */
const NO_SUCH_PARAMETER = "the service has no such parameter for it";

const SEND_OPTIONS = ["contentType", "messageTtlSeconds"] as const satisfies readonly OptionName[];
const CLOSE_OPTIONS = ["reason", "excluded"] as const satisfies readonly OptionName[];
const PERMISSION_PATH = "/api/hubs/{hub}/permissions/{permission}/connections/{connectionId}";

/**
 * The table. Retry modes (retry-policy.ts): the four sends are "send" (a message is never delivered twice; a one-shot
 * stream body makes the call "none"); everything else is "idempotent", except the health check, which reports what
 * it sees now ("none").
 */
export const OPERATIONS = {
  // ---- messages
  sendToAll: {
    name: "sendToAll",
    method: "post",
    path: "/api/hubs/{hub}/:send",
    retry: "send",
    accepts: "success",
    options: [...SEND_OPTIONS, "filter", "excludedConnections"],
  },
  sendToUser: {
    name: "sendToUser",
    method: "post",
    path: "/api/hubs/{hub}/users/{userId}/:send",
    retry: "send",
    accepts: "success",
    options: [...SEND_OPTIONS, "filter"],
    refused: { excludedConnections: NO_SUCH_PARAMETER },
  },
  sendToConnection: {
    name: "sendToConnection",
    method: "post",
    path: "/api/hubs/{hub}/connections/{connectionId}/:send",
    retry: "send",
    accepts: "success",
    options: SEND_OPTIONS,
    refused: { filter: NO_SUCH_PARAMETER, excludedConnections: NO_SUCH_PARAMETER },
  },
  sendToGroup: {
    name: "sendToGroup",
    method: "post",
    path: "/api/hubs/{hub}/groups/{group}/:send",
    retry: "send",
    accepts: "success",
    options: [...SEND_OPTIONS, "filter", "excludedConnections"],
  },
  // ---- groups
  addUserToGroup: {
    name: "addUserToGroup",
    method: "put",
    path: "/api/hubs/{hub}/users/{userId}/groups/{group}",
    retry: "idempotent",
    accepts: "success",
    options: [],
  },
  removeUserFromGroup: {
    name: "removeUserFromGroup",
    method: "delete",
    path: "/api/hubs/{hub}/users/{userId}/groups/{group}",
    retry: "idempotent",
    accepts: "success",
    options: [],
  },
  addConnectionToGroup: {
    name: "addConnectionToGroup",
    method: "put",
    path: "/api/hubs/{hub}/groups/{group}/connections/{connectionId}",
    retry: "idempotent",
    accepts: "success",
    options: [],
  },
  removeConnectionFromGroup: {
    name: "removeConnectionFromGroup",
    method: "delete",
    path: "/api/hubs/{hub}/groups/{group}/connections/{connectionId}",
    retry: "idempotent",
    accepts: "success",
    options: [],
  },
  addConnectionsToGroups: {
    name: "addConnectionsToGroups",
    method: "post",
    path: "/api/hubs/{hub}/:addToGroups",
    retry: "idempotent",
    accepts: "success",
    options: [],
  },
  removeConnectionsFromGroups: {
    name: "removeConnectionsFromGroups",
    method: "post",
    path: "/api/hubs/{hub}/:removeFromGroups",
    retry: "idempotent",
    accepts: "success",
    options: [],
  },
  removeConnectionFromAllGroups: {
    name: "removeConnectionFromAllGroups",
    method: "delete",
    path: "/api/hubs/{hub}/connections/{connectionId}/groups",
    retry: "idempotent",
    accepts: "success",
    options: [],
    refused: { reason: NO_SUCH_PARAMETER },
  },
  removeUserFromAllGroups: {
    name: "removeUserFromAllGroups",
    method: "delete",
    path: "/api/hubs/{hub}/users/{userId}/groups",
    retry: "idempotent",
    accepts: "success",
    options: [],
    refused: { reason: NO_SUCH_PARAMETER },
  },
  listConnectionsInGroup: {
    name: "listConnectionsInGroup",
    method: "get",
    path: "/api/hubs/{hub}/groups/{group}/connections",
    retry: "idempotent",
    accepts: "success",
    options: ["maxPageSize", "top", "continuationToken"],
  },
  // ---- connections
  connectionExists: {
    name: "connectionExists",
    method: "head",
    path: "/api/hubs/{hub}/connections/{connectionId}",
    retry: "idempotent",
    accepts: "success-or-not-there",
    options: [],
  },
  userExists: {
    name: "userExists",
    method: "head",
    path: "/api/hubs/{hub}/users/{userId}",
    retry: "idempotent",
    accepts: "success-or-not-there",
    options: [],
  },
  groupExists: {
    name: "groupExists",
    method: "head",
    path: "/api/hubs/{hub}/groups/{group}",
    retry: "idempotent",
    accepts: "success-or-not-there",
    options: [],
  },
  closeConnection: {
    name: "closeConnection",
    method: "delete",
    path: "/api/hubs/{hub}/connections/{connectionId}",
    retry: "idempotent",
    accepts: "success",
    options: ["reason"],
    refused: { excluded: NO_SUCH_PARAMETER },
  },
  closeAllConnections: {
    name: "closeAllConnections",
    method: "post",
    path: "/api/hubs/{hub}/:closeConnections",
    retry: "idempotent",
    accepts: "success",
    options: CLOSE_OPTIONS,
  },
  closeUserConnections: {
    name: "closeUserConnections",
    method: "post",
    path: "/api/hubs/{hub}/users/{userId}/:closeConnections",
    retry: "idempotent",
    accepts: "success",
    options: CLOSE_OPTIONS,
  },
  closeGroupConnections: {
    name: "closeGroupConnections",
    method: "post",
    path: "/api/hubs/{hub}/groups/{group}/:closeConnections",
    retry: "idempotent",
    accepts: "success",
    options: CLOSE_OPTIONS,
  },
  // ---- permissions
  grantPermission: {
    name: "grantPermission",
    method: "put",
    path: PERMISSION_PATH,
    retry: "idempotent",
    accepts: "success",
    options: ["targetName"],
  },
  revokePermission: {
    name: "revokePermission",
    method: "delete",
    path: PERMISSION_PATH,
    retry: "idempotent",
    accepts: "success",
    options: ["targetName"],
  },
  checkPermission: {
    name: "checkPermission",
    method: "head",
    path: PERMISSION_PATH,
    retry: "idempotent",
    accepts: "success-or-not-there",
    options: ["targetName"],
  },
  // ---- tokens and health
  getClientAccessToken: {
    name: "getClientAccessToken",
    method: "post",
    path: "/api/hubs/{hub}/:generateToken",
    retry: "idempotent",
    accepts: "success",
    options: ["userId", "roles", "groups", "expirationTimeInMinutes", "clientProtocol"],
  },
  getServiceStatus: {
    name: "getServiceStatus",
    method: "head",
    path: "/api/health",
    retry: "none",
    accepts: "success-or-unavailable",
    options: [],
  },
} as const satisfies Record<string, OperationDescriptor>;

/** REST operations of the spec the service client deliberately does not expose, each with the reason (none today). */
export const NOT_EXPOSED = [] as const satisfies readonly (RouteOperation & { readonly why: string })[];

/** `METHOD /path/template` of an operation (or of each operation of a union). */
export type RouteKey<T> = T extends { path: infer P extends string; method: infer M extends string }
  ? `${Uppercase<M>} ${P}`
  : never;

/** The REST operations of the spec that neither `Table` describes nor `Excluded` lists. */
export type Uncovered<Table, Excluded> = Exclude<
  RouteKey<RouteOperation>,
  RouteKey<Table[keyof Table]> | RouteKey<Excluded>
>;

/** Compiles only when `T` is `never`; otherwise the error names the first member of `T`. */
export type MustBeNever<T extends never> = T;

/**
 * The exhaustiveness check: every REST operation of the spec is in OPERATIONS or in NOT_EXPOSED. After `pnpm regen`
 * with a new operation, this line fails with `Type '"GET /api/..."' does not satisfy the constraint 'never'`.
 */
export type EveryRestOperationCovered = MustBeNever<Uncovered<typeof OPERATIONS, (typeof NOT_EXPOSED)[number]>>;

export function isSuccess(response: HttpResponse): boolean {
  const status = Number(response.status);
  return status >= 200 && status < 300;
}

/**
 * The x-ms-error-code values with which the service answers an existence check negatively: `Warning.User.NotExisted`,
 * `Warning.Group.NotExisted`, `Warning.Connection.NotExisted`, `Info.Connection.NotExisted` (permission check of an
 * unknown connection) and `Info.Permission.NotGranted`, as in the recordings and the emulator.
 */
const NOT_THERE_CODE = /^(Warning|Info|Error)\.[A-Za-z]+\.(NotExisted|NotGranted)$/;

/** Whether an answer is a result of an operation that accepts `accepts` (see Accepts). */
export function isAccepted(accepts: Accepts, response: HttpResponse): boolean {
  if (isSuccess(response)) return true;
  switch (accepts) {
    case "success":
      return false;
    case "success-or-not-there": {
      // Only the service's own "not there" answers; any other 404 (a misrouted proxy) is an error.
      const code = response.headers["x-ms-error-code"];
      return response.status === "404" && code !== undefined && NOT_THERE_CODE.test(code);
    }
    case "success-or-unavailable":
      return response.status === "503";
  }
}
