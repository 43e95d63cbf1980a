// The 25 data-plane operations of api-version 2024-12-01, with the live service's status codes and error codes.
import type { IncomingMessage, ServerResponse } from "node:http";
import { bearerToken, verifyRestToken } from "../auth.ts";
import type { Connection } from "../connection.ts";
import type { Hub } from "../hub.ts";
import { compileFilter, FilterError } from "../odata/index.ts";
import { Outgoing } from "../outgoing.ts";
import type { Service } from "../service.ts";
import { signToken, type TokenClaims, TokenError } from "../tokens.ts";
import { badRequest, RestFailure, SUPPORTED_API_VERSIONS, writeFailure } from "./failure.ts";
import {
  checkGroup,
  checkHub,
  checkNonEmpty,
  checkPermission,
  groupsFromJsonBody,
  intParam,
  metadataFromHeaders,
  payloadFromBody,
  readBody,
  ttlParam,
} from "./params.ts";

interface Call {
  service: Service;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  /** absolute URL of the request as the client addressed it */
  url: string;
  origin: string;
  pathname: string;
}

type Handler = (call: Call, p: string[]) => Promise<number | Reply> | number | Reply;

interface Reply {
  status: number;
  body?: unknown;
  errorCode?: string;
}

interface Route {
  method: string;
  /** segments after /api/hubs/{hub}; "*" captures one */
  pattern: string[];
  name: string;
  run: Handler;
}

function filterParam(text: string | null | undefined, target: string): ((c: Connection) => boolean) | undefined {
  if (text === null || text === undefined || text.trim() === "") return undefined;
  try {
    return compileFilter(text);
  } catch (e) {
    if (e instanceof FilterError) {
      const what = e.kind === "syntax" ? "Invalid syntax" : "Invalid filter";
      const detail =
        e.kind === "syntax" && !/position/.test(e.message) ? `${e.message} at position ${e.position}` : e.message;
      throw new RestFailure(
        400,
        "Error.BadRequest",
        `${what} for '${text}': ${detail} in '${text}'. (Parameter 'filter')`,
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
  return new RestFailure(404, code, `Connection \`${id}\` is not found.`, "Connection");
}

function groupsAndFilter(hub: Hub | undefined, body: Buffer): { conns: Connection[]; groups: string[] } {
  const { groups, filter } = groupsFromJsonBody(body);
  const match = filterParam(filter, "Filter");
  const conns = hub === undefined ? [] : [...hub.connections.values()].filter((c) => match === undefined || match(c));
  return { conns, groups };
}

const routes: Route[] = [
  {
    method: "POST",
    pattern: [":addToGroups"],
    name: "AddConnectionsToGroups",
    run: async (call, [hubName]) => {
      const hub = call.service.findHub(hubName!);
      const { conns, groups } = groupsAndFilter(hub, await readBody(call.req));
      for (const c of conns) for (const g of groups) c.hub.join(c, g);
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
      for (const c of conns) for (const g of groups) c.hub.leave(c, g);
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
      if (hub !== undefined) call.service.deliverTo(hub.connections.values(), msg, accept);
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
      connectionOf(call.service.findHub(hubName!), id!)?.deliver(msg);
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
      if (members !== undefined) call.service.deliverTo(members, msg, accept);
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
      if (conns !== undefined) call.service.deliverTo(conns, msg, filter);
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

function generateToken(call: Call, hub: string): Reply {
  const q = call.query;
  const userId = q.get("userId");
  const roles = q.getAll("role");
  const groups = q.getAll("group");
  for (const g of groups) checkGroup(g, "group");
  const minutes = intParam(q, "minutesToExpire", 1, 2_147_483_647, 60)!;
  const clientType = (q.get("clientType") ?? "Default").toLowerCase();
  let path: string;
  if (clientType === "default") path = "/client/hubs/";
  else if (clientType === "mqtt") path = "/clients/mqtt/hubs/";
  else if (clientType === "socketio") path = "/clients/socketio/hubs/";
  else throw badRequest(`Invalid clientType '${q.get("clientType")}'. Use Default or MQTT.`, "clientType");
  const now = Math.floor(Date.now() / 1000);
  const claims: TokenClaims = { aud: `${call.origin}${path}${hub}`, iat: now, exp: now + minutes * 60 };
  if (userId !== null && userId !== "") claims.sub = userId;
  if (roles.length > 0) claims.role = roles;
  if (groups.length > 0) claims["webpubsub.group"] = groups;
  return { status: 200, body: { token: signToken(claims, call.service.opts.accessKey) } };
}

function listConnections(call: Call, hubName: string, group: string): Reply {
  checkGroup(group);
  const q = call.query;
  const pageSize = intParam(q, "maxpagesize", 1, 200, 200)!;
  const top = intParam(q, "top", 1, Number.MAX_SAFE_INTEGER, undefined);
  const token = q.get("continuationToken");
  let after = 0;
  if (token !== null && token !== "") {
    if (!/^\d+$/.test(token)) throw badRequest("Invalid continuationToken.", "continuationToken");
    after = Number(token);
  }
  const members = call.service.findHub(hubName)?.groups.get(group);
  const sorted = members === undefined ? [] : [...members].filter((c) => c.serial > after);
  sorted.sort((a, b) => a.serial - b.serial);
  const take = Math.min(pageSize, top ?? Number.POSITIVE_INFINITY);
  const page = sorted.slice(0, take);
  const body: { value: { connectionId: string; userId: string | null }[]; nextLink?: string } = {
    value: page.map((c) => ({ connectionId: c.id, userId: c.userId })),
  };
  const remainingTop = top === undefined ? undefined : top - page.length;
  if (sorted.length > page.length && (remainingTop === undefined || remainingTop > 0)) {
    const next = new URLSearchParams();
    if (remainingTop !== undefined) next.set("top", String(remainingTop));
    next.set("maxpagesize", String(pageSize));
    next.set("continuationToken", String(page[page.length - 1]!.serial));
    next.set("api-version", q.get("api-version") ?? "2024-12-01");
    body.nextLink = `${call.origin}${call.pathname}?${next.toString()}`;
  }
  return { status: 200, body };
}

function splitPath(pathname: string): string[] | undefined {
  const parts = pathname.split("/");
  const out: string[] = [];
  for (const p of parts) {
    try {
      out.push(decodeURIComponent(p));
    } catch {
      return undefined;
    }
  }
  return out;
}

function matchRoute(segments: string[]): { routes: Route[]; params: string[] } | undefined {
  const found: Route[] = [];
  let params: string[] = [];
  for (const r of routes) {
    if (r.pattern.length !== segments.length) continue;
    const got: string[] = [];
    let ok = true;
    for (let i = 0; i < segments.length; i++) {
      const want = r.pattern[i]!;
      if (want === "*") got.push(segments[i]!);
      else if (want.toLowerCase() !== segments[i]!.toLowerCase()) {
        ok = false;
        break;
      }
    }
    if (ok) {
      found.push(r);
      params = got;
    }
  }
  return found.length > 0 ? { routes: found, params } : undefined;
}

/** Handles one REST request under /api; answers every error itself. */
export async function handleRest(service: Service, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? "GET";
  const head = method === "HEAD";
  const host = req.headers.host ?? `${service.opts.host}:${service.opts.port}`;
  const origin = `http://${host}`;
  const url = `${origin}${req.url ?? "/"}`;
  const started = Date.now();
  let status = 500;
  let opName = "unknown";
  try {
    const parsed = new URL(url);
    const segments = splitPath(parsed.pathname);
    if (segments === undefined) throw badRequest("The request path is not valid percent-encoding.", "path");
    // ["", "api", ...]
    if (segments.length === 3 && segments[2]!.toLowerCase() === "health") {
      opName = "GetServiceStatus";
      if (method !== "HEAD" && method !== "GET") throw new RestFailure(405, "Error.MethodNotAllowed", "Use HEAD.");
      status = 200;
      res.writeHead(200, { "api-supported-versions": SUPPORTED_API_VERSIONS, "content-length": "0" });
      res.end();
      return;
    }
    if (segments.length < 5 || segments[2]!.toLowerCase() !== "hubs") {
      throw new RestFailure(404, "Error.NotFound", `No operation at '${parsed.pathname}'.`, "path");
    }
    const hub = segments[3]!;
    const match = matchRoute(segments.slice(4));
    if (match === undefined)
      throw new RestFailure(404, "Error.NotFound", `No operation at '${parsed.pathname}'.`, "path");
    const route = match.routes.find((r) => r.method === method);
    if (route === undefined) {
      const allow = match.routes.map((r) => r.method).join(", ");
      res.setHeader("allow", allow);
      throw new RestFailure(405, "Error.MethodNotAllowed", `Method ${method} is not allowed here; use ${allow}.`);
    }
    opName = route.name;
    authenticate(service, req, url);
    checkHub(hub);
    const call: Call = { service, req, res, query: parsed.searchParams, url, origin, pathname: parsed.pathname };
    const out = await route.run(call, [hub, ...match.params]);
    const reply: Reply = typeof out === "number" ? { status: out } : out;
    status = reply.status;
    const headers: Record<string, string> = { "api-supported-versions": SUPPORTED_API_VERSIONS };
    if (reply.errorCode !== undefined) {
      headers["x-ms-error-code"] = reply.errorCode;
      headers["content-type"] = "application/json; charset=utf-8";
    }
    if (reply.body !== undefined && !head) {
      const text = JSON.stringify(reply.body);
      headers["content-type"] = "application/json; charset=utf-8";
      headers["content-length"] = String(Buffer.byteLength(text));
      res.writeHead(reply.status, headers);
      res.end(text);
    } else {
      if (!head) headers["content-length"] = "0";
      res.writeHead(reply.status, headers);
      res.end();
    }
  } catch (e) {
    const f =
      e instanceof RestFailure
        ? e
        : e instanceof TokenError
          ? new RestFailure(401, "Error.Unauthorized", `Unauthorized: ${e.message}`, "Authorization")
          : new RestFailure(500, "Error.InternalServerError", "Internal error.");
    if (!(e instanceof RestFailure) && !(e instanceof TokenError)) service.log(`REST internal error: ${String(e)}`);
    status = f.status;
    if (!res.headersSent) writeFailure(res, f, head);
    else res.end();
  } finally {
    service.log(`REST ${method} ${req.url} (${opName}) -> ${status} in ${Date.now() - started} ms`);
  }
}

function authenticate(service: Service, req: IncomingMessage, url: string): void {
  const header = req.headers.authorization;
  verifyRestToken(bearerToken(header), url, [service.opts.accessKey], service.opts.allowEntraTokens);
}
