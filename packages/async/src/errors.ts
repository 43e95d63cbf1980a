// The errors of this package (AbortError, TimeoutError), how an aborted signal becomes an AbortError, and the
// duration rules shared by every timer (MAX_TIMER_MS and checkTimerDuration, from @webpubsub/core).
/** Raised when an operation is cancelled through an AbortSignal. `cause` holds the signal's reason, if any. */
export class AbortError extends Error {
  override name = "AbortError";
  constructor(message = "The operation was aborted.", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Raised when an operation does not finish within its time limit. */
export class TimeoutError extends Error {
  override name = "TimeoutError";
  readonly timeoutInMs: number;
  constructor(timeoutInMs: number, message = `The operation timed out after ${timeoutInMs} ms.`) {
    super(message);
    this.timeoutInMs = timeoutInMs;
  }
}

/** The error to reject with when `signal` is aborted: always an AbortError, with a custom reason as its cause. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof AbortError) return reason;
  // A bare abort() gives a DOMException named AbortError; a custom reason is kept as the cause either way.
  const custom = reason !== undefined && !(reason instanceof DOMException && reason.name === "AbortError");
  return new AbortError(undefined, custom ? { cause: reason } : undefined);
}

/**
 * Checks a `signal` option: an AbortSignal, or an object of its shape (`aborted`, addEventListener,
 * removeEventListener, as @azure/abort-controller's AbortSignalLike); undefined and null are no signal.
 */
export function checkSignal(signal: unknown): asserts signal is AbortSignal | undefined {
  if (signal === undefined || signal === null) return;
  const s = signal as { aborted?: unknown; addEventListener?: unknown; removeEventListener?: unknown };
  if (
    typeof signal !== "object" ||
    typeof s.aborted !== "boolean" ||
    typeof s.addEventListener !== "function" ||
    typeof s.removeEventListener !== "function"
  ) {
    throw new TypeError("signal must be an AbortSignal when given.");
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

// The timer limit and the duration check are @webpubsub/core's (the emulator, which depends on core only, uses them
// too); re-exported here for the packages that take durations through this one.
export { checkTimerDuration, MAX_TIMER_MS } from "@webpubsub/core/timers";
