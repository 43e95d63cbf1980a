// The REST routes are the spec's operations: swagger/webpubsub.json (the repository's own copy, which the REST client
// is generated from) and src/rest/operations.ts name the same method + path pairs, and the same operation names. An
// operation added to the spec without a route, or a route without an operation, fails here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { routes } from "../src/rest/operations.ts";
import { PATH_PARAMETERS } from "../src/rest/route.ts";

const METHODS = ["get", "head", "post", "put", "delete", "patch", "options"];

interface Spec {
  paths: Record<string, Record<string, { operationId?: string }>>;
}

const spec = JSON.parse(readFileSync(new URL("../../../swagger/webpubsub.json", import.meta.url), "utf8")) as Spec;

/** "METHOD /path" -> operation name (the operationId without its `Group_` prefix). */
function specOperations(s: Spec): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, item] of Object.entries(s.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      out.set(`${method.toUpperCase()} ${path}`, (op.operationId ?? "").replace(/^[^_]*_/, ""));
    }
  }
  return out;
}

/** Both directions: operations of the spec without a route, and routes without an operation. */
function coverage(s: Spec): { withoutRoute: string[]; withoutOperation: string[] } {
  const ops = specOperations(s);
  const served = new Set(routes.map((r) => `${r.method} ${r.path}`));
  return {
    withoutRoute: [...ops.keys()].filter((k) => !served.has(k)),
    withoutOperation: [...served].filter((k) => !ops.has(k)),
  };
}

describe("REST routes and swagger/webpubsub.json", () => {
  it("reads the spec (25 operations, the health check included)", () => {
    expect(specOperations(spec).size).toBe(25);
  });

  it("every operation of the spec has a route, and every route an operation (method + path)", () => {
    expect(coverage(spec)).toEqual({ withoutRoute: [], withoutOperation: [] });
  });

  it("routes carry the spec's operation names, once each", () => {
    const ops = specOperations(spec);
    for (const r of routes) expect(r.name).toBe(ops.get(`${r.method} ${r.path}`));
    expect(new Set(routes.map((r) => r.name)).size).toBe(routes.length);
  });

  it("fails for an operation added to the spec, or one removed from it", () => {
    const added: Spec = structuredClone(spec);
    added.paths["/api/hubs/{hub}/groups/{group}/:touch"] = { post: { operationId: "WebPubSub_Touch" } };
    expect(coverage(added).withoutRoute).toEqual(["POST /api/hubs/{hub}/groups/{group}/:touch"]);
    const removed: Spec = structuredClone(spec);
    delete removed.paths["/api/hubs/{hub}/:send"];
    expect(coverage(removed).withoutOperation).toEqual(["POST /api/hubs/{hub}/:send"]);
  });

  it("every path parameter of the spec is checked by name", () => {
    const names = new Set(
      [
        ...Object.keys(spec.paths)
          .join("")
          .matchAll(/\{(\w+)\}/g),
      ].map((m) => m[1]),
    );
    expect([...names].sort()).toEqual(Object.keys(PATH_PARAMETERS).sort());
  });
});
