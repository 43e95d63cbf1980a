// An HTTP failure the handler answers itself (bad request, unauthorized, too large, ...). Its message is safe to send.
import { shown } from "@webpubsub/core";

export class HttpError extends Error {
  override name = "HttpError";
  readonly status: number;
  /** Extra response headers (e.g. `Connection: close` with a 408). */
  readonly headers: Record<string, string> | undefined;
  constructor(status: number, message: string, headers?: Record<string, string>) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

export function textResponse(status: number, text: string, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  if (text !== "") h.set("content-type", "text/plain; charset=utf-8");
  return new Response(text === "" ? null : text, { status, headers: h });
}

/** Reported to `onError` when a user handler does not finish within `timeoutInMs`; the event name is shown bounded. */
export class HandlerTimeoutError extends Error {
  override name = "HandlerTimeoutError";
  constructor(eventName: string, timeoutInMs: number) {
    super(`The ${shown(eventName)} handler did not finish within ${timeoutInMs} ms`);
  }
}
