// messages() and groupMessages(): the client's data messages as bounded async iterables. A feature of the client (see
// features.ts): every data message goes to the iterables that want it, and all of them end when the client stops.
import { AsyncQueue } from "@webpubsub/async/async-queue";
import type { ClientFeature } from "./features.ts";
import type { DataMessage, MessageStreamOptions } from "./types.ts";

/** The key the client installs this feature under. */
export const MESSAGE_STREAMS: unique symbol = Symbol("webpubsub-client message streams");

/** Messages buffered per iterable unless `capacity` says otherwise. */
const DEFAULT_CAPACITY = 1024;

interface Subscriber {
  readonly queue: AsyncQueue<DataMessage>;
  /** Only this group's messages; undefined: every server and group message. */
  readonly group: string | undefined;
}

export class MessageStreams implements ClientFeature {
  readonly #subscribers = new Set<Subscriber>();

  /** A new iterable (options are checked by the caller). It ends when the client stops or `options.signal` aborts. */
  subscribe(group: string | undefined, options: MessageStreamOptions): AsyncQueue<DataMessage> {
    const queue = new AsyncQueue<DataMessage>({
      capacity: options.capacity ?? DEFAULT_CAPACITY,
      overflow: options.overflow ?? "error",
      signal: options.signal,
    });
    const subscriber: Subscriber = { queue, group };
    this.#subscribers.add(subscriber);
    queue.onClose(() => this.#subscribers.delete(subscriber));
    return queue;
  }

  data(message: DataMessage): void {
    if (this.#subscribers.size === 0) return;
    for (const { queue, group } of this.#subscribers) {
      if (group === undefined || (message.from === "group" && message.group === group)) queue.push(message);
    }
  }

  stopped(): void {
    for (const { queue } of this.#subscribers) queue.end();
    this.#subscribers.clear();
  }
}
