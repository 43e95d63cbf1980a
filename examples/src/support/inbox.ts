// Records what a WebPubSubClient receives, so examples can wait for a message and show what arrived.
import type { WebPubSubClient } from "@webpubsub/client";

/** One received data message, reduced to what the examples print and compare. */
export interface Received {
  from: "server" | "group";
  group?: string;
  fromUserId?: string | null;
  dataType: string;
  data: unknown;
  sequenceId?: number;
}

interface Waiter {
  predicate: (messages: readonly Received[]) => boolean;
  resolve: () => void;
}

/** Collects a client's server and group messages, and its disconnected events. */
export class Inbox {
  readonly messages: Received[] = [];
  readonly disconnects: { message: string | undefined; code: number | undefined }[] = [];
  #waiters = new Set<Waiter>();

  constructor(client: WebPubSubClient) {
    client.on("server-message", ({ message }) => {
      this.#push({ from: "server", dataType: message.dataType, data: message.data, sequenceId: message.sequenceId });
    });
    client.on("group-message", ({ message }) => {
      this.#push({
        from: "group",
        group: message.group,
        fromUserId: message.fromUserId,
        dataType: message.dataType,
        data: message.data,
        sequenceId: message.sequenceId,
      });
    });
    client.on("disconnected", ({ message, code }) => {
      this.disconnects.push({ message, code });
      this.#check();
    });
  }

  /** The data of every message received so far. */
  data(): unknown[] {
    return this.messages.map((m) => m.data);
  }

  /** Forgets what was received so far and returns it. */
  take(): Received[] {
    return this.messages.splice(0, this.messages.length);
  }

  /** Resolves once `predicate` holds (checked now and after every message); rejects after `timeoutMs`. */
  waitFor(predicate: (messages: readonly Received[]) => boolean, what: string, timeoutMs = 5000): Promise<void> {
    if (predicate(this.messages)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Waits until `count` messages arrived. */
  waitForCount(count: number, timeoutMs = 5000): Promise<void> {
    return this.waitFor((m) => m.length >= count, `${count} message(s)`, timeoutMs);
  }

  /** Waits for a disconnected event. */
  waitForDisconnect(timeoutMs = 5000): Promise<void> {
    return this.waitFor(() => this.disconnects.length > 0, "a disconnected event", timeoutMs);
  }

  #push(message: Received): void {
    this.messages.push(message);
    this.#check();
  }

  #check(): void {
    for (const waiter of [...this.#waiters]) {
      if (waiter.predicate(this.messages)) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}

/** `text "hi"`, `json {"a":1}`, `binary 3 bytes`: how the examples print a payload. */
export function describePayload(m: Pick<Received, "dataType" | "data">): string {
  if (m.data instanceof Uint8Array) return `${m.dataType} ${m.data.byteLength} bytes`;
  return `${m.dataType} ${JSON.stringify(m.data)}`;
}
