// Dispatch of REST requests under /api: path matching, authentication, errors and the access log line.
import type { IncomingMessage, ServerResponse } from "node:http";
import { JwtError } from "@webpubsub/core";
import { bearerToken, verifyRestToken } from "../auth.ts";
import { clip } from "../bounded-text.ts";
import type { Service } from "../service.ts";
import { badRequest, RestFailure, SUPPORTED_API_VERSIONS, writeFailure } from "./failure.ts";
import { routes } from "./operations.ts";
import { checkHub } from "./params.ts";
import type { Call, Reply, Route } from "./types.ts";

/** What a path parameter is called in error messages, by the literal segment before it. */
const PARAMETER_AFTER: Record<string, string> = {
  hubs: "hub",
  users: "userId",
  groups: "group",
  connections: "connectionId",
  permissions: "permission",
};

/**
 * Refuses `.` and `..` segments (also percent-encoded, e.g. `%2e%2e`): a URL parser would remove them, so the path a
 * token was signed for (the raw request URL) and the path routed could name different hubs or targets. The request
 * is routed by its raw segments, the same text that is authenticated, and a dot segment is refused outright.
 */
function checkDotSegments(segments: string[]): void {
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i]!;
    if (s !== "." && s !== "..") continue;
    const name = PARAMETER_AFTER[segments[i - 1]!.toLowerCase()] ?? "path";
    throw badRequest(`The ${name} in the request path must not be '.' or '..'.`, name);
  }
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
  const target = req.url ?? "/";
  const url = `${origin}${target}`;
  const started = Date.now();
  let status = 500;
  let opName = "unknown";
  try {
    // the raw request target, not a URL parser's normalized form: routing sees exactly what was signed
    const q = target.indexOf("?");
    const pathname = q < 0 ? target : target.slice(0, q);
    const query = new URLSearchParams(q < 0 ? "" : target.slice(q + 1));
    const segments = splitPath(pathname);
    if (segments === undefined) throw badRequest("The request path is not valid percent-encoding.", "path");
    checkDotSegments(segments);
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
      throw new RestFailure(404, "Error.NotFound", `No operation at '${clip(pathname)}'.`, "path");
    }
    const hub = segments[3]!;
    const match = matchRoute(segments.slice(4));
    if (match === undefined)
      throw new RestFailure(404, "Error.NotFound", `No operation at '${clip(pathname)}'.`, "path");
    const route = match.routes.find((r) => r.method === method);
    if (route === undefined) {
      const allow = match.routes.map((r) => r.method).join(", ");
      res.setHeader("allow", allow);
      throw new RestFailure(405, "Error.MethodNotAllowed", `Method ${method} is not allowed here; use ${allow}.`);
    }
    opName = route.name;
    authenticate(service, req, url);
    checkHub(hub);
    const call: Call = { service, req, res, query, url, origin, pathname };
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
        : e instanceof JwtError
          ? new RestFailure(401, "Error.Unauthorized", `Unauthorized: ${e.message}`, "Authorization")
          : new RestFailure(500, "Error.InternalServerError", "Internal error.");
    if (!(e instanceof RestFailure) && !(e instanceof JwtError)) service.log(`REST internal error: ${String(e)}`);
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
