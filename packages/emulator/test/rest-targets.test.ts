// Which connections a REST operation acts on (src/rest/targets.ts): an OData filter (a bad one is the live service's
// validation-problem 400), `excluded` ids, a connection by id, the body of the group operations; and the bulk close.
import { describe, expect, it } from "vitest";
import type { Connection } from "../src/connection.ts";
import type { Hub } from "../src/hub.ts";
import {
  closeAll,
  connectionOf,
  filterParam,
  groupsAndFilter,
  notFoundConnection,
  sendFilter,
} from "../src/rest/targets.ts";
import type { Call } from "../src/rest/types.ts";
import { failureOf } from "./helpers/rest-failure-of.ts";

const conn = (id: string, userId: string | null = null) =>
  ({ id, userId, groups: new Set<string>() }) as unknown as Connection;
const A = conn("a", "u1");
const B = conn("b", "u2");
const C = conn("c", "u1");
const hubOf = (...conns: Connection[]) =>
  ({ connections: new Map(conns.map((c) => [c.id, c])) }) as unknown as Hub<Connection>;

function call(q: string) {
  const closed: [string, string][] = [];
  const c = {
    query: new URLSearchParams(q),
    service: { closeConnection: (x: Connection, reason: string) => closed.push([x.id, reason]) },
  } as unknown as Call;
  return { call: c, closed };
}

describe("an OData filter parameter", () => {
  it("is no filter when absent or blank", () => {
    expect(filterParam(null, "filter")).toBeUndefined();
    expect(filterParam(undefined, "filter")).toBeUndefined();
    expect(filterParam(" \t", "filter")).toBeUndefined();
  });

  it("selects the connections it matches", () => {
    const match = filterParam("userId eq 'u1'", "filter")!;
    expect([A, B, C].filter(match)).toEqual([A, C]);
  });

  it("with a syntax error is the service's validation-problem 400, naming the parameter and the position", () => {
    const f = failureOf(() => filterParam("userId eq", "Filter"));
    expect([f.status, f.code, f.target, f.problem]).toEqual([400, "Error.BadRequest", "Filter", true]);
    expect(f.message).toBe(
      "Invalid syntax for 'userId eq': Syntax error at position 9 in 'userId eq'. (Parameter 'filter')",
    );
  });

  it("that does not type-check is an invalid filter", () => {
    const f = failureOf(() => filterParam("userId eq 1", "filter"));
    expect([f.status, f.target, f.problem]).toEqual([400, "filter", true]);
    expect(f.message).toBe(
      "Invalid filter for 'userId eq 1': Cannot compare string with int using 'eq' at position 7 in 'userId eq 1'. (Parameter 'filter')",
    );
  });
});

describe("the recipients of a send", () => {
  it("are every connection without filter or excluded ids", () => {
    expect([A, B, C].filter(sendFilter(call("").call))).toEqual([A, B, C]);
  });

  it("are those the filter matches", () => {
    expect([A, B, C].filter(sendFilter(call("filter=userId eq 'u1'").call))).toEqual([A, C]);
  });

  it("leave out every excluded id", () => {
    expect([A, B, C].filter(sendFilter(call("excluded=a&excluded=b").call))).toEqual([C]);
  });

  it("refuse a bad filter, naming the filter parameter", () => {
    const f = failureOf(() => sendFilter(call("excluded=a&filter=userId eq").call));
    expect([f.status, f.target, f.problem]).toEqual([400, "filter", true]);
  });

  it("are those the filter matches and no excluded id names", () => {
    expect([A, B, C].filter(sendFilter(call("excluded=c&filter=userId eq 'u1'").call))).toEqual([A]);
  });
});

describe("closing a set of connections", () => {
  it("closes every one not excluded, with the reason given", async () => {
    const { call: c, closed } = call("excluded=b&reason=maintenance");
    expect(await closeAll(c, [A, B, C])).toBe(204);
    expect(closed).toEqual([
      ["a", "maintenance"],
      ["c", "maintenance"],
    ]);
  });

  it("says the server closed them when no reason is given", async () => {
    const { call: c, closed } = call("");
    await closeAll(c, new Set([A]));
    expect(closed).toEqual([["a", "Closed by the server."]]);
  });

  it("answers 204 without closing anything when there is no such set", async () => {
    const { call: c, closed } = call("");
    expect(await closeAll(c, undefined)).toBe(204);
    expect(closed).toEqual([]);
  });
});

describe("a connection by id", () => {
  it("is found in its hub only", () => {
    expect(connectionOf(hubOf(A, B), "b")).toBe(B);
    expect(connectionOf(hubOf(A), "b")).toBeUndefined();
    expect(connectionOf(undefined, "a")).toBeUndefined();
  });

  it("that is not found is a 404 in the service's words, with its code", () => {
    const f = notFoundConnection("x1");
    expect([f.status, f.code, f.target, f.message]).toEqual([
      404,
      "Error.Connection.NotExisted",
      "Connection",
      "Connection `x1` is not found.",
    ]);
    expect(notFoundConnection("x1", "Error.Other").code).toBe("Error.Other");
  });
});

describe("the connections and groups of :addToGroups and :removeFromGroups", () => {
  const body = (v: unknown) => Buffer.from(JSON.stringify(v));

  it("are the hub's connections the body's filter matches, or all of them without one", () => {
    expect(groupsAndFilter(hubOf(A, B, C), body({ groups: ["g"], filter: "userId eq 'u2'" }))).toEqual({
      conns: [B],
      groups: ["g"],
    });
    expect(groupsAndFilter(hubOf(A, B), body({ groups: ["g", "h"] }))).toEqual({ conns: [A, B], groups: ["g", "h"] });
  });

  it("are none in a hub without connections", () => {
    expect(groupsAndFilter(undefined, body({ groups: ["g"], filter: "userId eq 'u2'" }))).toEqual({
      conns: [],
      groups: ["g"],
    });
  });

  it("refuse a bad filter in the body, naming Filter", () => {
    const f = failureOf(() => groupsAndFilter(hubOf(A), body({ groups: ["g"], filter: "userId eq" })));
    expect([f.status, f.target, f.problem]).toEqual([400, "Filter", true]);
  });
});
