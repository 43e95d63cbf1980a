// Public types of group streams (openGroupStream, onGroupStream).
import type { StreamEndError, StreamError, StreamInfo } from "@webpubsub/core";
import type { WebPubSubDataType } from "./payload.ts";
import type { JSONTypes } from "./types.ts";

/** A stream's terminal error as subscribers and writers see it (`UserError`, `IdleTimeout`, `Forbidden`...). */
export type StreamDataError = StreamError;
export type { StreamEndError, StreamInfo };

export interface OpenGroupStreamOptions {
  /** The stream's id (default: a random UUID); unique among the connection's open streams. */
  streamId?: string;
  /** Do not deliver the stream back to this connection. */
  noEcho?: boolean;
  /** How long the service keeps the stream without activity (default: the service's, 300000 ms). The writer sends a
   * keepalive before it passes. */
  idleTimeoutInMs?: number;
  /** Stops waiting for the service to accept the stream: rejects with an AbortError (the signal's reason as its
   * `cause`) and ends the stream at the service if its start was written. Once the open resolved it changes nothing. */
  abortSignal?: AbortSignal;
}
export interface GroupStreamWriteOptions {
  /** Stops waiting for the fragment's acknowledgement (the fragment stays in the stream). */
  abortSignal?: AbortSignal;
}
export interface EndGroupStreamOptions {
  abortSignal?: AbortSignal;
}
export interface AbortGroupStreamOptions {
  abortSignal?: AbortSignal;
}

/** The publishing side of a group stream. */
export interface GroupStreamWriter {
  readonly streamId: string;
  /** Queues one fragment; resolves once it is in the stream's buffer and written (waiting first while 256 fragments,
   * or 4 MiB of them with this one, are unacknowledged; a larger one waits for an empty buffer); the buffer keeps it
   * until the service acknowledges it. While the socket holds more than 1 MiB unsent, it is written once that drained
   * to half. */
  write(
    content: JSONTypes | Uint8Array | ArrayBuffer | ArrayBufferView,
    dataType: WebPubSubDataType,
    options?: GroupStreamWriteOptions,
  ): Promise<void>;
  /** Ends the stream after every earlier write (also those still waiting for room); resolves on the service's
   * `streamClosed`. */
  end(options?: EndGroupStreamOptions): Promise<void>;
  /** Ends the stream with an application error (subscribers see a `UserError`). */
  abort(error: StreamEndError, options?: AbortGroupStreamOptions): Promise<void>;
  /** Called when the stream fails (closed by the service with an error, or its connection is gone); returns an unsubscribe function. */
  onError(listener: (error: StreamDataError) => void): () => void;
}

/** One fragment of a received stream. */
export interface GroupStreamMessage {
  readonly groupName: string;
  readonly fromUserId: string | null | undefined;
  /** The connection-scoped sequence id (reliable protocols), not the stream's. */
  readonly sequenceId?: number;
  readonly dataType: WebPubSubDataType;
  readonly data: JSONTypes | Uint8Array | ArrayBuffer;
  readonly stream: StreamInfo;
}

/** A received stream: iterate it for its fragments in order. Iteration throws the stream's terminal error. */
export interface GroupStream extends AsyncIterable<GroupStreamMessage> {
  readonly groupName: string;
  readonly streamId: string;
  /** Fires when the stream ended (normally or not) or the subscription closed. */
  readonly abortSignal: AbortSignal;
}

export interface GroupStreamSubscription {
  close(): Promise<void>;
  readonly isActive: boolean;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface OnGroupStreamOptions {
  /** A received stream without a fragment for this long ends with an `IdleTimeout` error. Default 300000. */
  idleTimeoutInMs?: number;
  /** Ignore streams first seen after their first fragment (streamSequenceId > 1). Default false. */
  handleFromStart?: boolean;
  /** Only streams of these groups. Default: every group. */
  groupNames?: string[];
}
