// A connection's frames are handled in order: while one waits for an upstream call (an `event`, a simple client's
// `message`), later frames wait behind it, up to MAX_QUEUED_FRAMES frames or MAX_QUEUED_BYTES bytes.

/** Frames a connection may have waiting while one of its messages is in an upstream call. */
export const MAX_QUEUED_FRAMES = 1000;
/** Bytes of the frames a connection may have waiting while one of its messages is in an upstream call. */
export const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

export class InboundQueue {
  /** the last task in flight; later frames chain behind it */
  #busy: Promise<void> | null = null;
  #frames = 0;
  #bytes = 0;

  /**
   * Runs `task` now, or once the tasks before it have settled. Returns false, and runs nothing, when waiting would go
   * beyond MAX_QUEUED_FRAMES frames or MAX_QUEUED_BYTES bytes (the caller closes the connection).
   */
  run(bytes: number, task: () => Promise<void> | undefined): boolean {
    const busy = this.#busy;
    if (busy === null) {
      const running = task();
      if (running !== undefined) this.#track(running);
      return true;
    }
    // bounded: a client flooding frames while its upstream call is slow is closed, not buffered without limit
    if (this.#frames >= MAX_QUEUED_FRAMES || this.#bytes + bytes > MAX_QUEUED_BYTES) return false;
    this.#frames++;
    this.#bytes += bytes;
    this.#track(
      busy.then(() => {
        this.#frames--;
        this.#bytes -= bytes;
        return task();
      }),
    );
    return true;
  }

  #track(p: Promise<void>): void {
    this.#busy = p;
    const done = () => {
      if (this.#busy === p) this.#busy = null;
    };
    p.then(done, done);
  }
}
