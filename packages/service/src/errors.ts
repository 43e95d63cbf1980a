// Service failures become RestError with the HTTP status in `statusCode` and the service's `x-ms-error-code` in
// `code`; the parsed error body (code, message, target, details) is kept in `details`.
import { createHttpHeaders, RestError } from "@azure/core-rest-pipeline";
import type { RestResponse } from "./rest-types.ts";

interface ErrorBody {
  code?: unknown;
  message?: unknown;
  title?: unknown;
}

export function createRestError(response: RestResponse, operation: string): RestError {
  const status = Number(response.status);
  const body = (typeof response.body === "object" && response.body !== null ? response.body : {}) as ErrorBody;
  const code =
    response.headers["x-ms-error-code"] ?? (typeof body.code === "string" ? body.code : undefined) ?? `HTTP ${status}`;
  const serviceMessage =
    typeof body.message === "string" && body.message
      ? body.message
      : typeof body.title === "string" && body.title
        ? body.title
        : typeof response.body === "string" && response.body
          ? response.body
          : undefined;
  const message = `${operation} failed with status ${status} (${code})${serviceMessage ? `: ${serviceMessage}` : "."}`;
  const error = new RestError(message, {
    code,
    statusCode: status,
    request: response.request,
    response: {
      status,
      headers: createHttpHeaders(response.headers),
      request: response.request,
      bodyAsText: typeof response.body === "string" ? response.body : JSON.stringify(response.body ?? null),
    },
  });
  if (response.body !== undefined && response.body !== "") error.details = response.body;
  return error;
}
