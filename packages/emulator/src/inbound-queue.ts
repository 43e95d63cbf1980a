// A connection's frames are handled in order, each as it comes unless something holds the ones before it: an upstream
// call in flight (an `event`, a simple client's `message`), or a turn of the event loop that has spent its frame budget
// (turn-budget.ts). Frames waiting behind an upstream call are bounded (MAX_QUEUED_FRAMES frames or MAX_QUEUED_BYTES
// bytes, past which the caller closes the connection). Frames waiting for the budget are handled in later turns, each
// within the budget, and meanwhile the socket they came from is paused, so that what waits is at most what one socket
// read held; it is resumed once the queue is empty. A closed queue handles nothing more and leaves nothing scheduled.
import { type FrameBudget, frameBudget } from "./turn-budget.ts";

/** Frames a connection may have waiting while one of its messages is in an upstream call. */
export const MAX_QUEUED_FRAMES = 1000;
/** Bytes of the frames a connection may have waiting while one of its messages is in an upstream call. */
export const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

/** Handles one frame: returns the upstream call it started, if any; later frames wait until it settles. */
export type FrameTask = () => Promise<void> | undefined;

/** The socket frames come from: paused while its frames wait for a later turn (ws's pause() and resume()). */
export interface FrameSource {
  pause(): void;
  resume(): void;
}

/** Handled frames the queue's array may keep at its start before it is compacted. */
const COMPACT_AFTER = 1024;

interface Waiting {
  bytes: number;
  task: FrameTask;
}

export class InboundQueue {
  readonly #budget: FrameBudget;
  /** frames not handled yet, oldest at #head (the array is compacted now and then, not shifted per frame) */
  #waiting: (Waiting | undefined)[] = [];
  #head = 0;
  #bytes = 0;
  /** the upstream call in flight; the frames after it wait until it settles */
  #busy: Promise<void> | null = null;
  #drain: NodeJS.Immediate | undefined;
  /** the socket the latest frame came from, and the one paused (if any) */
  #source: FrameSource | undefined;
  #paused: FrameSource | undefined;
  #closed = false;
  /** what runs once the frames waiting for the budget have been handled (the end of the socket they came from) */
  #afterWaiting: (() => void) | undefined;

  constructor(budget: FrameBudget = frameBudget) {
    this.#budget = budget;
  }

  /** Frames waiting. */
  get length(): number {
    return this.#waiting.length - this.#head;
  }

  /**
   * Slots the queue's array holds: the frames waiting plus the handled ones not compacted away yet, fewer than
   * COMPACT_AFTER of those, and none once nothing waits. What a connection that never lets its queue empty keeps.
   */
  get slots(): number {
    return this.#waiting.length;
  }

  /**
   * Runs `task` now, or once the frames before it have been handled and the turn has budget left. Returns false, and
   * runs nothing, when it would wait behind an upstream call beyond MAX_QUEUED_FRAMES frames or MAX_QUEUED_BYTES bytes
   * (the caller closes the connection). After close() it runs nothing and returns true.
   */
  run(bytes: number, task: FrameTask, source?: FrameSource): boolean {
    if (this.#closed) return true;
    if (source !== undefined) this.#source = source;
    if (this.#busy === null && this.length === 0 && !this.#budget.exhausted) {
      this.#start(task);
      return true;
    }
    // bounded: a client flooding frames while its upstream call is slow is closed, not buffered without limit
    if (this.#busy !== null && (this.length >= MAX_QUEUED_FRAMES || this.#bytes + bytes > MAX_QUEUED_BYTES)) {
      return false;
    }
    this.#waiting.push({ bytes, task });
    this.#bytes += bytes;
    this.#settle();
    return true;
  }

  /**
   * Runs `then` once the frames waiting for the turn budget have been handled, at once when none wait (or they wait
   * behind an upstream call). The socket's end comes after the frames it carried before it, as when every frame was
   * handled in the turn it came in: a client's last message, or an MQTT DISCONNECT, is not dropped by the budget.
   */
  afterWaiting(then: () => void): void {
    const before = this.#afterWaiting;
    this.#afterWaiting =
      before === undefined
        ? then
        : () => {
            before();
            then();
          };
    this.#settle();
  }

  /** The connection ended: waiting frames are dropped, nothing stays scheduled, a paused socket reads again. */
  close(): void {
    this.#closed = true;
    this.#waiting = [];
    this.#head = 0;
    this.#bytes = 0;
    this.#settle();
  }

  #start(task: FrameTask): void {
    const running = this.#budget.charge(task);
    if (running === undefined) return;
    this.#busy = running;
    const done = () => {
      this.#busy = null;
      this.#handleWaiting();
    };
    running.then(done, done);
  }

  /** Handles waiting frames while nothing holds them and the turn has budget left. */
  #handleWaiting(): void {
    while (!this.#closed && this.#busy === null && this.length > 0 && !this.#budget.exhausted) {
      const next = this.#waiting[this.#head]!;
      this.#waiting[this.#head++] = undefined; // its buffer can go once handled
      this.#bytes -= next.bytes;
      if (this.length === 0 || this.#head >= COMPACT_AFTER) {
        this.#waiting = this.#waiting.slice(this.#head);
        this.#head = 0;
      }
      this.#start(next.task);
    }
    this.#settle();
  }

  /**
   * Brings the schedule and the socket in line with the queue: frames waiting only for the budget get a drain in a
   * later turn and their socket paused; otherwise (empty, behind an upstream call, or closed) no drain and no pause.
   */
  #settle(): void {
    const forBudget = !this.#closed && this.#busy === null && this.length > 0;
    if (forBudget) {
      this.#drain ??= setImmediate(() => {
        this.#drain = undefined;
        this.#handleWaiting();
      });
    } else if (this.#drain !== undefined) {
      clearImmediate(this.#drain);
      this.#drain = undefined;
    }
    const pause = forBudget ? this.#source : undefined;
    if (pause !== this.#paused) {
      this.#paused?.resume();
      this.#paused = pause;
      pause?.pause();
    }
    const then = forBudget ? undefined : this.#afterWaiting;
    if (then !== undefined) {
      this.#afterWaiting = undefined;
      then();
    }
  }
}
