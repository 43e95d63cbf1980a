// POST /api/hubs/{hub}/:generateToken: client access tokens (userId, roles, groups, lifetime, client type).
import { type JwtPayload, shown, signJwtSync } from "@webpubsub/core";
import { badRequest } from "./failure.ts";
import { checkGroup, intParam } from "./params.ts";
import type { Call, Reply } from "./types.ts";

/** `minutesToExpire` is an int32 in the REST spec (swagger/webpubsub.json); larger values are refused. */
const MAX_INT32 = 2 ** 31 - 1;

export function generateToken(call: Call, hub: string): Reply {
  const q = call.query;
  const userId = q.get("userId");
  const roles = q.getAll("role");
  const groups = q.getAll("group");
  for (const g of groups) checkGroup(g, "group");
  const minutes = intParam(q, "minutesToExpire", 1, MAX_INT32, 60)!;
  const clientType = (q.get("clientType") ?? "Default").toLowerCase();
  let path: string;
  if (clientType === "default") path = "/client/hubs/";
  else if (clientType === "mqtt") path = "/clients/mqtt/hubs/";
  else if (clientType === "socketio") path = "/clients/socketio/hubs/";
  else throw badRequest(`Invalid clientType ${shown(q.get("clientType") ?? "")}. Use Default or MQTT.`, "clientType");
  const now = Math.floor(Date.now() / 1000);
  const claims: JwtPayload = { aud: `${call.origin}${path}${hub}`, iat: now, exp: now + minutes * 60 };
  if (userId !== null && userId !== "") claims.sub = userId;
  if (roles.length > 0) claims.role = roles;
  if (groups.length > 0) claims["webpubsub.group"] = groups;
  return { status: 200, body: { token: signJwtSync(claims, call.service.opts.accessKey) } };
}
