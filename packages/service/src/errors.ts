// Service failures are @webpubsub/rest's toRestError: the HTTP status in `statusCode`, the service's
// `x-ms-error-code` in `code` (undefined when it sent none), the parsed error body in `details`. This file adds the
// error for a successful status whose body is not what the API promises.
import { createHttpHeaders, RestError } from "@azure/core-rest-pipeline";
import type { RestResponse } from "./rest-types.ts";

/**
 * A RestError for a 2xx response that lacks `missing`: it keeps the real status, has no `code` (the service sent
 * none) and says what was missing, rather than passing on a made-up value.
 */
export function malformedResponse(response: RestResponse, operation: string, missing: string): RestError {
  const status = Number(response.status);
  return new RestError(`${operation}: the service answered ${status} without ${missing}.`, {
    statusCode: status,
    request: response.request,
    response: {
      status,
      headers: createHttpHeaders(response.headers),
      request: response.request,
      bodyAsText: typeof response.body === "string" ? response.body : JSON.stringify(response.body ?? null),
    },
  });
}
