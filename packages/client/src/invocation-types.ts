// Public types of invokeEvent.
import type { WebPubSubDataType } from "./payload.ts";
import type { JSONTypes } from "./types.ts";

export interface InvokeEventOptions {
  /** The id the request travels with (default: a fresh random one). An id still pending is refused before sending. */
  invocationId?: string;
  /** Gives up waiting: sends `cancelInvocation` and rejects with an InvocationError. */
  abortSignal?: AbortSignal;
}

/** What the event handler answered. Without `dataType` the handler returned no body. */
export interface InvokeEventResult {
  invocationId: string;
  dataType?: WebPubSubDataType;
  /** A string (`text`), a JSON value (`json`), or bytes (`binary`, `protobuf`: see options.binaryType). */
  data?: JSONTypes | Uint8Array | ArrayBuffer;
}
