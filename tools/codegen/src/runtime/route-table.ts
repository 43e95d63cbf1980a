// Run-time route metadata of a generated client: the success status codes of every route, how its array query
// parameters travel, which content type a body gets when the caller names none, and where pages keep their items;
// and the URL of a route with its path arguments, built once per `client.path(...)` rather than per request. The
// codegen copies this file verbatim into the generated output (route-table.ts); the generated routes.ts fills one
// RouteTable with the spec's routes. It is code of the generator, type-checked and tested in tools/codegen.
import type { Client, RequestParameters } from "@azure-rest/core-client";

/** How the values of an array query parameter travel (comma-separated ones need nothing). */
export type CollectionFormat = "ssv" | "tsv" | "pipes" | "multi";

/** What the client needs to know about one route at run time. */
export interface RouteInfo {
  /** Status codes that mean success. */
  success: string[];
  /** Array query parameters not sent comma-separated. */
  query?: Record<string, CollectionFormat>;
  /** Content type used when a request has a body and names none. */
  contentType?: string;
  /** Content type used instead when that body is binary (bytes, Blob or stream). */
  binaryContentType?: string;
  /** Where a page keeps its items and the link to the next page. */
  paging?: { itemName: string; nextLinkName: string | null };
}

/** A route key split for matching request URLs against it. */
interface CompiledRoute {
  method: string;
  segments: string[];
  query: [string, string?][];
  info: RouteInfo;
}

/** The request and status of a response, as much as the table needs to classify it. */
export interface ResponseLike {
  status: string;
  request: { method: string; url: string };
}

type Resource = Record<string, (options?: RequestParameters) => unknown>;

/** The routes of one API, keyed by `METHOD /path/template` (upper-case method, the template as in the spec). */
export class RouteTable {
  readonly #byKey: ReadonlyMap<string, RouteInfo>;
  readonly #compiled: readonly CompiledRoute[];

  constructor(routes: Readonly<Record<string, RouteInfo>>) {
    this.#byKey = new Map(Object.entries(routes));
    this.#compiled = Object.entries(routes).map(([key, info]) => {
      const space = key.indexOf(" ");
      const [path, query] = key.slice(space + 1).split("?") as [string, string?];
      return {
        method: key.slice(0, space),
        segments: path.split("/").filter(Boolean),
        query: query ? query.split("&").map((kv) => kv.split("=") as [string, string?]) : [],
        info,
      };
    });
  }

  /** The metadata of a route named by its method (any case) and path template, if the API has it. */
  get(method: string, template: string): RouteInfo | undefined {
    return this.#byKey.get(`${method.toUpperCase()} ${template}`);
  }

  /**
   * Finds the route of a request URL: its path must end with the template's path (any prefix is the endpoint's).
   * Literal segments weigh more than placeholders, and a query-qualified route wins when its query matches.
   */
  find(method: string, url: string): RouteInfo | undefined {
    const parsed = new URL(url);
    const segments = parsed.pathname.split("/").filter(Boolean);
    let best: { info: RouteInfo; score: number } | undefined;
    for (const route of this.#compiled) {
      if (route.method !== method.toUpperCase() || route.segments.length > segments.length) continue;
      const offset = segments.length - route.segments.length;
      let score = 0;
      let ok = true;
      for (let i = 0; i < route.segments.length && ok; i++) {
        const template = route.segments[i]!;
        if (/^\{[^}]+\}$/.test(template)) continue; // a placeholder takes any segment (empty ones are filtered out)
        if (template === segments[offset + i]) score += 2;
        else ok = false;
      }
      for (const [k, v] of route.query) {
        if (ok && parsed.searchParams.get(k) === (v ?? "")) score += 1;
        else ok = false;
      }
      if (ok && (!best || score > best.score)) best = { info: route.info, score };
    }
    return best?.info;
  }

  /**
   * Whether a response has a status code its route does not list as success. Responses of routes the table does
   * not know count as unexpected unless 2xx.
   */
  isUnexpected(response: ResponseLike): boolean {
    const route = this.find(response.request.method, response.request.url);
    if (!route) return !/^2\d\d$/.test(response.status);
    return !route.success.includes(response.status);
  }

  /** Applies the route's serialization rules (array query formats, default content type) to one request's options. */
  serialize(method: string, template: string, options: RequestParameters | undefined): RequestParameters | undefined {
    return serializeFor(this.get(method, template), options);
  }

  /**
   * Wraps `client.path` so every typed route applies its serialization rules; returns the same client. Given the
   * client's endpoint, a route's URL is also built once per `client.path(...)` call rather than once per request:
   * each request whose options add nothing to the URL (no query parameter with a value, no path parameters, URL
   * encoding not skipped) is sent to that URL; any other request builds its URL as before.
   */
  wrapClient<TClient extends Client>(client: TClient, endpoint?: string): TClient {
    const path = client.path as (route: string, ...args: unknown[]) => Resource;
    const unchecked = client.pathUnchecked as unknown as (url: string) => Resource;
    const wrapped = (route: string, ...args: unknown[]): Resource => {
      const resource = path(route, ...args);
      const url = endpoint === undefined ? undefined : routeUrl(endpoint, route, args);
      let direct: Resource | undefined;
      const out: Resource = {};
      for (const [method, send] of Object.entries(resource)) {
        const info = this.get(method, route);
        out[method] = (options?: RequestParameters) => {
          const serialized = serializeFor(info, options);
          if (url === undefined || !addsNothingToUrl(serialized)) return send(serialized);
          direct ??= unchecked(url);
          return direct[method]!(serialized);
        };
      }
      return out;
    };
    client.path = wrapped;
    return client;
  }
}

/** Applies a route's serialization rules (see RouteTable.serialize); without the route, the options as they are. */
function serializeFor(info: RouteInfo | undefined, options: RequestParameters | undefined) {
  if (!info || !options) return options;
  let out = options;
  const queryParameters = options.queryParameters;
  if (info.query && queryParameters && Object.keys(info.query).some((name) => Array.isArray(queryParameters[name]))) {
    const query: Record<string, unknown> = { ...queryParameters };
    for (const [name, format] of Object.entries(info.query)) {
      const value = query[name];
      if (!Array.isArray(value)) continue;
      if (format === "multi") query[name] = { value, explode: true };
      else if (format === "pipes") query[name] = { value, style: "pipeDelimited" };
      else if (format === "ssv") query[name] = { value, style: "spaceDelimited" };
      else query[name] = value.join("\t");
    }
    out = { ...out, queryParameters: query };
  }
  if (info.contentType && out.body !== undefined && out.contentType === undefined && !hasContentTypeHeader(out)) {
    const binary = info.binaryContentType !== undefined && isBinaryBody(out.body);
    out = { ...out, contentType: binary ? info.binaryContentType : info.contentType };
  }
  return out;
}

/**
 * The URL @azure-rest/core-client builds for a route of this endpoint and these path arguments when the request adds
 * nothing to it: each placeholder in turn replaced by its argument, URI-encoded, after the endpoint, as a WHATWG URL
 * prints it. Undefined where that is not so plain (an argument that is not a string, an endpoint or route with a
 * query, fragment or template of its own, a trailing or doubled slash): those requests build their URL as before.
 */
export function routeUrl(endpoint: string, route: string, args: readonly unknown[]): string | undefined {
  if (!/^https?:\/\/[^/?#{}]+(\/[^/?#{}]+)*$/.test(endpoint) || !route.startsWith("/") || /[?#]/.test(route)) {
    return undefined;
  }
  let filled = route;
  for (const arg of args) {
    if (typeof arg !== "string") return undefined;
    // As core-client fills it: String.replace of the first placeholder left, with the encoded argument.
    filled = filled.replace(/\{[\w-]+\}/, encodeURIComponent(arg));
  }
  try {
    return new URL(`${endpoint}${filled}`).toString();
  } catch {
    return undefined;
  }
}

/** Whether core-client would send a request with these options to the route's plain URL (see routeUrl). */
function addsNothingToUrl(options: RequestParameters | undefined): boolean {
  if (!options) return true;
  if (options.pathParameters !== undefined || options.skipUrlEncoding) return false;
  return !Object.values(options.queryParameters ?? {}).some((value) => value !== undefined && value !== null);
}

function isBinaryBody(body: unknown): boolean {
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return true;
  if (typeof Blob !== "undefined" && body instanceof Blob) return true;
  if (typeof ReadableStream !== "undefined" && body instanceof ReadableStream) return true;
  return typeof (body as { pipe?: unknown } | null)?.pipe === "function";
}

function hasContentTypeHeader(options: RequestParameters): boolean {
  const headers = options.headers;
  if (!headers) return false;
  return Object.keys(headers).some((h) => h.toLowerCase() === "content-type");
}
