// The error of a failed invokeEvent: apart from invocations.ts so that catching code can import it without pulling
// the invocation machinery in.

/** The error the service (or the event handler behind it) reported in a failed `invokeResponse`. */
export interface InvokeResponseError {
  name: string;
  message: string;
}

export interface InvocationErrorOptions {
  invocationId: string;
  errorDetail?: InvokeResponseError;
  cause?: unknown;
}

/**
 * An invokeEvent did not produce a response: the upstream failed (`errorDetail` holds the service's error), the
 * session ended before the response, the caller aborted, or the invocation id was already in use.
 */
export class InvocationError extends Error {
  override name = "InvocationError";
  readonly invocationId: string;
  readonly errorDetail: InvokeResponseError | undefined;
  constructor(message: string, options: InvocationErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.invocationId = options.invocationId;
    this.errorDetail = options.errorDetail;
  }
}
