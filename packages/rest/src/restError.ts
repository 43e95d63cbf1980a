// Turns an unexpected response into a RestError whose `code` is the service's x-ms-error-code.
import { RestError } from "@azure/core-rest-pipeline";
import type { HttpResponse } from "@azure-rest/core-client";

/** The service's error code and message of a failed response (header first, then body). */
export function errorDetails(response: HttpResponse): { code?: string; message?: string } {
  const body = response.body as { code?: unknown; message?: unknown } | undefined | null;
  const header = response.headers["x-ms-error-code"];
  const code = header || (typeof body?.code === "string" ? body.code : undefined);
  const message = typeof body?.message === "string" ? body.message : undefined;
  return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
}

/** A RestError for a response `isUnexpected` flagged: statusCode, `code` = x-ms-error-code, the service's message. */
export function toRestError(response: HttpResponse): RestError {
  const { code, message } = errorDetails(response);
  const status = Number(response.status);
  const text =
    message ?? `${response.request.method} ${new URL(response.request.url).pathname} failed with status ${status}`;
  return new RestError(code ? `${text} (${code})` : text, {
    statusCode: status,
    ...(code ? { code } : {}),
    request: response.request,
  });
}
