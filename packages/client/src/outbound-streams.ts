// openGroupStream: the client's published group streams. A feature module (see features.ts): the client's
// openGroupStream method loads it with import(), so apps that never publish a stream do not bundle it.
//
// Stream state belongs to the connection (client-spec 3.6.6): a recovery pauses every stream and resumes it with its
// unacknowledged fragments; a session that ends (a new connection replaces it) or stop() fails every open stream.
import { abortReason } from "@webpubsub/async/errors";
import { shown } from "@webpubsub/core/client-wire";
import { useFeature, type WebPubSubClient } from "./client.ts";
import type { ClientFeature, FeatureHost } from "./features.ts";
import type { GroupStreamWriter, OpenGroupStreamOptions, StreamEndError } from "./group-stream-types.ts";
import { checkId, freshId, requireJsonOnly } from "./json-only.ts";
import { loggableError } from "./logger.ts";
import { OutboundStream } from "./outbound-stream.ts";
import { toPayload } from "./payload.ts";
import { checkGroupName, checkIdleTimeout, checkOptionsObject, checkSignal } from "./validation.ts";

const OUTBOUND = Symbol("outbound group streams");

class OutboundStreams implements ClientFeature {
  readonly #host: FeatureHost;
  readonly #streams = new Map<string, OutboundStream>();

  constructor(host: FeatureHost) {
    this.#host = host;
    host.handle("streamAck", (m) => this.#streams.get(m.streamId)?.ack(m.expectedSequenceId));
    host.handle("streamNack", (m) => this.#streams.get(m.streamId)?.nack(m.expectedSequenceId));
    host.handle("streamClosed", (m) => this.#streams.get(m.streamId)?.closed(m.error));
  }

  async open(group: string, options: OpenGroupStreamOptions): Promise<GroupStreamWriter> {
    const state = this.#host.state();
    if (state === "Stopped" || state === "Stopping") throw new Error(`The client is ${state}: call start() first`);
    const signal = options.abortSignal;
    if (signal?.aborted) throw abortReason(signal); // (throwIfAborted's rule; that import would grow the main chunk)
    const streamId = options.streamId ?? freshId();
    if (this.#streams.has(streamId)) throw new Error(`Stream ${shown(streamId)} is already open on this client`);
    const stream = new OutboundStream(
      {
        write: (message) => this.#host.writeJsonOnly(message),
        bufferedAmount: () => this.#host.bufferedAmount(),
        closed: (id) => {
          if (this.#streams.get(id) === stream) this.#streams.delete(id);
        },
        listenerError: (error) => this.#host.logger.warning(`A stream onError listener threw: ${loggableError(error)}`),
      },
      group,
      streamId,
      options.noEcho === true,
      options.idleTimeoutInMs,
    );
    this.#streams.set(streamId, stream);
    // The caller's abort ends the wait for the start's ack only: once the stream is open it does nothing.
    const onAbort = () => stream.giveUp(abortReason(signal as AbortSignal));
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await stream.begin();
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    return writerOf(stream);
  }

  #each(action: (stream: OutboundStream) => void): void {
    for (const stream of [...this.#streams.values()]) action(stream);
  }

  connected(): void {
    this.#each((s) => s.connectionUp());
  }
  recovering(): void {
    this.#each((s) => s.pause());
  }
  recovered(): void {
    this.#each((s) => s.resume());
  }
  disconnected(): void {
    this.#each((s) =>
      s.fail({ name: "ConnectionLost", message: "the connection carrying the stream is gone (a new one replaces it)" }),
    );
  }
  stopped(): void {
    this.#each((s) => s.fail({ name: "Stopped", message: "the client stopped" }));
  }
  startFailed(): void {
    this.#each((s) => s.fail({ name: "ConnectionLost", message: "the client did not connect: start() failed" }));
  }
}

function writerOf(stream: OutboundStream): GroupStreamWriter {
  return {
    streamId: stream.streamId,
    async write(content, dataType, options = {}) {
      const payload = toPayload(content, dataType, "content");
      checkOptionsObject(options);
      checkSignal(options.abortSignal, "options.abortSignal");
      await stream.write(payload, options.abortSignal);
    },
    async end(options = {}) {
      checkOptionsObject(options);
      checkSignal(options.abortSignal, "options.abortSignal");
      await stream.end(undefined, options.abortSignal);
    },
    async abort(error: StreamEndError, options = {}) {
      checkEndError(error);
      checkOptionsObject(options);
      checkSignal(options.abortSignal, "options.abortSignal");
      await stream.end(error, options.abortSignal);
    },
    onError: (listener) => stream.onError(listener),
  };
}

/** Longest text accepted in a stream end error (it is published to every subscriber). */
const MAX_END_ERROR_TEXT = 1024;

function checkEndError(error: unknown): asserts error is StreamEndError {
  checkOptionsObject(error, "error");
  for (const key of ["message", "userErrorCode"] as const) {
    const value = (error as Record<string, unknown>)[key];
    if (value !== undefined && (typeof value !== "string" || value.length > MAX_END_ERROR_TEXT)) {
      throw new TypeError(`error.${key} must be a string of at most ${MAX_END_ERROR_TEXT} characters`);
    }
  }
  if ("name" in error) throw new TypeError("error must not have a name: the service names it UserError");
}

/**
 * Opens a group stream and resolves with its writer once the service accepted the start (streamAck 1). Rejects with
 * a GroupStreamError when the service refuses it (`Forbidden`, `BadRequest`) or the connection drops first.
 */
export async function openGroupStream(
  client: WebPubSubClient,
  groupName: string,
  options: OpenGroupStreamOptions = {},
): Promise<GroupStreamWriter> {
  checkGroupName(groupName, "groupName");
  checkOptionsObject(options);
  checkId(options.streamId, "options.streamId");
  if (options.noEcho !== undefined && typeof options.noEcho !== "boolean") {
    throw new TypeError("options.noEcho must be a boolean");
  }
  checkIdleTimeout(options.idleTimeoutInMs);
  checkSignal(options.abortSignal, "options.abortSignal");
  const streams = useFeature(client, OUTBOUND, (host) => {
    requireJsonOnly(host, "openGroupStream");
    return new OutboundStreams(host);
  });
  return streams.open(groupName, options);
}
