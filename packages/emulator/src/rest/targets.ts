// Which connections a REST operation acts on: by id, by OData filter (with the live service's error shape) and
// `excluded` ids; and the bulk close of a set of connections.
import { shownUnquoted } from "../bounded-text.ts";
import type { Connection } from "../connection.ts";
import type { Hub } from "../hub.ts";
import { compileFilter, FilterError } from "../odata/index.ts";
import { forEachInSlices } from "../yielding.ts";
import { RestFailure } from "./failure.ts";
import { groupsFromJsonBody } from "./params.ts";
import type { Call } from "./types.ts";

/** An OData filter as a predicate (undefined when blank); a bad filter is the service's `problem+json` 400. */
export function filterParam(text: string | null | undefined, target: string): ((c: Connection) => boolean) | undefined {
  if (text === null || text === undefined || text.trim() === "") return undefined;
  try {
    return compileFilter(text);
  } catch (e) {
    if (e instanceof FilterError) {
      const what = e.kind === "syntax" ? "Invalid syntax" : "Invalid filter";
      const detail =
        e.kind === "syntax" && !/position/.test(e.message) ? `${e.message} at position ${e.position}` : e.message;
      // the live service's wording and quote marks (test/rest-operations.test.ts compares with its recording)
      const value = shownUnquoted(text);
      throw new RestFailure(
        400,
        "Error.BadRequest",
        `${what} for '${value}': ${detail} in '${value}'. (Parameter 'filter')`,
        target,
        true,
      );
    }
    throw e;
  }
}

/** The recipients of a send: `filter` and `excluded` query parameters. */
export function sendFilter(call: Call): (c: Connection) => boolean {
  const excluded = new Set(call.query.getAll("excluded"));
  const filter = filterParam(call.query.get("filter"), "filter");
  if (excluded.size === 0) return filter ?? (() => true);
  if (filter === undefined) return (c) => !excluded.has(c.id);
  return (c) => !excluded.has(c.id) && filter(c);
}

/**
 * Closes every connection of `targets` not `excluded`, with the `reason` query parameter, in slices: each close also
 * takes the connection out of its groups (up to 10,000 of them).
 */
export async function closeAll(call: Call, targets: Iterable<Connection> | undefined): Promise<number> {
  if (targets === undefined) return 204;
  const excluded = new Set(call.query.getAll("excluded"));
  const reason = call.query.get("reason") ?? "Closed by the server.";
  await forEachInSlices(
    [...targets],
    (c) => {
      if (!excluded.has(c.id)) call.service.closeConnection(c, reason);
    },
    1,
  );
  return 204;
}

export function connectionOf(hub: Hub<Connection> | undefined, id: string): Connection | undefined {
  return hub?.connections.get(id);
}

export function notFoundConnection(id: string, code = "Error.Connection.NotExisted"): RestFailure {
  return new RestFailure(404, code, `Connection \`${shownUnquoted(id)}\` is not found.`, "Connection");
}

/** The connections `:addToGroups` / `:removeFromGroups` select (by the body's filter), and the body's groups. */
export function groupsAndFilter(
  hub: Hub<Connection> | undefined,
  body: Buffer,
): { conns: Connection[]; groups: string[] } {
  const { groups, filter } = groupsFromJsonBody(body);
  const match = filterParam(filter, "Filter");
  const conns = hub === undefined ? [] : [...hub.connections.values()].filter((c) => match === undefined || match(c));
  return { conns, groups };
}
