// WebPubSubEventHandler: the fetch-API core. It takes a standard Request and answers with a standard Response, so it
// runs in Node, Deno, Bun, edge runtimes and framework route handlers; node:http and Express adapters wrap it.
import { CloudEventsHeaders, isJsonMediaType, mediaType, verifyConnectionSignature } from "@webpubsub/core";
import { decodeText, parseJson, readBodyLimited } from "./body.ts";
import { buildContext, type EventKind, eventKind, eventNameOf, isCloudEvent, markMqtt } from "./context.ts";
import { HandlerTimeoutError, HttpError, textResponse } from "./http-error.ts";
import { type NormalizedOptions, normalizeOptions } from "./options.ts";
import { Answer, createConnectResponseHandler, createUserEventResponseHandler } from "./responders.ts";
import type {
  ConnectionContext,
  ConnectRequest,
  DisconnectedRequest,
  UserEventData,
  UserEventRequest,
  WebPubSubEventHandlerOptions,
} from "./types.ts";

const ALLOWED_ORIGIN_HEADER = "WebHook-Allowed-Origin";

export class WebPubSubEventHandler {
  /** The hub this handler serves (`ce-hub` is matched case-insensitively). */
  readonly hub: string;
  /** The normalized path prefix served: lower-case, starting and ending with `/`. */
  readonly path: string;
  readonly #options: NormalizedOptions;
  readonly #handlers: WebPubSubEventHandlerOptions;

  /**
   * @param hub the hub name (validated against the service's hub name rule)
   * @param options handlers, security and limits; everything is validated here, before any request
   */
  constructor(hub: string, options?: WebPubSubEventHandlerOptions) {
    this.#options = normalizeOptions(hub, options);
    this.#handlers = { ...options };
    this.hub = this.#options.hub;
    this.path = this.#options.path;
  }

  /**
   * Handles the request when it is a Web PubSub CloudEvents request (or abuse-protection validation) for this hub
   * and path; resolves `undefined` for anything else so the caller can pass it on. Never rejects for a request.
   */
  /**
   * Express / Connect middleware, as the official `@azure/web-pubsub-express` handler's `getMiddleware()` returns:
   * `app.use(handler.getMiddleware())`. The Node adapter (`@webpubsub/handler/node`'s expressMiddleware) is loaded on
   * the first request, so this entry point stays free of Node built-ins.
   */
  getMiddleware(): (req: unknown, res: unknown, next: (error?: unknown) => void) => void {
    let middleware: Promise<(req: never, res: never, next: (error?: unknown) => void) => void> | undefined;
    return (req, res, next) => {
      middleware ??= import("./node.ts").then((m) => m.expressMiddleware(this));
      middleware.then((run) => run(req as never, res as never, next), next);
    };
  }

  async handle(request: Request): Promise<Response | undefined> {
    if (request === null || typeof request !== "object" || typeof request.headers?.get !== "function") {
      throw new TypeError("request must be a fetch API Request");
    }
    if (!this.#matchesPath(request.url)) return undefined;
    const method = request.method.toUpperCase();
    if (method === "OPTIONS" || method === "GET") return this.#validation(request, method);
    if (method !== "POST") return undefined;
    const { headers } = request;
    const type = headers.get(CloudEventsHeaders.type);
    const kind = eventKind(type);
    if (kind === undefined || !isCloudEvent(headers)) return undefined;
    if (headers.get(CloudEventsHeaders.hub)?.toLowerCase() !== this.hub.toLowerCase()) return undefined;
    try {
      return await this.#dispatch(request, kind, type!);
    } catch (error) {
      if (error instanceof HttpError) return textResponse(error.status, error.message, error.headers);
      this.#report(error, eventNameOf(headers, type!), headers.get(CloudEventsHeaders.connectionId) ?? undefined);
      return textResponse(500, "Internal Server Error");
    }
  }

  /**
   * A `fetch`-style entry point (`Deno.serve(handler.fetch)`, `export default { fetch: handler.fetch }`, Bun.serve):
   * like `handle`, but requests it does not own get `options.onUnhandled` (default: 404).
   */
  readonly fetch = async (request: Request): Promise<Response> => {
    return (await this.handle(request)) ?? (await this.#options.onUnhandled(request));
  };

  #matchesPath(url: string): boolean {
    let pathname: string;
    try {
      pathname = new URL(url, "http://localhost").pathname;
    } catch {
      return false;
    }
    try {
      pathname = decodeURIComponent(pathname);
    } catch {
      // keep the encoded form
    }
    pathname = pathname.toLowerCase();
    if (!pathname.endsWith("/")) pathname += "/";
    return pathname.startsWith(this.path);
  }

  /** Abuse protection: the service's OPTIONS (or GET fallback) with `WebHook-Request-Origin`. */
  #validation(request: Request, method: string): Response | undefined {
    const { headers } = request;
    const origin = headers.get(CloudEventsHeaders.webhookRequestOrigin);
    if (origin === null || origin.trim() === "") {
      // a CloudEvents OPTIONS without the origin is a malformed validation request; anything else is not ours
      return method === "OPTIONS" && isCloudEvent(headers)
        ? textResponse(400, "Missing WebHook-Request-Origin header")
        : undefined;
    }
    if (method === "GET" && headers.has(CloudEventsHeaders.type)) return undefined;
    const out = new Headers();
    const allowed = this.#options.allowedOrigins;
    if (allowed === undefined) out.set(ALLOWED_ORIGIN_HEADER, "*");
    else for (const host of allowed) out.append(ALLOWED_ORIGIN_HEADER, host);
    return new Response(null, { status: 200, headers: out });
  }

  async #dispatch(request: Request, kind: EventKind, type: string): Promise<Response> {
    const { headers } = request;
    const connectionId = headers.get(CloudEventsHeaders.connectionId) ?? "";
    const o = this.#options;
    if (o.verifySignature) {
      const valid = await verifyConnectionSignature(
        headers.get(CloudEventsHeaders.signature),
        connectionId,
        o.accessKeys,
      );
      if (!valid) return discard(request, textResponse(401, "Unauthorized"));
    }
    if (o.allowedOrigins !== undefined) {
      const origin = headers.get(CloudEventsHeaders.webhookRequestOrigin)?.trim().toLowerCase();
      if (origin === undefined || !o.allowedOrigins.includes(origin))
        return discard(request, textResponse(403, "Forbidden"));
    }
    if (connectionId === "") return discard(request, textResponse(400, "Missing ce-connectionId header"));

    const timeout = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, timeout.signal]) : timeout.signal;
    const context = buildContext(headers, type, signal);
    switch (kind) {
      case "connect":
        return this.#connect(request, context, timeout);
      case "user":
        return this.#userEvent(request, context, timeout);
      case "connected": {
        const handler = this.#handlers.onConnected;
        if (!handler) return discard(request, ok());
        await this.#readSystemBody(request);
        return this.#runNonBlocking(context, timeout, () => handler({ context }));
      }
      case "disconnected": {
        const handler = this.#handlers.onDisconnected;
        if (!handler) return discard(request, ok());
        const body = await this.#readSystemBody(request);
        const req = { ...body, context } as DisconnectedRequest;
        return this.#runNonBlocking(context, timeout, () => handler(req));
      }
      case "groupJoined":
      case "groupLeft": {
        const handler = kind === "groupJoined" ? this.#handlers.onGroupJoined : this.#handlers.onGroupLeft;
        if (!handler) return discard(request, ok());
        const body = await this.#readSystemBody(request);
        if (typeof body.group !== "string") throw new HttpError(400, "Group event body must carry a group name");
        return this.#runNonBlocking(context, timeout, () => handler({ context, group: body.group as string }));
      }
    }
  }

  async #connect(request: Request, context: ConnectionContext, timeout: AbortController): Promise<Response> {
    const handler = this.#handlers.handleConnect;
    if (!handler) {
      // accept with the token's defaults (the status codes the service and the official package use)
      return discard(request, new Response(null, { status: context.clientProtocol === "mqtt" ? 204 : 200 }));
    }
    const body = await this.#readSystemBody(request);
    const connectRequest = { ...body, context } as ConnectRequest;
    // `queries` is this package's second name for the service's `query`, never a field of the body
    if (connectRequest.query !== undefined) connectRequest.queries = connectRequest.query;
    else delete connectRequest.queries;
    const mqtt = body.mqtt;
    if (context.clientProtocol !== "mqtt" && mqtt !== null && typeof mqtt === "object" && !Array.isArray(mqtt)) {
      markMqtt(context, request.headers.get("ce-physicalconnectionid") ?? undefined, request.headers);
    }
    const answer = new Answer();
    const response = createConnectResponseHandler(connectRequest, answer);
    return this.#runBlocking(
      context,
      timeout,
      answer,
      () => response.success(),
      () => handler(connectRequest, response),
    );
  }

  async #userEvent(request: Request, context: ConnectionContext, timeout: AbortController): Promise<Response> {
    const handler = this.#handlers.handleUserEvent;
    if (!handler) return discard(request, ok());
    const bytes = await readBodyLimited(request, this.#options.maxBodyBytes, this.#options.bodyTimeoutInMs);
    const contentType = request.headers.get("content-type");
    const type = mediaType(contentType);
    let data: UserEventData;
    if (isJsonMediaType(type)) data = { dataType: "json", data: parseJson(decodeText(bytes, contentType)) };
    else if (type.startsWith("text/")) data = { dataType: "text", data: decodeText(bytes, contentType) };
    else data = { dataType: "binary", data: bytes };
    const userRequest = { context, contentType: contentType ?? "", ...data } as UserEventRequest;
    const answer = new Answer();
    const response = createUserEventResponseHandler(context.states, answer);
    return this.#runBlocking(
      context,
      timeout,
      answer,
      () => response.success(),
      () => handler(userRequest, response),
    );
  }

  /** System event bodies are JSON objects; an empty body counts as `{}`. */
  async #readSystemBody(request: Request): Promise<Record<string, unknown>> {
    const bytes = await readBodyLimited(request, this.#options.maxBodyBytes, this.#options.bodyTimeoutInMs);
    const text = decodeText(bytes, request.headers.get("content-type"));
    if (text.trim() === "") return {};
    const value = parseJson(text);
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new HttpError(400, "Event body must be a JSON object");
    }
    return value as Record<string, unknown>;
  }

  /**
   * Runs a blocking handler: the event is answered when the handler calls its response object, when an async handler
   * settles (resolving without an answer accepts with defaults, rejecting answers 500), or at the timeout (504).
   * A synchronous handler that returns without answering is callback style: its answer may come later.
   */
  async #runBlocking(
    context: ConnectionContext,
    timeout: AbortController,
    answer: Answer,
    acceptDefaults: () => void,
    invoke: () => unknown,
  ): Promise<Response> {
    const failed = (error: unknown) => {
      this.#report(error, context.eventName, context.connectionId);
      answer.trySend(() => textResponse(500, "Internal Server Error"));
    };
    const timer = setTimeout(() => {
      const error = new HandlerTimeoutError(context.eventName, this.#options.timeoutInMs);
      if (answer.trySend(() => textResponse(504, "Gateway Timeout")))
        this.#report(error, context.eventName, context.connectionId);
      timeout.abort(error);
    }, this.#options.timeoutInMs);
    // the caller went away: nobody waits for the answer any more, so stop waiting for the handler too
    const onAbort = () => answer.trySend(() => textResponse(503, "Service Unavailable"));
    context.signal.addEventListener("abort", onAbort, { once: true });
    // a caller that went away while the body was read never fires the event: answer it now, not at the timeout
    if (context.signal.aborted) onAbort();
    try {
      const result = invoke();
      if (isThenable(result)) {
        result.then(() => {
          try {
            if (!answer.done) acceptDefaults();
          } catch (error) {
            failed(error);
          }
        }, failed);
      }
    } catch (error) {
      failed(error);
    }
    try {
      return await answer.promise;
    } finally {
      clearTimeout(timer);
      context.signal.removeEventListener("abort", onAbort);
    }
  }

  /** Runs a non-blocking handler to completion (or its timeout); the service always gets 200. */
  async #runNonBlocking(
    context: ConnectionContext,
    timeout: AbortController,
    invoke: () => unknown,
  ): Promise<Response> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new HandlerTimeoutError(context.eventName, this.#options.timeoutInMs);
        timeout.abort(error);
        reject(error);
      }, this.#options.timeoutInMs);
    });
    try {
      await Promise.race([Promise.resolve().then(invoke), expired]);
    } catch (error) {
      this.#report(error, context.eventName, context.connectionId);
    } finally {
      clearTimeout(timer);
    }
    return ok();
  }

  #report(error: unknown, eventName: string, connectionId: string | undefined): void {
    try {
      // typed `=> void`, so an async reporter type-checks: its rejection is swallowed like a throw
      const result: unknown = this.#options.onError(error, connectionId ? { eventName, connectionId } : { eventName });
      if (isThenable(result)) result.then(undefined, () => undefined);
    } catch {
      // a failing error reporter must not turn into a crash or a leaked response
    }
  }
}

function ok(): Response {
  return new Response(null, { status: 200 });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as PromiseLike<unknown>).then === "function";
}

/** Releases an unread request body before answering (so runtimes do not keep it buffered). */
function discard(request: Request, response: Response): Response {
  if (request.body !== null && !request.bodyUsed) request.body.cancel().catch(() => undefined);
  return response;
}
