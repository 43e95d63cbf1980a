// Service failures are @webpubsub/rest's toRestError: the HTTP status in `statusCode`, the service's
// `x-ms-error-code` in `code` (undefined when it sent none), the parsed error body in `details`. This file adds the
// error for a successful status whose body is not what the API promises, built by rest's responseError like every
// RestError made from a response.
import type { RestError } from "@azure/core-rest-pipeline";
import type { HttpResponse } from "@webpubsub/rest";
import { loadedHttpStack } from "./http-stack-loader.ts";

/**
 * A RestError for a 2xx response that lacks `missing`: it keeps the real status, has no `code` (the service sent
 * none) and says what was missing, rather than passing on a made-up value.
 */
export function malformedResponse(response: HttpResponse, operation: string, missing: string): RestError {
  return loadedHttpStack().responseError(
    response,
    `${operation}: the service answered ${response.status} without ${missing}.`,
  );
}
