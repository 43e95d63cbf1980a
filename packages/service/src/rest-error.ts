// `RestError` and `isRestError` as this package exports them, without loading the HTTP pipeline at start-up. Every
// error of a failed request is a @azure/core-rest-pipeline RestError (built by @webpubsub/rest); the class exported
// here recognises those with `instanceof` (by their name, as the pipeline's own `isRestError` does), so
// `error instanceof RestError` works whichever copy of the pipeline made the error (ES module or CommonJS).
import type { PipelineRequest, PipelineResponse, RestError as PipelineRestError } from "@azure/core-rest-pipeline";

/** Options of the RestError constructor (message, options), as in @azure/core-rest-pipeline. */
export interface RestErrorOptions {
  code?: string;
  statusCode?: number;
  request?: PipelineRequest;
  response?: PipelineResponse;
}

/** True for the RestError of any copy of @azure/core-rest-pipeline (and for errors made with this class). */
export function isRestError(error: unknown): error is PipelineRestError {
  return error instanceof Error && error.name === "RestError";
}

/**
 * The error of a failed request: `statusCode` (absent when no answer came), `code` (the service's x-ms-error-code,
 * or the pipeline's REQUEST_SEND_ERROR / PARSE_ERROR), and the non-enumerable `request` and `response`.
 */
export class RestError extends Error {
  /** The request could not be sent or its connection was lost. */
  static readonly REQUEST_SEND_ERROR = "REQUEST_SEND_ERROR";
  /** The answer could not be parsed. */
  static readonly PARSE_ERROR = "PARSE_ERROR";

  /** `instanceof RestError` holds for every RestError, also those made by @azure/core-rest-pipeline. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isRestError(value);
  }

  override name = "RestError";
  code?: string;
  statusCode?: number;
  declare request?: PipelineRequest;
  declare response?: PipelineResponse;
  details?: unknown;

  constructor(message: string, options: RestErrorOptions = {}) {
    super(message);
    this.code = options.code;
    this.statusCode = options.statusCode;
    Object.defineProperty(this, "request", { value: options.request, enumerable: false });
    Object.defineProperty(this, "response", { value: options.response, enumerable: false });
  }
}
