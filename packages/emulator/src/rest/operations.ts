// The 25 data-plane operations of api-version 2024-12-01, with the live service's status codes and error codes.
import { clip } from "../bounded-text.ts";
import type { Connection } from "../connection.ts";
import type { Hub } from "../hub.ts";
import { compileFilter, FilterError } from "../odata/index.ts";
import { Outgoing } from "../outgoing.ts";
import { forEachInSlices, pairs } from "../yielding.ts";
import { badRequest, RestFailure } from "./failure.ts";
import { generateToken } from "./generate-token.ts";
import { listConnections } from "./list-connections.ts";
import {
  checkGroup,
  checkNonEmpty,
  checkPermission,
  groupsFromJsonBody,
  metadataFromHeaders,
  payloadFromBody,
  readBody,
  ttlParam,
} from "./params.ts";
import type { Call, Route } from "./types.ts";

function filterParam(text: string | null | undefined, target: string): ((c: Connection) => boolean) | undefined {
  if (text === null || text === undefined || text.trim() === "") return undefined;
  try {
    return compileFilter(text);
  } catch (e) {
    if (e instanceof FilterError) {
      const what = e.kind === "syntax" ? "Invalid syntax" : "Invalid filter";
      const detail =
        e.kind === "syntax" && !/position/.test(e.message) ? `${e.message} at position ${e.position}` : e.message;
      const shown = clip(text);
      throw new RestFailure(
        400,
        "Error.BadRequest",
        `${what} for '${shown}': ${detail} in '${shown}'. (Parameter 'filter')`,
        target,
        true,
      );
    }
    throw e;
  }
}

function sendFilter(call: Call): (c: Connection) => boolean {
  const excluded = new Set(call.query.getAll("excluded"));
  const filter = filterParam(call.query.get("filter"), "filter");
  if (excluded.size === 0) return filter ?? (() => true);
  if (filter === undefined) return (c) => !excluded.has(c.id);
  return (c) => !excluded.has(c.id) && filter(c);
}

async function outgoing(call: Call, from: "server" | "group", group?: string): Promise<Outgoing> {
  const ttl = ttlParam(call.query);
  const body = await readBody(call.req);
  const payload = payloadFromBody(call.req.headers["content-type"], body);
  const metadata = metadataFromHeaders(call.req);
  const init: ConstructorParameters<typeof Outgoing>[0] = { payload, from };
  if (group !== undefined) init.group = group;
  if (metadata !== undefined) init.metadata = metadata;
  if (ttl !== undefined) init.ttlSeconds = ttl;
  return new Outgoing(init);
}

function closeAll(call: Call, targets: Iterable<Connection> | undefined): number {
  if (targets === undefined) return 204;
  const excluded = new Set(call.query.getAll("excluded"));
  const reason = call.query.get("reason") ?? "Closed by the server.";
  for (const c of [...targets]) if (!excluded.has(c.id)) call.service.closeConnection(c, reason);
  return 204;
}

function connectionOf(hub: Hub | undefined, id: string): Connection | undefined {
  return hub?.connections.get(id);
}

function notFoundConnection(id: string, code = "Error.Connection.NotExisted"): RestFailure {
  return new RestFailure(404, code, `Connection \`${clip(id)}\` is not found.`, "Connection");
}

function groupsAndFilter(hub: Hub | undefined, body: Buffer): { conns: Connection[]; groups: string[] } {
  const { groups, filter } = groupsFromJsonBody(body);
  const match = filterParam(filter, "Filter");
  const conns = hub === undefined ? [] : [...hub.connections.values()].filter((c) => match === undefined || match(c));
  return { conns, groups };
}

export const routes: Route[] = [
  {
    method: "POST",
    pattern: [":addToGroups"],
    name: "AddConnectionsToGroups",
    run: async (call, [hubName]) => {
      const hub = call.service.findHub(hubName!);
      const { conns, groups } = groupsAndFilter(hub, await readBody(call.req));
      // a connection that ends between two slices is skipped (joining it would put it back in the indexes)
      await forEachInSlices(pairs(conns, groups), ([c, g]) => {
        if (!c.ended) c.hub.join(c, g);
      });
      return 200;
    },
  },
  {
    method: "POST",
    pattern: [":removeFromGroups"],
    name: "RemoveConnectionsFromGroups",
    run: async (call, [hubName]) => {
      const hub = call.service.findHub(hubName!);
      const { conns, groups } = groupsAndFilter(hub, await readBody(call.req));
      await forEachInSlices(pairs(conns, groups), ([c, g]) => {
        if (!c.ended) c.hub.leave(c, g);
      });
      return 200;
    },
  },
  {
    method: "POST",
    pattern: [":closeConnections"],
    name: "CloseAllConnections",
    run: (call, [hubName]) => closeAll(call, call.service.findHub(hubName!)?.connections.values()),
  },
  {
    method: "POST",
    pattern: [":generateToken"],
    name: "GenerateClientToken",
    run: (call, [hubName]) => generateToken(call, hubName!),
  },
  {
    method: "POST",
    pattern: [":send"],
    name: "SendToAll",
    run: async (call, [hubName]) => {
      const accept = sendFilter(call);
      const msg = await outgoing(call, "server");
      const hub = call.service.findHub(hubName!);
      const n = hub === undefined ? 0 : call.service.deliverTo(hub.connections.values(), msg, accept);
      call.service.feed?.message(hubName!.toLowerCase(), "server", "all", msg, n);
      return 202;
    },
  },
  {
    method: "DELETE",
    pattern: ["connections", "*"],
    name: "CloseConnection",
    run: (call, [hubName, id]) => {
      checkNonEmpty(id!, "connectionId");
      const c = connectionOf(call.service.findHub(hubName!), id!);
      if (c !== undefined) call.service.closeConnection(c, call.query.get("reason") ?? "Closed by the server.");
      return 204;
    },
  },
  {
    method: "HEAD",
    pattern: ["connections", "*"],
    name: "ConnectionExists",
    run: (call, [hubName, id]) => {
      checkNonEmpty(id!, "connectionId");
      const c = connectionOf(call.service.findHub(hubName!), id!);
      return c !== undefined ? 200 : { status: 404, errorCode: "Warning.Connection.NotExisted" };
    },
  },
  {
    method: "POST",
    pattern: ["connections", "*", ":send"],
    name: "SendToConnection",
    run: async (call, [hubName, id]) => {
      checkNonEmpty(id!, "connectionId");
      const msg = await outgoing(call, "server");
      const c = connectionOf(call.service.findHub(hubName!), id!);
      c?.deliver(msg);
      call.service.feed?.message(hubName!.toLowerCase(), "server", `connection ${id}`, msg, c === undefined ? 0 : 1);
      return 202;
    },
  },
  {
    method: "DELETE",
    pattern: ["connections", "*", "groups"],
    name: "RemoveConnectionFromAllGroups",
    run: (call, [hubName, id]) => {
      checkNonEmpty(id!, "connectionId");
      const c = connectionOf(call.service.findHub(hubName!), id!);
      if (c !== undefined) c.hub.leaveAll(c);
      return 204;
    },
  },
  {
    method: "HEAD",
    pattern: ["groups", "*"],
    name: "GroupExists",
    run: (call, [hubName, group]) => {
      checkGroup(group!);
      const members = call.service.findHub(hubName!)?.groups.get(group!);
      return members !== undefined && members.size > 0 ? 200 : { status: 404, errorCode: "Warning.Group.NotExisted" };
    },
  },
  {
    method: "POST",
    pattern: ["groups", "*", ":closeConnections"],
    name: "CloseGroupConnections",
    run: (call, [hubName, group]) => {
      checkGroup(group!);
      return closeAll(call, call.service.findHub(hubName!)?.groups.get(group!));
    },
  },
  {
    method: "POST",
    pattern: ["groups", "*", ":send"],
    name: "SendToGroup",
    run: async (call, [hubName, group]) => {
      checkGroup(group!);
      const accept = sendFilter(call);
      const msg = await outgoing(call, "group", group);
      const members = call.service.findHub(hubName!)?.groups.get(group!);
      const n = members === undefined ? 0 : call.service.deliverTo(members, msg, accept);
      call.service.feed?.message(hubName!.toLowerCase(), "server", `group ${group}`, msg, n);
      return 202;
    },
  },
  {
    method: "GET",
    pattern: ["groups", "*", "connections"],
    name: "ListConnectionsInGroup",
    run: (call, [hubName, group]) => listConnections(call, hubName!, group!),
  },
  {
    method: "DELETE",
    pattern: ["groups", "*", "connections", "*"],
    name: "RemoveConnectionFromGroup",
    run: (call, [hubName, group, id]) => {
      checkGroup(group!);
      checkNonEmpty(id!, "connectionId");
      const c = connectionOf(call.service.findHub(hubName!), id!);
      if (c !== undefined) c.hub.leave(c, group!);
      return 204;
    },
  },
  {
    method: "PUT",
    pattern: ["groups", "*", "connections", "*"],
    name: "AddConnectionToGroup",
    run: (call, [hubName, group, id]) => {
      checkGroup(group!);
      checkNonEmpty(id!, "connectionId");
      const c = connectionOf(call.service.findHub(hubName!), id!);
      if (c === undefined) throw notFoundConnection(id!);
      c.hub.join(c, group!);
      return 200;
    },
  },
  {
    method: "DELETE",
    pattern: ["permissions", "*", "connections", "*"],
    name: "RevokePermission",
    run: (call, [hubName, perm, id]) => {
      const { permission, target } = permissionArgs(call, perm!, id!);
      connectionOf(call.service.findHub(hubName!), id!)?.revoke(permission, target);
      return 204;
    },
  },
  {
    method: "HEAD",
    pattern: ["permissions", "*", "connections", "*"],
    name: "CheckPermission",
    run: (call, [hubName, perm, id]) => {
      const { permission, target } = permissionArgs(call, perm!, id!);
      const c = connectionOf(call.service.findHub(hubName!), id!);
      if (c === undefined) return { status: 404, errorCode: "Info.Connection.NotExisted" };
      return c.allowed(permission, target) ? 200 : { status: 404, errorCode: "Info.Permission.NotGranted" };
    },
  },
  {
    method: "PUT",
    pattern: ["permissions", "*", "connections", "*"],
    name: "GrantPermission",
    run: (call, [hubName, perm, id]) => {
      const { permission, target } = permissionArgs(call, perm!, id!);
      const c = connectionOf(call.service.findHub(hubName!), id!);
      if (c === undefined) throw notFoundConnection(id!, "Info.Connection.NotExisted");
      c.grant(permission, target);
      return 200;
    },
  },
  {
    method: "HEAD",
    pattern: ["users", "*"],
    name: "UserExists",
    run: (call, [hubName, user]) => {
      checkNonEmpty(user!, "userId");
      const conns = call.service.findHub(hubName!)?.users.get(user!);
      return conns !== undefined && conns.size > 0 ? 200 : { status: 404, errorCode: "Warning.User.NotExisted" };
    },
  },
  {
    method: "POST",
    pattern: ["users", "*", ":closeConnections"],
    name: "CloseUserConnections",
    run: (call, [hubName, user]) => {
      checkNonEmpty(user!, "userId");
      return closeAll(call, call.service.findHub(hubName!)?.users.get(user!));
    },
  },
  {
    method: "POST",
    pattern: ["users", "*", ":send"],
    name: "SendToUser",
    run: async (call, [hubName, user]) => {
      checkNonEmpty(user!, "userId");
      const filter = filterParam(call.query.get("filter"), "filter");
      const msg = await outgoing(call, "server");
      const conns = call.service.findHub(hubName!)?.users.get(user!);
      const n = conns === undefined ? 0 : call.service.deliverTo(conns, msg, filter);
      call.service.feed?.message(hubName!.toLowerCase(), "server", `user ${user}`, msg, n);
      return 202;
    },
  },
  {
    method: "DELETE",
    pattern: ["users", "*", "groups"],
    name: "RemoveUserFromAllGroups",
    run: (call, [hubName, user]) => {
      checkNonEmpty(user!, "userId");
      const conns = call.service.findHub(hubName!)?.users.get(user!);
      if (conns !== undefined) for (const c of conns) c.hub.leaveAll(c);
      return 204;
    },
  },
  {
    method: "DELETE",
    pattern: ["users", "*", "groups", "*"],
    name: "RemoveUserFromGroup",
    run: (call, [hubName, user, group]) => {
      checkNonEmpty(user!, "userId");
      checkGroup(group!);
      const conns = call.service.findHub(hubName!)?.users.get(user!);
      if (conns !== undefined) for (const c of conns) c.hub.leave(c, group!);
      return 204;
    },
  },
  {
    method: "PUT",
    pattern: ["users", "*", "groups", "*"],
    name: "AddUserToGroup",
    run: (call, [hubName, user, group]) => {
      checkNonEmpty(user!, "userId");
      checkGroup(group!);
      const conns = call.service.findHub(hubName!)?.users.get(user!);
      if (conns !== undefined) for (const c of conns) c.hub.join(c, group!);
      return 200;
    },
  },
];

function permissionArgs(call: Call, perm: string, id: string) {
  const permission = checkPermission(perm);
  checkNonEmpty(id, "connectionId");
  const target = call.query.get("targetName");
  if (target === null) {
    throw badRequest("Invalid group name. Valid group name should be in between 1 and 1024 characters long.");
  }
  checkGroup(target, "targetName");
  return { permission, target };
}
