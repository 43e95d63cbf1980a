// onGroupStream: received group streams, one AsyncIterable per (group, streamId). A feature module loaded on first
// use. Fragments must arrive with streamSequenceId 1, 2, 3... (after the first one seen); a gap or a repeat ends that
// stream with a GroupStreamError named InvalidSequenceId instead of merging an incomplete stream.
//
// A subscription remembers the streams whose further fragments it ignores (first seen after fragment 1 with
// handleFromStart, or ended for InvalidSequenceId or Overflow) until the first of: that stream's end arrives, the
// client leaves its group, the subscription closes or the session ends, or MAX_IGNORED_STREAMS streams ignored later
// push it out (the oldest first), so that streams whose end never comes (a publisher gone, a group left on the
// service's side) cannot grow memory without bound. Fragments of a forgotten stream are taken like those of a stream
// never seen: with handleFromStart they are ignored again (none is fragment 1), else they start a new stream at that
// fragment, as any stream first seen mid-way does (its fragments' streamSequenceId tells the reader where it starts).
// For the same reason a subscription receives at most MAX_ACTIVE_STREAMS streams at once: a stream first seen while
// that many are active is refused (ignored, as above), so that a peer cannot open streams faster than they end. A
// fragment whose stream id is longer than MAX_ID_LENGTH (the longest id a client may give its own streams) is ignored
// and its id never kept, so that the ids held stay small; so is one whose group name is longer than the service
// allows (MAX_GROUP_NAME_LENGTH, 1024).
import type { GroupDataMessage, StreamInfo } from "@webpubsub/core";
import { MAX_GROUP_NAME_LENGTH, shown } from "@webpubsub/core/client-wire";
import { useFeature, type WebPubSubClient } from "./client.ts";
import { GroupStreamError } from "./errors.ts";
import type { ClientFeature, FeatureHost } from "./features.ts";
import type {
  GroupStream,
  GroupStreamMessage,
  GroupStreamSubscription,
  OnGroupStreamOptions,
} from "./group-stream-types.ts";
import { MAX_ID_LENGTH } from "./json-only.ts";
import { loggableError } from "./logger.ts";
import type { DataMessage } from "./types.ts";

const INBOUND = Symbol("inbound group streams");
const DEFAULT_IDLE_MS = 300_000;
/** Unread fragments a received stream holds; one more ends it with an `Overflow` error (as messages() by default). */
export const MAX_BUFFERED_FRAGMENTS = 1024;
/** Ignored received streams a subscription remembers; one more forgets the oldest (see the top of this file). */
export const MAX_IGNORED_STREAMS = 1024;
/** Streams a subscription receives at once; one more is refused until one of them ends (see the top of this file). */
export const MAX_ACTIVE_STREAMS = 1024;

class InboundStream implements GroupStream {
  readonly groupName: string;
  readonly streamId: string;
  readonly #controller = new AbortController();
  readonly abortSignal = this.#controller.signal;
  readonly #queue: GroupStreamMessage[] = [];
  readonly #readers: { resolve(r: IteratorResult<GroupStreamMessage>): void; reject(e: unknown): void }[] = [];
  #done = false;
  #error: GroupStreamError | undefined;
  expected: number;
  timer: ReturnType<typeof setTimeout> | undefined;

  constructor(groupName: string, streamId: string, first: number) {
    this.groupName = groupName;
    this.streamId = streamId;
    this.expected = first;
  }

  /** Hands `message` to a waiting reader or buffers it; false when the buffer is full (nothing is buffered). */
  push(message: GroupStreamMessage): boolean {
    if (this.#done) return true;
    const reader = this.#readers.shift();
    if (reader) reader.resolve({ done: false, value: message });
    else if (this.#queue.length >= MAX_BUFFERED_FRAGMENTS) return false;
    else this.#queue.push(message);
    return true;
  }

  complete(error?: GroupStreamError): void {
    if (this.#done) return;
    this.#done = true;
    this.#error = error;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.#controller.abort(error);
    for (const reader of this.#readers.splice(0)) {
      if (error) reader.reject(error);
      else reader.resolve({ done: true, value: undefined });
    }
  }

  get done(): boolean {
    return this.#done;
  }

  [Symbol.asyncIterator](): AsyncIterator<GroupStreamMessage> {
    return {
      next: () => {
        const value = this.#queue.shift();
        if (value) return Promise.resolve({ done: false, value });
        if (this.#done)
          return this.#error ? Promise.reject(this.#error) : Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve, reject) => this.#readers.push({ resolve, reject }));
      },
    };
  }
}

class Subscription implements GroupStreamSubscription {
  readonly #callback: (stream: GroupStream) => unknown;
  readonly #idleMs: number;
  readonly #fromStart: boolean;
  readonly #groups: Set<string> | undefined;
  readonly #active = new Map<string, InboundStream>();
  readonly #ignored = new Set<string>();
  readonly #remove: (s: Subscription) => void;
  readonly #report: (error: unknown) => void;
  readonly #warn: (text: string) => void;
  #isActive = true;

  constructor(
    callback: (stream: GroupStream) => unknown,
    options: OnGroupStreamOptions,
    remove: (s: Subscription) => void,
    report: (error: unknown) => void,
    warn: (text: string) => void,
  ) {
    this.#callback = callback;
    this.#idleMs = options.idleTimeoutInMs ?? DEFAULT_IDLE_MS;
    this.#fromStart = options.handleFromStart ?? false;
    this.#groups = options.groupNames ? new Set(options.groupNames) : undefined;
    this.#remove = remove;
    this.#report = report;
    this.#warn = warn;
  }

  get isActive(): boolean {
    return this.#isActive;
  }

  async close(): Promise<void> {
    if (!this.#isActive) return;
    this.#isActive = false;
    this.#remove(this);
    this.failAll(undefined);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** How many streams are being received (for tests). */
  get activeCount(): number {
    return this.#active.size;
  }

  /** How many ignored streams are remembered (for tests). */
  get ignoredCount(): number {
    return this.#ignored.size;
  }

  /** The client left `group`: its active streams can never be complete (they end with LeftGroup); its ignored ones
   * are forgotten. */
  left(group: string): void {
    // keys are JSON [group, streamId]: a JSON string ends at its closing quote, so no other group has this prefix
    const prefix = `${JSON.stringify([group]).slice(0, -1)},`;
    for (const [key, stream] of this.#active) {
      if (key.startsWith(prefix)) this.#end(key, stream, { name: "LeftGroup", message: "the client left the group" });
    }
    for (const key of this.#ignored) if (key.startsWith(prefix)) this.#ignored.delete(key);
  }

  failAll(error: { name: string; message: string } | undefined): void {
    for (const stream of this.#active.values()) {
      stream.complete(error ? new GroupStreamError(stream.streamId, error) : undefined);
    }
    this.#active.clear();
    this.#ignored.clear();
  }

  handle(message: GroupDataMessage & { stream: StreamInfo }): void {
    const { group, stream: info } = message;
    if (!this.#isActive || (this.#groups && !this.#groups.has(group))) return;
    const key = JSON.stringify([group, info.streamId]);
    if (this.#ignored.has(key)) {
      if (info.endOfStream) this.#ignored.delete(key);
      return;
    }
    let stream = this.#active.get(key);
    if (!stream) {
      if (this.#fromStart && info.streamSequenceId !== 1) {
        this.#ignore(key, info);
        return;
      }
      if (this.#active.size >= MAX_ACTIVE_STREAMS) {
        const why = `${MAX_ACTIVE_STREAMS} streams are being received already`;
        this.#warn(`Refused the group stream ${shown(info.streamId)} of group ${shown(group)}: ${why}`);
        this.#ignore(key, info);
        return;
      }
      stream = new InboundStream(group, info.streamId, info.streamSequenceId);
      this.#active.set(key, stream);
      try {
        void Promise.resolve(this.#callback(stream)).catch((error: unknown) => this.#report(error));
      } catch (error) {
        this.#report(error);
      }
      // The callback closed the subscription (or stopped the client) at once: the stream ended before its first
      // fragment, which it does not take (nor an idle timer).
      if (stream.done) return;
    }
    const sequenceId = info.streamSequenceId;
    if (sequenceId !== stream.expected) {
      const what = sequenceId < stream.expected ? "arrived again" : `arrived while ${stream.expected} was expected`;
      this.#end(key, stream, { name: "InvalidSequenceId", message: `fragment ${sequenceId} of the stream ${what}` });
      this.#ignore(key, info);
      return;
    }
    const hasPayload = !info.endOfStream || !isEmpty(message.data);
    if (hasPayload) {
      const buffered = stream.push({
        groupName: group,
        fromUserId: message.fromUserId,
        ...(message.sequenceId === undefined ? {} : { sequenceId: message.sequenceId }),
        dataType: message.dataType,
        data: message.data as GroupStreamMessage["data"],
        stream: info,
      });
      if (!buffered) {
        // Nobody reads the stream fast enough (or at all): end it rather than hold whatever its publisher sends.
        const why = `more than ${MAX_BUFFERED_FRAGMENTS} fragments of the stream were not read`;
        this.#end(key, stream, { name: "Overflow", message: why });
        this.#ignore(key, info);
        return;
      }
      if (!info.endOfStream) stream.expected++;
    }
    if (info.endOfStream) {
      this.#end(key, stream, info.error);
      return;
    }
    if (stream.timer !== undefined) clearTimeout(stream.timer);
    const current = stream;
    stream.timer = setTimeout(
      () =>
        this.#end(key, current, {
          name: "IdleTimeout",
          message: `no fragment of the stream for ${this.#idleMs} ms`,
        }),
      this.#idleMs,
    );
  }

  /** Ignores the rest of a stream (nothing to remember when this fragment ended it); see the top of this file. */
  #ignore(key: string, info: StreamInfo): void {
    if (info.endOfStream) return;
    this.#ignored.add(key);
    if (this.#ignored.size > MAX_IGNORED_STREAMS) this.#ignored.delete(this.#ignored.values().next().value as string);
  }

  #end(
    key: string,
    stream: InboundStream,
    error: { name: string; message?: string; userErrorCode?: string } | undefined,
  ): void {
    if (this.#active.get(key) === stream) this.#active.delete(key);
    stream.complete(error ? new GroupStreamError(stream.streamId, error) : undefined);
  }
}

function isEmpty(data: unknown): boolean {
  if (data === undefined || data === "" || data === null) return true;
  if (data instanceof Uint8Array) return data.byteLength === 0;
  if (data instanceof ArrayBuffer) return data.byteLength === 0;
  return false;
}

class InboundStreams implements ClientFeature {
  readonly #host: FeatureHost;
  readonly #subscriptions = new Set<Subscription>();
  constructor(host: FeatureHost) {
    this.#host = host;
  }
  subscribe(callback: (stream: GroupStream) => unknown, options: OnGroupStreamOptions): Subscription {
    const subscription = new Subscription(
      callback,
      options,
      (s) => this.#subscriptions.delete(s),
      (error) => this.#host.logger.warning(`A group stream callback failed: ${loggableError(error)}`),
      (text) => this.#host.logger.warning(text),
    );
    this.#subscriptions.add(subscription);
    return subscription;
  }
  data(message: DataMessage): void {
    if (message.from !== "group" || message.stream === undefined) return;
    const { streamId } = message.stream;
    if (streamId.length > MAX_ID_LENGTH) {
      // Longer than any id a client may give its streams: ignored like an invalid frame, and never kept (a subscription
      // remembers the ids of up to 1024 active and 1024 ignored streams, each as long as a frame allows).
      this.#host.logger.warning(
        `Ignored a fragment of group ${shown(message.group)}: its stream id is longer than ${MAX_ID_LENGTH} characters (${shown(streamId)})`,
      );
      return;
    }
    if (message.group.length > MAX_GROUP_NAME_LENGTH) {
      // Longer than any group name the service takes: ignored and never kept, for the same reason.
      this.#host.logger.warning(
        `Ignored a fragment of group ${shown(message.group)}: the group name is longer than ${MAX_GROUP_NAME_LENGTH} characters`,
      );
      return;
    }
    for (const subscription of [...this.#subscriptions]) {
      subscription.handle(message as GroupDataMessage & { stream: StreamInfo });
    }
  }
  disconnected(): void {
    // Fragments sent while no connection carried them are lost to this client: the streams cannot be complete.
    for (const s of this.#subscriptions) s.failAll({ name: "ConnectionLost", message: "the connection was lost" });
  }
  connected(): void {
    // A new session (after `disconnected`, nothing is active; a recovered socket may announce one instead of resuming).
    this.disconnected();
  }
  stopped(): void {
    for (const s of this.#subscriptions) s.failAll({ name: "Stopped", message: "the client stopped" });
  }
  left(group: string): void {
    for (const s of this.#subscriptions) s.left(group);
  }
}

/** Subscribes `callback` to every group stream this client receives (see onGroupStream in client.ts). */
export function onGroupStream(
  client: WebPubSubClient,
  callback: (stream: GroupStream) => unknown,
  options: OnGroupStreamOptions,
): GroupStreamSubscription & { readonly activeCount: number; readonly ignoredCount: number } {
  return useFeature(client, INBOUND, (host) => new InboundStreams(host)).subscribe(callback, options);
}
