// The HttpClient under the pipeline on Node: node:http / node:https with keep-alive agents, as the pipeline's default
// client, minus its per-request machinery for the requests a REST call makes (a string or byte body, a text answer):
// no AbortController and stream-completion bookkeeping per request, one listener per event. Every other request (a
// stream or function body, form data, progress callbacks, streamed answers, `Expect: 100-continue`, request
// overrides) goes to the pipeline's default client unchanged. Outside Node the default client is used for everything.
/// <reference types="node" />
import type * as Http from "node:http";
import type * as Https from "node:https";
import type * as Zlib from "node:zlib";
import {
  createDefaultHttpClient,
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { logger } from "./generated/logger.ts";
import { RequestTargets } from "./request-targets.ts";
import { abortError, readError, sendError } from "./rest-error.ts";

interface NodeModules {
  http: typeof Http;
  https: typeof Https;
  zlib: typeof Zlib;
}

type Agent = Http.Agent | Https.Agent;

/** node:http, node:https and node:zlib where the runtime is Node (reached without a static import: see the README). */
function nodeModules(): NodeModules | undefined {
  const process = (
    globalThis as { process?: { versions?: { node?: unknown }; getBuiltinModule?: (id: string) => unknown } }
  ).process;
  if (typeof process?.versions?.node !== "string" || typeof process.getBuiltinModule !== "function") return undefined;
  return {
    http: process.getBuiltinModule("node:http") as typeof Http,
    https: process.getBuiltinModule("node:https") as typeof Https,
    zlib: process.getBuiltinModule("node:zlib") as typeof Zlib,
  };
}

/** Whether this client sends `request` itself; the default client sends the others. */
function isPlainRequest(request: PipelineRequest): boolean {
  const body = request.body;
  return (
    (body === undefined ||
      body === null ||
      typeof body === "string" ||
      body instanceof ArrayBuffer ||
      ArrayBuffer.isView(body)) &&
    request.formData === undefined &&
    request.multipartBody === undefined &&
    request.onUploadProgress === undefined &&
    request.onDownloadProgress === undefined &&
    !request.streamResponseStatusCodes?.size &&
    request.requestOverrides === undefined &&
    !request.headers.has("Expect")
  );
}

/** The body as Node writes it: strings as they are, bytes as a Buffer over the same memory. */
function nodeBody(body: PipelineRequest["body"]): string | Buffer | undefined {
  if (typeof body === "string") return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) {
    return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  }
  return undefined;
}

/**
 * The request's headers as node:http's flat list, with Host added as node:http adds it: a list is written as it is,
 * without the per-header setHeader bookkeeping of a headers object. Only for this client's own agents: a request's
 * own agent (a proxy's) may read the headers back from the request, which a list does not allow.
 */
function headerList(request: PipelineRequest, host: string): string[] {
  const list: string[] = [];
  let hasHost = false;
  const headers = request.headers.toJSON({ preserveCase: true });
  for (const name in headers) {
    if (!hasHost && name.length === 4 && name.toLowerCase() === "host") hasHost = true;
    list.push(name, headers[name] as string);
  }
  if (!hasHost) list.push("Host", host);
  return list;
}

class FastNodeHttpClient implements HttpClient {
  readonly #node: NodeModules;
  readonly #fallback: HttpClient;
  #httpAgent: Http.Agent | undefined;
  readonly #httpsAgents = new WeakMap<object, Https.Agent>();
  readonly #defaultTlsSettings = {};
  readonly #targets = new RequestTargets();

  constructor(node: NodeModules, fallback: HttpClient) {
    this.#node = node;
    this.#fallback = fallback;
  }

  sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    if (!isPlainRequest(request)) return this.#fallback.sendRequest(request);
    return new Promise((resolve, reject) => this.#send(request, resolve, reject));
  }

  /** The agent of a request: its own (a proxy's, a custom one), else a cached keep-alive agent, as the default client. */
  #agent(request: PipelineRequest, secure: boolean): Agent {
    if (request.agent) return request.agent as Agent;
    const keepAlive = !request.disableKeepAlive;
    const { http, https } = this.#node;
    if (!secure) {
      if (!keepAlive) return http.globalAgent;
      this.#httpAgent ??= new http.Agent({ keepAlive: true });
      return this.#httpAgent;
    }
    if (!keepAlive && !request.tlsSettings) return https.globalAgent;
    const tlsSettings = request.tlsSettings ?? this.#defaultTlsSettings;
    let agent = this.#httpsAgents.get(tlsSettings);
    if (agent?.options.keepAlive !== keepAlive) {
      agent = new https.Agent({ keepAlive, ...tlsSettings });
      this.#httpsAgents.set(tlsSettings, agent);
    }
    return agent;
  }

  #send(request: PipelineRequest, resolve: (response: PipelineResponse) => void, reject: (error: unknown) => void) {
    const signal = request.abortSignal;
    if (signal?.aborted) {
      reject(abortError("The operation was aborted. Request has already been canceled."));
      return;
    }
    const target = this.#targets.of(request.url);
    const secure = target.secure;
    if (!secure && !request.allowInsecureConnection) {
      reject(new Error(`Cannot connect to ${request.url} while allowInsecureConnection is false.`));
      return;
    }
    const body = nodeBody(request.body);
    if (body && !request.headers.has("Content-Length")) {
      request.headers.set("Content-Length", typeof body === "string" ? Buffer.byteLength(body) : body.length);
    }
    const acceptEncoding = request.headers.get("Accept-Encoding");
    const decompress = acceptEncoding !== undefined && /gzip|deflate/.test(acceptEncoding);

    let settled = false;
    let response: Http.IncomingMessage | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (error: unknown, result?: PipelineResponse): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      if (result) resolve(result);
      else reject(error);
    };

    const options: Http.RequestOptions = {
      agent: this.#agent(request, secure),
      hostname: target.hostname,
      path: target.path,
      port: target.port,
      method: request.method,
      headers: request.agent ? request.headers.toJSON({ preserveCase: true }) : headerList(request, target.host),
    };
    const onResponse = (res: Http.IncomingMessage): void => {
      response = res;
      const headers = createHttpHeaders();
      for (const name in res.headers) {
        const value = res.headers[name];
        if (Array.isArray(value)) {
          if (value.length > 0) headers.set(name, value[0] as string);
        } else if (value) headers.set(name, value);
      }
      const result: PipelineResponse = { status: res.statusCode ?? 0, headers, request };
      if (request.method === "HEAD") {
        // A HEAD answer has no body: drain it (keeping the connection) rather than read it.
        res.resume();
        settle(undefined, result);
        return;
      }
      const encoding = decompress ? headers.get("Content-Encoding") : undefined;
      const stream = encoding === "gzip" || encoding === "deflate" ? this.#decoder(res, encoding, settle, signal) : res;
      const chunks: Buffer[] = [];
      let ended = false;
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        ended = true;
        result.bodyAsText = (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString("utf8");
        settle(undefined, result);
      });
      stream.on("error", (error: Error) => settle(error.name === "AbortError" ? error : readError(error)));
      stream.on("close", () => {
        if (!ended)
          settle(readError(Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" })));
      });
    };
    const { http, https } = this.#node;
    const req = secure ? https.request(options, onResponse) : http.request(options, onResponse);
    // Errors of the request count until an answer arrives; after that its body decides (as with the default client).
    req.on("error", (error: Error & { code?: string }) => {
      if (response === undefined) settle(sendError(error, request));
    });
    // Made only for a request that can be cut short: most requests have neither a signal nor a timeout.
    if (signal !== undefined || request.timeout > 0) {
      const cancel = (): void => {
        const error = abortError(
          "The operation was aborted. Rejecting from abort signal callback while making request.",
        );
        response?.destroy(error);
        req.destroy(error);
        settle(error);
      };
      if (signal) {
        signal.addEventListener("abort", cancel, { once: true });
        // Abort is forwarded until the exchange is over: the request closes after its answer has been read.
        req.once("close", () => signal.removeEventListener("abort", cancel));
      }
      if (request.timeout > 0) {
        timer = setTimeout(() => {
          logger.info(`request to '${target.printable}' timed out. canceling...`);
          cancel();
        }, request.timeout);
      }
    }
    if (body) req.end(body);
    else req.end();
  }

  /** The decoded answer of a gzip or deflate response; its errors end the exchange like those of the answer. */
  #decoder(
    res: Http.IncomingMessage,
    encoding: "gzip" | "deflate",
    settle: (error: unknown) => void,
    signal: { readonly aborted: boolean } | undefined,
  ): NodeJS.ReadableStream {
    const { zlib } = this.#node;
    const decoder = encoding === "gzip" ? zlib.createGunzip() : zlib.createInflate();
    res.on("error", (error) => {
      decoder.destroy();
      settle(signal?.aborted ? abortError("The operation was aborted.") : readError(error));
    });
    // An answer that does not decode is not read further: its connection closes rather than stay busy with it.
    decoder.on("error", () => res.destroy());
    return res.pipe(decoder);
  }
}

let shared: HttpClient | undefined;

/**
 * The HttpClient of the REST clients made without one, shared by all of them (one pool of connections per process, as
 * the pipeline's default): on Node, node:http / node:https sending plain requests directly and handing every other one
 * to the pipeline's default client; elsewhere the default client.
 */
export function defaultHttpClient(): HttpClient {
  if (shared === undefined) {
    const fallback = createDefaultHttpClient();
    const node = nodeModules();
    shared = node ? new FastNodeHttpClient(node, fallback) : fallback;
  }
  return shared;
}
