// RestErrors built from responses, in one place for this package and @webpubsub/service: `responseError` attaches
// the answer (status, request, headers, body text), and `toRestError` turns an unexpected response into one whose
// `code` is the service's x-ms-error-code. The errors of the HTTP client (node-http-client.ts) are made here too,
// with the names, codes and messages of the pipeline's default client: `sendError`, `readError`, `abortError`.
import { createHttpHeaders, isRestError, type PipelineRequest, RestError } from "@azure/core-rest-pipeline";
import type { HttpResponse } from "@azure-rest/core-client";
import { capped } from "@webpubsub/core/shown";

/** Most characters of the service's message (and code) a RestError's message relays; the whole body stays in `details`. */
const MAX_RELAYED_MESSAGE = 1024;
const MAX_RELAYED_CODE = 128;

interface ErrorBody {
  code?: unknown;
  message?: unknown;
  title?: unknown;
}

/**
 * The service's error code and message of a failed response: the code from the `x-ms-error-code` header (else the
 * body's `code`), the message from the body's `message` (else `title`, else a plain-text body). Absent when the
 * response does not carry them: nothing is made up.
 */
export function errorDetails(response: HttpResponse): { code?: string; message?: string } {
  const raw = response.body as unknown;
  const body = (typeof raw === "object" && raw !== null ? raw : {}) as ErrorBody;
  const header = response.headers["x-ms-error-code"];
  const code = header || (typeof body.code === "string" && body.code ? body.code : undefined);
  const message =
    typeof body.message === "string" && body.message
      ? body.message
      : typeof body.title === "string" && body.title
        ? body.title
        : typeof raw === "string" && raw
          ? raw
          : undefined;
  return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
}

/**
 * A RestError about `response` with `message`: `statusCode` is the real status, `request` and `response` (headers and
 * the body as text) are the answer's, and `code` is set only when given.
 */
export function responseError(response: HttpResponse, message: string, code?: string): RestError {
  const status = Number(response.status);
  return new RestError(message, {
    statusCode: status,
    ...(code ? { code } : {}),
    request: response.request,
    response: {
      status,
      headers: createHttpHeaders(response.headers),
      request: response.request,
      bodyAsText: typeof response.body === "string" ? response.body : JSON.stringify(response.body ?? null),
    },
  });
}

/**
 * A RestError for a response `isUnexpected` flagged: `statusCode` is the real status, `code` the x-ms-error-code (left
 * undefined when the service sent none), `details` the parsed error body, `response` the raw response. `operation`
 * (e.g. "sendToAll") prefixes the message; without it the method and path do. The service's message and code are
 * relayed into the message up to a limit (core's capped()): a peer's body is never echoed unbounded.
 */
export function toRestError(response: HttpResponse, operation?: string): RestError {
  const { code, message } = errorDetails(response);
  const status = Number(response.status);
  const what = operation ?? `${response.request.method} ${new URL(response.request.url).pathname}`;
  const relayedCode = code ? ` (${capped(code, MAX_RELAYED_CODE)})` : "";
  const text = `${what} failed with status ${status}${relayedCode}${message ? `: ${capped(message, MAX_RELAYED_MESSAGE)}` : "."}`;
  const error = responseError(response, text, code);
  if (response.body != null && response.body !== "") error.details = response.body; // no details for no body
  return error;
}

/** A request that could not be sent (a refused or reset connection, a TLS failure): `code` is the system's code. */
export function sendError(error: Error & { code?: string }, request: PipelineRequest): RestError {
  if (isRestError(error)) return error;
  const premature = error.code === "ERR_STREAM_PREMATURE_CLOSE";
  return new RestError(premature ? "Request body stream closed before ending" : error.message, {
    code: premature ? RestError.REQUEST_SEND_ERROR : (error.code ?? RestError.REQUEST_SEND_ERROR),
    request,
  });
}

/** An answer whose body could not be read to its end. */
export function readError(error: Error): RestError {
  return new RestError(`Error reading response as text: ${error.message}`, { code: RestError.PARSE_ERROR });
}

/** The error of an exchange cut short by its abort signal or its timeout (named AbortError, as the pipeline's). */
export function abortError(message: string): Error {
  const error = new Error(message);
  error.name = "AbortError";
  return error;
}
