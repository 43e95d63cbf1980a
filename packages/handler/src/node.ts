/// <reference types="node" />
// Node adapters ("@webpubsub/handler/node"): node:http listeners and Express middleware over the fetch core.
// Type-only imports of node:http, so this file also runs where node:http is emulated (Bun, Deno).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { WebPubSubEventHandler } from "./event-handler.ts";

/** `next` of Express/Connect-style servers. */
export type NextFunction = (error?: unknown) => void;

/** A node:http request listener that also works as Connect/Express middleware when given `next`. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void;

export interface NodeListenerOptions {
  /** Without `next`, requests the handler does not own are answered by this (default: 404 "Not Found"). */
  onUnhandled?: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * A `node:http` request listener: `http.createServer(toNodeListener(handler))`. When called with a third `next`
 * argument (Connect, Express), requests the handler does not own are passed on instead of answered 404.
 */
export function toNodeListener(handler: WebPubSubEventHandler, options?: NodeListenerOptions): NodeListener {
  checkHandler(handler, "toNodeListener");
  const onUnhandled = options?.onUnhandled;
  if (onUnhandled !== undefined && typeof onUnhandled !== "function") {
    throw new TypeError("options.onUnhandled must be a function");
  }
  return (req, res, next) => {
    serve(handler, req, res, req.url ?? "/", next, onUnhandled);
  };
}

/**
 * Express (4 and 5) middleware: `app.use(expressMiddleware(handler))`. Works whether or not a body parser
 * (`express.json()`, `express.raw()`, `express.text()`) ran before it: an already-read body is taken from `req.body`.
 * Mount it before `express.json()` when you can: strict JSON parsing rejects user events whose JSON is not an
 * object or array (such as `1` or `"text"`), and the parser's own size limit (100 kB by default) applies first.
 */
export function expressMiddleware(
  handler: WebPubSubEventHandler,
): (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void {
  checkHandler(handler, "expressMiddleware");
  return (req, res, next) => {
    const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? "/";
    serve(handler, req, res, url, next, undefined);
  };
}

function checkHandler(handler: unknown, name: string): void {
  if (
    handler === null ||
    typeof handler !== "object" ||
    typeof (handler as WebPubSubEventHandler).handle !== "function"
  ) {
    throw new TypeError(`${name}: handler must be a WebPubSubEventHandler`);
  }
}

/**
 * Methods a fetch Request refuses (the Fetch standard's forbidden methods). No Web PubSub event uses one, so such a
 * request is one the handler does not own: it is passed on without building a Request, which would throw.
 */
const FORBIDDEN_METHODS: ReadonlySet<string> = new Set(["CONNECT", "TRACE", "TRACK"]);

function serve(
  handler: WebPubSubEventHandler,
  req: IncomingMessage,
  res: ServerResponse,
  url: string,
  next: NextFunction | undefined,
  onUnhandled: NodeListenerOptions["onUnhandled"],
): void {
  const run = async () => {
    // the handler's context.signal aborts when the caller goes away before the answer is written
    const caller = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) caller.abort(new Error("The client closed the connection"));
    });
    const response = FORBIDDEN_METHODS.has((req.method ?? "").toUpperCase())
      ? undefined
      : await handler.handle(toFetchRequest(req, url, caller.signal));
    if (response !== undefined) {
      await writeResponse(res, response);
    } else if (next) {
      next();
    } else if (onUnhandled) {
      // typed `=> void`, so an async one type-checks: its rejection is answered below like a throw
      await onUnhandled(req, res);
    } else {
      res.statusCode = 404;
      res.setHeader("content-type", "text/plain; charset=utf-8");
      res.end("Not Found");
    }
  };
  run().catch((error: unknown) => {
    if (next) {
      next(error);
      return;
    }
    if (!res.headersSent) {
      res.statusCode = 500;
      res.setHeader("content-type", "text/plain; charset=utf-8");
      res.end("Internal Server Error");
    } else {
      res.destroy();
    }
  });
}

/** Builds a fetch Request over a node request without reading its body until the handler asks for it. */
export function toFetchRequest(req: IncomingMessage, url: string, signal?: AbortSignal): Request {
  const method = (req.method ?? "GET").toUpperCase();
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(":")) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  // appended to the origin, not resolved against it: a target such as "//other/path" is a path, not another host
  const absolute = new URL(`http://localhost${url.startsWith("/") ? "" : "/"}${url}`);
  if (method === "GET" || method === "HEAD") return new Request(absolute, { method, headers, signal: signal ?? null });
  let body: BodyInit | ReadableStream<Uint8Array>;
  if (bodyAlreadyRead(req)) {
    body = parsedBody(req, headers);
    headers.delete("content-length");
    headers.delete("content-encoding");
    headers.delete("transfer-encoding");
  } else {
    body = nodeBodyStream(req);
  }
  return new Request(absolute, { method, headers, body, duplex: "half", signal: signal ?? null } as RequestInit);
}

/** Whether a body parser (or anything else) already consumed the request stream. */
function bodyAlreadyRead(req: IncomingMessage): boolean {
  return req.readableEnded || (req.complete && !req.readable);
}

/** Re-creates body bytes from what a body parser left in `req.body`. */
function parsedBody(req: IncomingMessage, headers: Headers): Uint8Array<ArrayBuffer> {
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (parsed === undefined) return new Uint8Array(0);
  // the JSON value null (express.json({ strict: false })): no parser leaves null for an absent body
  if (parsed === null) return new TextEncoder().encode("null");
  if (parsed instanceof Uint8Array) return new Uint8Array(parsed);
  if (typeof parsed === "string") {
    // the parser decoded the text with the request's charset; the bytes we hand over are UTF-8
    const type = headers.get("content-type");
    if (type !== null && /charset=/i.test(type)) {
      headers.set("content-type", type.replace(/charset\s*=\s*"?[^";\s]+"?/i, "charset=utf-8"));
    }
    return new TextEncoder().encode(parsed);
  }
  return new TextEncoder().encode(JSON.stringify(parsed));
}

/** A pull-based stream: nothing is read from `req` until the consumer reads, and cancel drains the rest. */
function nodeBodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let attached = false;
  let detach = () => {};
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (attached) {
          req.resume();
          return;
        }
        attached = true;
        const onData = (chunk: Buffer | string) => {
          controller.enqueue(typeof chunk === "string" ? new TextEncoder().encode(chunk) : new Uint8Array(chunk));
          req.pause();
        };
        const onEnd = () => {
          detach();
          controller.close();
        };
        const onError = (error: Error) => {
          detach();
          controller.error(error);
        };
        detach = () => {
          req.off("data", onData);
          req.off("end", onEnd);
          req.off("error", onError);
        };
        req.on("data", onData);
        req.on("end", onEnd);
        req.on("error", onError);
        req.resume();
      },
      cancel() {
        detach();
        // let the rest of the body drain so the connection can answer (e.g. 413) and be reused
        req.resume();
      },
    },
    { highWaterMark: 0 },
  );
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const body = response.body === null ? undefined : new Uint8Array(await response.arrayBuffer());
  res.statusCode = response.status;
  for (const [name, value] of response.headers) {
    if (name === "set-cookie") continue;
    // multi-valued allow lists go out as separate header lines, as the service reads them
    res.setHeader(name, name === "webhook-allowed-origin" ? value.split(/\s*,\s*/) : value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  res.end(body);
}
