// One open group stream of a publisher (client-spec 3.6): its group, echo choice, the next streamSequenceId it
// expects, how many fragments it published, and its idle timer. It only keeps the order; the registry
// (stream-registry.ts) decides what to publish and answer. A client may ask for any positive idle timeout: one longer
// than a timer can wait (MAX_TIMER_MS, ~24.8 days) waits that long, as Node would otherwise fire it after 1 ms.
import { MAX_TIMER_MS } from "@webpubsub/core";

export interface GroupStreamInit {
  streamId: string;
  group: string;
  noEcho: boolean;
  idleTimeoutMs: number;
  /** called once when the stream saw no activity for idleTimeoutMs */
  onIdle: (stream: GroupStream) => void;
}

/** Where a fragment's streamSequenceId stands against the expected one. */
export type FragmentPlace = "next" | "duplicate" | "gap";

export class GroupStream {
  readonly streamId: string;
  readonly group: string;
  readonly noEcho: boolean;
  readonly idleTimeoutMs: number;
  #expected = 1;
  #idle: NodeJS.Timeout | undefined;

  constructor(init: GroupStreamInit) {
    this.streamId = init.streamId;
    this.group = init.group;
    this.noEcho = init.noEcho;
    this.idleTimeoutMs = init.idleTimeoutMs;
    this.#idle = setTimeout(
      () => {
        this.#idle = undefined;
        init.onIdle(this);
      },
      Math.min(init.idleTimeoutMs, MAX_TIMER_MS),
    );
    this.#idle.unref();
  }

  /** The next streamSequenceId the stream accepts (1 before the first fragment). */
  get expected(): number {
    return this.#expected;
  }

  /** Fragments published so far. */
  get published(): number {
    return this.#expected - 1;
  }

  get open(): boolean {
    return this.#idle !== undefined;
  }

  place(streamSequenceId: number): FragmentPlace {
    if (streamSequenceId === this.#expected) return "next";
    return streamSequenceId < this.#expected ? "duplicate" : "gap";
  }

  /** The expected fragment was published. */
  advance(): void {
    this.#expected++;
  }

  /** Accepted activity (a fragment, a duplicate, a keepalive): the idle timeout starts again. */
  touch(): void {
    this.#idle?.refresh();
  }

  /** The stream is over: its timer stops. */
  close(): void {
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    this.#idle = undefined;
  }
}
