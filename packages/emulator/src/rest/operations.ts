// The REST operations: the 25 data-plane operations of api-version 2024-12-01 and the health check, one route each,
// with the live service's status codes and error codes. Paths are the spec's (swagger/webpubsub.json); a test fails
// when an operation of the spec has no route here or a route has no operation there.
import type { Connection } from "../connection.ts";
import { GROUP_LIMIT_MESSAGE } from "../hub.ts";
import { forEachInSlices, pairs } from "../yielding.ts";
import { badRequest } from "./failure.ts";
import { generateToken } from "./generate-token.ts";
import { listConnections } from "./list-connections.ts";
import { checkGroup, messageFromRequest, readBody } from "./params.ts";
import { route } from "./route.ts";
import { closeAll, connectionOf, filterParam, groupsAndFilter, notFoundConnection, sendFilter } from "./targets.ts";
import type { Call } from "./types.ts";

const HUB = "/api/hubs/{hub}";

export const routes = [
  route("HEAD", "/api/health", "GetServiceStatus", () => 200, { also: ["GET"], anonymous: true }),

  // ---- the hub --------------------------------------------------------------------------------------------------
  route("POST", `${HUB}/:addToGroups`, "AddConnectionsToGroups", async (call, { hub }) => {
    const { conns, groups } = groupsAndFilter(call.service.findHub(hub), await readBody(call.req));
    checkRoom(conns, groups);
    // a connection that ends between two slices is skipped (joining it would put it back in the indexes), and one that
    // joined groups of its own meanwhile takes what still has room
    await forEachInSlices(pairs(conns, groups), ([c, g]) => {
      if (!c.ended && c.hub.hasRoom(c, new Set([g]))) c.hub.join(c, g);
    });
    return 200;
  }),
  route("POST", `${HUB}/:removeFromGroups`, "RemoveConnectionsFromGroups", async (call, { hub }) => {
    const { conns, groups } = groupsAndFilter(call.service.findHub(hub), await readBody(call.req));
    await forEachInSlices(pairs(conns, groups), ([c, g]) => {
      if (!c.ended) c.hub.leave(c, g);
    });
    return 200;
  }),
  route("POST", `${HUB}/:closeConnections`, "CloseAllConnections", (call, { hub }) =>
    closeAll(call, call.service.findHub(hub)?.connections.values()),
  ),
  route("POST", `${HUB}/:generateToken`, "GenerateClientToken", (call, { hub }) => generateToken(call, hub)),
  route("POST", `${HUB}/:send`, "SendToAll", async (call, { hub }) => {
    const accept = sendFilter(call);
    const msg = await messageFromRequest(call, "server");
    const targets = call.service.findHub(hub)?.connections.values() ?? [];
    call.service.send(restRoute(hub, "all"), targets, msg, accept);
    return 202;
  }),

  // ---- connections ----------------------------------------------------------------------------------------------
  route("DELETE", `${HUB}/connections/{connectionId}`, "CloseConnection", (call, { hub, connectionId }) => {
    const c = connectionOf(call.service.findHub(hub), connectionId);
    if (c !== undefined) call.service.closeConnection(c, call.query.get("reason") ?? "Closed by the server.");
    return 204;
  }),
  route("HEAD", `${HUB}/connections/{connectionId}`, "ConnectionExists", (call, { hub, connectionId }) =>
    connectionOf(call.service.findHub(hub), connectionId) !== undefined
      ? 200
      : { status: 404, errorCode: "Warning.Connection.NotExisted" },
  ),
  route("POST", `${HUB}/connections/{connectionId}/:send`, "SendToConnection", async (call, { hub, connectionId }) => {
    const msg = await messageFromRequest(call, "server");
    const c = connectionOf(call.service.findHub(hub), connectionId);
    call.service.send(restRoute(hub, `connection ${connectionId}`), c === undefined ? [] : [c], msg);
    return 202;
  }),
  route(
    "DELETE",
    `${HUB}/connections/{connectionId}/groups`,
    "RemoveConnectionFromAllGroups",
    async (call, { hub, connectionId }) => {
      const c = connectionOf(call.service.findHub(hub), connectionId);
      if (c !== undefined) await leaveEveryGroup([c]);
      return 204;
    },
  ),

  // ---- groups ---------------------------------------------------------------------------------------------------
  route("HEAD", `${HUB}/groups/{group}`, "GroupExists", (call, { hub, group }) => {
    const members = call.service.findHub(hub)?.groups.get(group);
    return members !== undefined && members.size > 0 ? 200 : { status: 404, errorCode: "Warning.Group.NotExisted" };
  }),
  route("POST", `${HUB}/groups/{group}/:closeConnections`, "CloseGroupConnections", (call, { hub, group }) =>
    closeAll(call, call.service.findHub(hub)?.groups.get(group)),
  ),
  route("POST", `${HUB}/groups/{group}/:send`, "SendToGroup", async (call, { hub, group }) => {
    const accept = sendFilter(call);
    const msg = await messageFromRequest(call, "group", group);
    const members = call.service.findHub(hub)?.groups.get(group) ?? [];
    call.service.send(restRoute(hub, `group ${group}`), members, msg, accept);
    return 202;
  }),
  route("GET", `${HUB}/groups/{group}/connections`, "ListConnectionsInGroup", (call, { hub, group }) =>
    listConnections(call, hub, group),
  ),
  route(
    "DELETE",
    `${HUB}/groups/{group}/connections/{connectionId}`,
    "RemoveConnectionFromGroup",
    (call, { hub, group, connectionId }) => {
      const c = connectionOf(call.service.findHub(hub), connectionId);
      if (c !== undefined) c.hub.leave(c, group);
      return 204;
    },
  ),
  route(
    "PUT",
    `${HUB}/groups/{group}/connections/{connectionId}`,
    "AddConnectionToGroup",
    (call, { hub, group, connectionId }) => {
      const c = connectionOf(call.service.findHub(hub), connectionId);
      if (c === undefined) throw notFoundConnection(connectionId);
      checkRoom([c], [group]);
      c.hub.join(c, group);
      return 200;
    },
  ),

  // ---- permissions ----------------------------------------------------------------------------------------------
  route(
    "DELETE",
    `${HUB}/permissions/{permission}/connections/{connectionId}`,
    "RevokePermission",
    (call, { hub, permission, connectionId }) => {
      const target = targetName(call);
      connectionOf(call.service.findHub(hub), connectionId)?.revoke(permission, target);
      return 204;
    },
  ),
  route(
    "HEAD",
    `${HUB}/permissions/{permission}/connections/{connectionId}`,
    "CheckPermission",
    (call, { hub, permission, connectionId }) => {
      const target = targetName(call);
      const c = connectionOf(call.service.findHub(hub), connectionId);
      if (c === undefined) return { status: 404, errorCode: "Info.Connection.NotExisted" };
      return c.allowed(permission, target) ? 200 : { status: 404, errorCode: "Info.Permission.NotGranted" };
    },
  ),
  route(
    "PUT",
    `${HUB}/permissions/{permission}/connections/{connectionId}`,
    "GrantPermission",
    (call, { hub, permission, connectionId }) => {
      const target = targetName(call);
      const c = connectionOf(call.service.findHub(hub), connectionId);
      if (c === undefined) throw notFoundConnection(connectionId, "Info.Connection.NotExisted");
      c.grant(permission, target);
      return 200;
    },
  ),

  // ---- users ----------------------------------------------------------------------------------------------------
  route("HEAD", `${HUB}/users/{userId}`, "UserExists", (call, { hub, userId }) => {
    const conns = call.service.findHub(hub)?.users.get(userId);
    return conns !== undefined && conns.size > 0 ? 200 : { status: 404, errorCode: "Warning.User.NotExisted" };
  }),
  route("POST", `${HUB}/users/{userId}/:closeConnections`, "CloseUserConnections", (call, { hub, userId }) =>
    closeAll(call, call.service.findHub(hub)?.users.get(userId)),
  ),
  route("POST", `${HUB}/users/{userId}/:send`, "SendToUser", async (call, { hub, userId }) => {
    const filter = filterParam(call.query.get("filter"), "filter");
    const msg = await messageFromRequest(call, "server");
    const conns = call.service.findHub(hub)?.users.get(userId) ?? [];
    call.service.send(restRoute(hub, `user ${userId}`), conns, msg, filter);
    return 202;
  }),
  route("DELETE", `${HUB}/users/{userId}/groups`, "RemoveUserFromAllGroups", async (call, { hub, userId }) => {
    const conns = call.service.findHub(hub)?.users.get(userId);
    if (conns !== undefined) await leaveEveryGroup([...conns]);
    return 204;
  }),
  route("DELETE", `${HUB}/users/{userId}/groups/{group}`, "RemoveUserFromGroup", (call, { hub, userId, group }) => {
    const conns = call.service.findHub(hub)?.users.get(userId);
    if (conns !== undefined) for (const c of conns) c.hub.leave(c, group);
    return 204;
  }),
  route("PUT", `${HUB}/users/{userId}/groups/{group}`, "AddUserToGroup", (call, { hub, userId, group }) => {
    const conns = call.service.findHub(hub)?.users.get(userId);
    if (conns !== undefined) {
      checkRoom(conns, [group]);
      for (const c of conns) c.hub.join(c, group);
    }
    return 200;
  }),
];

/** Refuses (400) a call that would take any of `conns` beyond the groups one connection may be in, before any join. */
function checkRoom(conns: Iterable<Connection>, groups: readonly string[]): void {
  const distinct = new Set(groups);
  for (const c of conns) if (!c.hub.hasRoom(c, distinct)) throw badRequest(GROUP_LIMIT_MESSAGE, "groups");
}

/**
 * Takes each of `conns` out of every group it is in now, in slices: a connection may be in any number of groups (each
 * leave is a service event, a feed entry with the dashboard on). One that ends between two slices is skipped.
 */
async function leaveEveryGroup(conns: readonly Connection[]): Promise<void> {
  const moves = conns.flatMap((c) => [...(c.groups ?? [])].map((g) => [c, g] as const));
  await forEachInSlices(moves, ([c, g]) => {
    if (!c.ended) c.hub.leave(c, g);
  });
}

/** A REST send as the service events show it (hub names are case-insensitive: shown lowercase). */
function restRoute(hub: string, to: string) {
  return { hub: hub.toLowerCase(), from: "server", to };
}

/** The group a permission operation is about (`targetName`, required). */
function targetName(call: Call): string {
  const target = call.query.get("targetName");
  if (target === null) {
    throw badRequest("Invalid group name. Valid group name should be in between 1 and 1024 characters long.");
  }
  return checkGroup(target, "targetName");
}
