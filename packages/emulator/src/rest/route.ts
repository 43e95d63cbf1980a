// REST routes as named path patterns, exactly the paths of swagger/webpubsub.json
// (`/api/hubs/{hub}/groups/{group}/connections/{connectionId}`). Path parameters are checked by name (PATH_PARAMETERS)
// before an operation runs, and an operation receives them typed by its pattern: `route("DELETE",
// "/api/hubs/{hub}/groups/{group}", ...)` gets `{ hub: string; group: string }`; a pattern naming a parameter without
// a check does not compile.
import type { Permission } from "@webpubsub/core";
import { checkGroup, checkHub, checkNonEmpty, checkPermission } from "./params.ts";
import type { Call, Reply } from "./types.ts";

/** How each path parameter is checked (and typed); the name also labels its errors. */
export const PATH_PARAMETERS = {
  hub: (v: string): string => checkHub(v),
  group: (v: string): string => checkGroup(v),
  connectionId: (v: string): string => checkNonEmpty(v, "connectionId"),
  userId: (v: string): string => checkNonEmpty(v, "userId"),
  permission: (v: string): Permission => checkPermission(v),
};

export type PathParameter = keyof typeof PATH_PARAMETERS;

/** The parameter names of a path pattern. */
export type NamesOf<P extends string> = P extends `${string}{${infer N}}${infer Rest}` ? N | NamesOf<Rest> : never;

/** The checked parameters of a path pattern. */
export type ParamsOf<P extends string> = {
  [K in NamesOf<P> & PathParameter]: ReturnType<(typeof PATH_PARAMETERS)[K]>;
};

export type Method = "GET" | "HEAD" | "POST" | "PUT" | "DELETE";

export interface Route {
  method: Method;
  /** the path pattern, as in swagger/webpubsub.json */
  path: string;
  /** the operation's name (the operationId without its `WebPubSub_` / `HealthApi_` prefix) */
  name: string;
  /** methods also served by this route beyond the spec (GET for the health check) */
  also?: readonly Method[];
  /** served without a token (the health check) */
  anonymous?: boolean;
  /** checks the path parameters, then runs the operation */
  run(call: Call, raw: Readonly<Record<string, string>>): Promise<number | Reply> | number | Reply;
}

export type Operation<P extends string> = (call: Call, params: ParamsOf<P>) => Promise<number | Reply> | number | Reply;

/** A route whose operation gets the parameters of `path`, each checked by PATH_PARAMETERS in path order. */
export function route<P extends string>(
  method: Method,
  path: P & (NamesOf<P> extends PathParameter ? unknown : { error: "a path parameter without a check" }),
  name: string,
  operation: Operation<P>,
  extra: Pick<Route, "also" | "anonymous"> = {},
): Route {
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as PathParameter);
  return {
    method,
    path,
    name,
    ...extra,
    run(call, raw) {
      const params: Record<string, unknown> = {};
      for (const n of names) params[n] = PATH_PARAMETERS[n](raw[n]!);
      return operation(call, params as ParamsOf<P>);
    },
  };
}

/** The routes whose pattern matches `segments` (the request path split at `/` and decoded), with their raw params. */
export function matchRoutes(
  routes: readonly Route[],
  segments: readonly string[],
): { routes: Route[]; params: Record<string, string> } | undefined {
  const found: Route[] = [];
  let params: Record<string, string> = {};
  for (const r of routes) {
    const got = matchPattern(patternOf(r), segments);
    if (got === undefined) continue;
    found.push(r);
    params = got;
  }
  return found.length > 0 ? { routes: found, params } : undefined;
}

/** Which parameter a path segment holds, by the literal segment before it (`users` -> `userId`), over all routes. */
export function parameterNames(routes: readonly Route[]): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const r of routes) {
    const pattern = patternOf(r);
    for (let i = 1; i < pattern.length; i++) {
      const name = parameterOf(pattern[i]!);
      if (name !== undefined) out.set(pattern[i - 1]!.toLowerCase(), name);
    }
  }
  return out;
}

const patterns = new WeakMap<Route, string[]>();

function patternOf(r: Route): string[] {
  let p = patterns.get(r);
  if (p === undefined) {
    p = r.path.split("/");
    patterns.set(r, p);
  }
  return p;
}

function parameterOf(segment: string): string | undefined {
  return segment.startsWith("{") && segment.endsWith("}") ? segment.slice(1, -1) : undefined;
}

function matchPattern(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    const name = parameterOf(want);
    if (name !== undefined) params[name] = segments[i]!;
    else if (want.toLowerCase() !== segments[i]!.toLowerCase()) return undefined;
  }
  return params;
}
