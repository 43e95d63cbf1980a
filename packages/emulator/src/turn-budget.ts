// How much frame handling one turn of the event loop may hold. A socket read can hold over a thousand small frames
// (64 KiB), and `ws` hands them all on in the same turn: 3,000 `sendToGroup` frames to a group of 50 held the loop for
// over a second. Frames are handled as they come while the time spent on frames in the current turn stays under
// TURN_BUDGET_MS; past it, the connection's queue (inbound-queue.ts) keeps them for later turns. The budget is the
// process's, shared by every connection: it is the event loop's time that it bounds.

/**
 * Milliseconds of frame handling per turn. A loop iteration may spend it twice (frames read in its poll phase, then
 * queued frames in its check phase), plus one frame begun just under it: well within the 100 ms rule.
 */
export const TURN_BUDGET_MS = 20;

/** What a connection's queue asks of the budget. */
export interface FrameBudget {
  /** Whether this turn has spent its budget: frames that come now wait for a later turn. */
  readonly exhausted: boolean;
  /** Runs `work` and charges its time to the current turn. */
  charge<T>(work: () => T): T;
}

export class TurnBudget implements FrameBudget {
  readonly #limitMs: number;
  readonly #now: () => number;
  /** milliseconds charged since the last reset */
  #spent = 0;
  /** the reset that ends the current turn's account, once something was charged */
  #reset: NodeJS.Immediate | undefined;

  constructor(limitMs = TURN_BUDGET_MS, now: () => number = () => performance.now()) {
    this.#limitMs = limitMs;
    this.#now = now;
  }

  /** Whether this turn has spent its budget: frames that come now wait for a later turn. */
  get exhausted(): boolean {
    return this.#spent >= this.#limitMs;
  }

  /**
   * Runs `work` and charges its time to the current turn. The account is reset by an immediate scheduled at the first
   * charge: it runs before any immediate scheduled after it, so work deferred to setImmediate starts on a fresh budget.
   */
  charge<T>(work: () => T): T {
    const start = this.#now();
    try {
      return work();
    } finally {
      this.#spent += this.#now() - start;
      this.#reset ??= setImmediate(() => {
        this.#reset = undefined;
        this.#spent = 0;
      });
    }
  }
}

/** The budget every connection's frames are charged to. */
export const frameBudget = new TurnBudget();
