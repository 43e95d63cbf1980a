// The order and pacing of a connection's frames (InboundQueue) under the per-turn frame budget (TurnBudget), on a
// hand-driven clock and fake immediates: frames are handled as they come while the turn has budget left, the rest in
// later turns, each within the budget, in arrival order; the socket is paused only while frames wait for the budget;
// frames behind an upstream call still run as soon as it settles; a closed queue handles nothing and leaves nothing
// scheduled.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type FrameSource, type FrameTask, InboundQueue } from "../src/inbound-queue.ts";
import { type FrameBudget, TurnBudget } from "../src/turn-budget.ts";

const LIMIT = 20;
let clock = 0;
let budget: TurnBudget;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setImmediate", "clearImmediate"] });
  clock = 0;
  budget = new TurnBudget(LIMIT, () => clock);
});
afterEach(() => {
  vi.useRealTimers();
});

/** A socket stand-in that records pause() and resume(). */
class Source implements FrameSource {
  paused = false;
  calls: string[] = [];
  pause() {
    this.paused = true;
    this.calls.push("pause");
  }
  resume() {
    this.paused = false;
    this.calls.push("resume");
  }
}

/** A budget spent or not by hand. */
class ManualBudget implements FrameBudget {
  exhausted = true;
  charge<T>(work: () => T): T {
    return work();
  }
}

/** A budget that lets `left` more frames be handled, then is spent until given more. */
class CountingBudget implements FrameBudget {
  left = 0;
  get exhausted(): boolean {
    return this.left <= 0;
  }
  charge<T>(work: () => T): T {
    this.left--;
    return work();
  }
}

/** A frame that starts an upstream call, settled by hand. */
function upstreamCall(onStart?: () => void): { task: FrameTask; settle: () => void } {
  let resolve: (() => void) | undefined;
  return {
    task: () => {
      onStart?.();
      return new Promise<void>((r) => (resolve = r));
    },
    settle: () => resolve?.(),
  };
}

/** Lets settled upstream calls hand on to the frames behind them. */
async function settled(): Promise<void> {
  for (let i = 0; i < 4; i++) await Promise.resolve();
}

/** The limits the emulator's README documents for frames waiting behind an event handler call. */
const DOCUMENTED_FRAMES = 1000;
const MIB = 1024 * 1024;
const DOCUMENTED_BYTES = 16 * MIB;

/** A queue whose frames record their number in `handled` and take `costMs` of the hand-driven clock each. */
function setup(costMs: number) {
  const queue = new InboundQueue(budget);
  const source = new Source();
  const handled: number[] = [];
  const frame =
    (n: number, cost = costMs): (() => undefined) =>
    () => {
      clock += cost;
      handled.push(n);
      return undefined;
    };
  const send = (n: number, cost?: number) => queue.run(1, frame(n, cost), source);
  return { queue, source, handled, send };
}

/** Runs one turn's immediates: the budget's reset first, then the queue's drain (in the order they were scheduled). */
function nextTurn(): void {
  vi.runOnlyPendingTimers();
}

describe("TurnBudget", () => {
  it("is spent once the work charged in a turn reaches the limit, not before", () => {
    budget.charge(() => {
      clock += LIMIT - 1;
    });
    expect(budget.exhausted).toBe(false);
    budget.charge(() => {
      clock += 1;
    });
    expect(budget.exhausted).toBe(true);
  });

  it("starts afresh in the next turn, and charges work that throws", () => {
    expect(() =>
      budget.charge(() => {
        clock += LIMIT;
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(budget.exhausted).toBe(true);
    nextTurn();
    expect(budget.exhausted).toBe(false);
    expect(vi.getTimerCount()).toBe(0); // one reset per turn, none left once it ran
  });
});

describe("frames within the turn's budget", () => {
  it("are handled as they come, before run() returns, with the socket never paused", () => {
    const { source, handled, send } = setup(LIMIT / 4 - 1); // 4 frames stay under the budget
    for (let n = 1; n <= 4; n++) {
      expect(send(n)).toBe(true);
      expect(handled).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    }
    expect(source.calls).toEqual([]);
  });
});

describe("frames past the turn's budget", () => {
  it("wait for a later turn with the socket paused, then are handled in order, each turn within the budget", () => {
    const { queue, source, handled, send } = setup(LIMIT / 2); // two frames spend a turn
    for (let n = 1; n <= 7; n++) send(n);
    expect(handled).toEqual([1, 2]);
    expect(queue.length).toBe(5);
    expect(source.paused).toBe(true);
    nextTurn();
    expect(handled).toEqual([1, 2, 3, 4]);
    expect(source.paused).toBe(true);
    nextTurn();
    expect(handled).toEqual([1, 2, 3, 4, 5, 6]);
    nextTurn();
    expect(handled).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(source.calls).toEqual(["pause", "resume"]); // resumed once nothing waits
    expect(queue.length).toBe(0);
    nextTurn(); // the last turn's budget reset
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a frame that comes while others wait queues behind them even when the turn has budget again", () => {
    // a budget driven by hand: fake immediates fire the budget's reset and the queue's drain together
    const manual = new ManualBudget();
    const queue = new InboundQueue(manual);
    const handled: number[] = [];
    const send = (n: number) =>
      queue.run(1, () => {
        handled.push(n);
        return undefined;
      });
    send(1);
    manual.exhausted = false; // the budget is back, frame 1 still waits for its drain
    send(2);
    expect(handled).toEqual([]);
    nextTurn();
    expect(handled).toEqual([1, 2]);
  });

  it("the first frame of an idle connection waits when other connections spent the turn", () => {
    const other = setup(LIMIT);
    other.send(1);
    const { source, handled, send } = setup(1);
    send(1);
    expect(handled).toEqual([]);
    expect(source.paused).toBe(true);
    nextTurn();
    expect(handled).toEqual([1]);
    expect(source.paused).toBe(false);
  });
});

describe("frames behind an upstream call", () => {
  it("run once it settles, in the same turn, with the socket not paused meanwhile", async () => {
    const { queue, source, handled, send } = setup(1);
    let settle!: () => void;
    queue.run(
      1,
      () => {
        handled.push(0);
        return new Promise<void>((r) => (settle = r));
      },
      source,
    );
    send(1);
    send(2);
    expect(handled).toEqual([0]);
    expect(source.calls).toEqual([]);
    settle();
    await Promise.resolve();
    await Promise.resolve();
    expect(handled).toEqual([0, 1, 2]); // no immediate ran: the order of today, frame after frame
    expect(vi.getTimerCount()).toBe(1); // the budget's reset only, no drain
  });

  it("past the budget once it settles, wait for a later turn with the socket paused", async () => {
    const { queue, source, handled, send } = setup(LIMIT);
    let settle!: () => void;
    queue.run(1, () => new Promise<void>((r) => (settle = r)), source);
    send(1);
    send(2);
    settle();
    await Promise.resolve();
    await Promise.resolve();
    expect(handled).toEqual([1]);
    expect(source.paused).toBe(true);
    nextTurn();
    expect(handled).toEqual([1, 2]);
    expect(source.paused).toBe(false);
  });
});

describe("a closed queue", () => {
  it("drops the waiting frames, cancels its drain, resumes the socket and handles nothing more", () => {
    const { queue, source, handled, send } = setup(LIMIT);
    send(1);
    send(2);
    send(3);
    expect(vi.getTimerCount()).toBe(2); // the budget's reset and the queue's drain
    queue.close();
    expect(vi.getTimerCount()).toBe(1);
    expect(source.paused).toBe(false);
    expect(queue.length).toBe(0);
    expect(send(4)).toBe(true);
    vi.runAllTimers();
    expect(handled).toEqual([1]);
    expect(source.calls).toEqual(["pause", "resume"]);
  });

  it("handles nothing of what waited behind an upstream call that settles after the close", async () => {
    const { queue, handled, send } = setup(1);
    let settle!: () => void;
    queue.run(1, () => new Promise<void>((r) => (settle = r)));
    send(1);
    queue.close();
    settle();
    await Promise.resolve();
    await Promise.resolve();
    vi.runAllTimers();
    expect(handled).toEqual([]);
  });
});

describe("a closed queue, with the turn's budget free", () => {
  it("runs nothing more and reports the frame as taken", () => {
    const { queue, handled, send } = setup(1);
    queue.close();
    expect(send(1)).toBe(true);
    vi.runAllTimers();
    expect(handled).toEqual([]);
  });
});

describe("the socket paused while frames wait for the budget", () => {
  it("is the one the latest frame came from: a frame given without its socket keeps the one before", () => {
    const { queue, source, handled, send } = setup(LIMIT);
    send(1); // spends the turn
    queue.run(1, () => {
      handled.push(2);
      return undefined;
    });
    expect(handled).toEqual([1]);
    expect(source.paused).toBe(true);
    nextTurn();
    expect(handled).toEqual([1, 2]);
    expect(source.calls).toEqual(["pause", "resume"]);
  });
});

describe("a waiting frame that starts an upstream call", () => {
  it("holds the frames after it until that call settles, with the socket not paused meanwhile", async () => {
    const { queue, source, handled, send } = setup(LIMIT);
    send(1); // spends the turn: the frames below wait for the next one
    const call = upstreamCall(() => handled.push(2));
    queue.run(1, call.task, source);
    send(3);
    nextTurn();
    expect(handled).toEqual([1, 2]);
    expect(queue.length).toBe(1);
    expect(source.paused).toBe(false);
    call.settle();
    await settled();
    expect(handled).toEqual([1, 2, 3]);
  });
});

describe("frames waiting behind an upstream call are bounded", () => {
  it(`accepts exactly ${DOCUMENTED_FRAMES} frames waiting and refuses the next one, which never runs`, async () => {
    const { queue, handled, send } = setup(0);
    const call = upstreamCall();
    expect(queue.run(1, call.task)).toBe(true);
    for (let n = 1; n <= DOCUMENTED_FRAMES; n++) expect(send(n)).toBe(true);
    expect(queue.length).toBe(DOCUMENTED_FRAMES);
    expect(send(DOCUMENTED_FRAMES + 1)).toBe(false);
    expect(queue.length).toBe(DOCUMENTED_FRAMES);
    call.settle();
    await settled();
    expect(handled).toEqual(Array.from({ length: DOCUMENTED_FRAMES }, (_, i) => i + 1));
  });

  it("accepts exactly 16 MiB of frames waiting and refuses one byte more", () => {
    const queue = new InboundQueue(budget);
    const handled: number[] = [];
    const frame = (n: number) => () => {
      handled.push(n);
      return undefined;
    };
    queue.run(1, upstreamCall().task);
    expect(queue.run(DOCUMENTED_BYTES - 1, frame(1))).toBe(true);
    expect(queue.run(1, frame(2))).toBe(true); // 16 MiB exactly
    expect(queue.run(1, frame(3))).toBe(false);
    expect(queue.run(0, frame(4))).toBe(true); // a frame of no bytes still fits
    expect(queue.length).toBe(3);
  });

  it("refuses a single frame over 16 MiB while the call is in flight", () => {
    const queue = new InboundQueue(budget);
    queue.run(1, upstreamCall().task);
    expect(queue.run(DOCUMENTED_BYTES + 1, () => undefined)).toBe(false);
    expect(queue.run(DOCUMENTED_BYTES, () => undefined)).toBe(true);
  });

  it("counts the bytes of waiting frames only: once they are handled, a later 16 MiB burst is accepted", async () => {
    const queue = new InboundQueue(budget);
    const handled: number[] = [];
    const first = upstreamCall();
    queue.run(1, first.task);
    expect(queue.run(DOCUMENTED_BYTES, () => void handled.push(1))).toBe(true);
    first.settle();
    await settled();
    expect(handled).toEqual([1]);
    const second = upstreamCall();
    queue.run(1, second.task);
    expect(queue.run(DOCUMENTED_BYTES, () => void handled.push(2))).toBe(true);
    second.settle();
    await settled();
    expect(handled).toEqual([1, 2]);
  });
});

describe("frames waiting only for the turn's budget", () => {
  it(`are never refused, past ${DOCUMENTED_FRAMES} frames and 16 MiB: the paused socket bounds them`, () => {
    const manual = new ManualBudget(); // spent
    const queue = new InboundQueue(manual);
    const handled: number[] = [];
    const frames = DOCUMENTED_FRAMES + 500;
    for (let n = 1; n <= frames; n++) {
      const accepted = queue.run(16 * 1024, () => void handled.push(n));
      expect(accepted).toBe(true);
    }
    expect(frames * 16 * 1024).toBeGreaterThan(DOCUMENTED_BYTES);
    expect(queue.length).toBe(frames);
    manual.exhausted = false;
    nextTurn();
    expect(handled).toEqual(Array.from({ length: frames }, (_, i) => i + 1));
  });

  it("are handled in order across the array's compaction, which keeps under 1024 handled slots and none once empty", () => {
    const counting = new CountingBudget();
    const queue = new InboundQueue(counting);
    const handled: number[] = [];
    const frames = 1500;
    for (let n = 1; n <= frames; n++) queue.run(1, () => void handled.push(n));
    expect(queue.slots).toBe(frames);
    const upTo = (k: number) => Array.from({ length: k }, (_, i) => i + 1);

    counting.left = 1023; // one short of the compaction: the handled slots stay
    nextTurn();
    expect(handled).toEqual(upTo(1023));
    expect(queue.length).toBe(frames - 1023);
    expect(queue.slots).toBe(frames);

    counting.left = 1; // the 1024th handled frame compacts the array to the frames waiting
    nextTurn();
    expect(handled).toEqual(upTo(1024));
    expect(queue.length).toBe(frames - 1024);
    expect(queue.slots).toBe(frames - 1024);

    counting.left = 10; // fewer than COMPACT_AFTER handled since: kept until the queue empties
    nextTurn();
    expect(queue.length).toBe(frames - 1034);
    expect(queue.slots).toBe(frames - 1024);

    counting.left = Infinity;
    nextTurn();
    expect(handled).toEqual(upTo(frames));
    expect(queue.length).toBe(0);
    expect(queue.slots).toBe(0);
  });
});

describe("the end of a socket (afterWaiting)", () => {
  it("is handled at once when no frame waits", () => {
    const { queue, send } = setup(1);
    send(1);
    const ended = vi.fn();
    queue.afterWaiting(ended);
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it("comes after the frames waiting for the budget, which are all handled first, in order", () => {
    const { queue, source, handled, send } = setup(LIMIT); // the first frame spends the turn's budget
    for (let n = 1; n <= 3; n++) send(n);
    expect(handled).toEqual([1]);
    const order: string[] = [];
    queue.afterWaiting(() => order.push(`end after ${handled.join(",")}`));
    expect(order).toEqual([]); // frames 2 and 3 still wait
    nextTurn();
    expect(handled).toEqual([1, 2]);
    expect(order).toEqual([]);
    nextTurn();
    expect(order).toEqual(["end after 1,2,3"]);
    expect(source.paused).toBe(false);
    nextTurn(); // the budget's reset; no drain is left
    expect(vi.getTimerCount()).toBe(0);
    expect(order).toEqual(["end after 1,2,3"]);
  });

  it("runs every end given while frames wait, each once, in the order given", () => {
    const { queue, send } = setup(LIMIT);
    send(1);
    send(2);
    const order: string[] = [];
    queue.afterWaiting(() => order.push("first"));
    queue.afterWaiting(() => order.push("second"));
    nextTurn();
    expect(order).toEqual(["first", "second"]);
    send(3); // the budget is fresh: handled at once, and no end runs again
    expect(order).toEqual(["first", "second"]);
  });

  it("is handled at once behind an upstream call (the frames waiting behind it are dropped by close, as before)", () => {
    const queue = new InboundQueue(budget);
    const call = upstreamCall();
    queue.run(1, call.task);
    queue.run(1, () => undefined);
    const ended = vi.fn();
    queue.afterWaiting(ended);
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it("is handled at once on a closed queue", () => {
    const { queue, send } = setup(LIMIT);
    send(1);
    send(2);
    queue.close();
    const ended = vi.fn();
    queue.afterWaiting(ended);
    expect(ended).toHaveBeenCalledTimes(1);
  });
});
