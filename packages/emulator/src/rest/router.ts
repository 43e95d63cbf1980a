// Dispatch of REST requests under /api: path matching against the routes (by the raw path, as signed), 404/405,
// authentication, the operation, errors and the access log line.
import type { IncomingMessage, ServerResponse } from "node:http";
import { JwtError, shown } from "@webpubsub/core";
import { bearerToken, verifyRestToken } from "../auth.ts";
import { publicOrigin } from "../public-origin.ts";
import type { Service } from "../service.ts";
import { badRequest, RestFailure, SUPPORTED_API_VERSIONS, writeFailure } from "./failure.ts";
import { routes } from "./operations.ts";
import { matchRoutes, parameterNames } from "./route.ts";
import type { Call, Reply } from "./types.ts";

/** What a path parameter is called in error messages, by the literal segment before it (from the route patterns). */
const PARAMETER_AFTER = parameterNames(routes);

/**
 * Refuses `.` and `..` segments (also percent-encoded, e.g. `%2e%2e`): a URL parser would remove them, so the path a
 * token was signed for (the raw request URL) and the path routed could name different hubs or targets. The request
 * is routed by its raw segments, the same text that is authenticated, and a dot segment is refused outright.
 */
function checkDotSegments(segments: string[]): void {
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i]!;
    if (s !== "." && s !== "..") continue;
    const name = PARAMETER_AFTER.get(segments[i - 1]!.toLowerCase()) ?? "path";
    throw badRequest(`The ${name} in the request path must not be '.' or '..'.`, name);
  }
}

function splitPath(pathname: string): string[] | undefined {
  const out: string[] = [];
  for (const p of pathname.split("/")) {
    try {
      out.push(decodeURIComponent(p));
    } catch {
      return undefined;
    }
  }
  return out;
}

/** Handles one REST request under /api; answers every error itself. */
export async function handleRest(service: Service, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? "GET";
  const head = method === "HEAD";
  const origin = publicOrigin(req, service.opts).origin;
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
    const match = matchRoutes(routes, segments);
    if (match === undefined) {
      throw new RestFailure(404, "Error.NotFound", `No operation at ${shown(pathname)}.`, "path");
    }
    const route = match.routes.find((r) => r.method === method || r.also?.includes(method as never) === true);
    if (route === undefined) {
      const allow = match.routes.flatMap((r) => [r.method, ...(r.also ?? [])]).join(", ");
      res.setHeader("allow", allow);
      throw new RestFailure(405, "Error.MethodNotAllowed", `Method ${method} is not allowed here; use ${allow}.`);
    }
    opName = route.name;
    if (route.anonymous !== true) authenticate(service, req, url);
    const call: Call = { service, req, res, query, url, origin, pathname };
    const out = await route.run(call, match.params);
    const reply: Reply = typeof out === "number" ? { status: out } : out;
    status = reply.status;
    writeReply(res, reply, head);
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

function writeReply(res: ServerResponse, reply: Reply, head: boolean): void {
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
}

function authenticate(service: Service, req: IncomingMessage, url: string): void {
  const header = req.headers.authorization;
  verifyRestToken(bearerToken(header), url, [service.opts.accessKey], service.opts.allowEntraTokens);
}
