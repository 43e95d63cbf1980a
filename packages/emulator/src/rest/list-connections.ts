// GET /api/hubs/{hub}/groups/{group}/connections: group members, paged with maxpagesize, top and continuationToken.
import { badRequest } from "./failure.ts";
import { intParam } from "./params.ts";
import type { Call, Reply } from "./types.ts";

/** `group` was checked by the route. */
export function listConnections(call: Call, hubName: string, group: string): Reply {
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
