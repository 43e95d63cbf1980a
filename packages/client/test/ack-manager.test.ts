// Operations waiting for their ack, on their own: how each kind of ack settles them, what a rejection says, how
// abort and stop reject them, and the one shared deadline timer (fake timers; the real one never holds Node open).
import { afterEach, describe, expect, it, vi } from "vitest";
import { AckManager } from "../src/ack-manager.ts";
import { AckTimeoutError, SendMessageError } from "../src/errors.ts";

afterEach(() => {
  vi.restoreAllMocks(); // first: a spy set on a fake setTimeout restores the fake
  vi.useRealTimers();
});

const settled = (p: Promise<unknown>) =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

/** Follows `p`: `done` turns true once it settled (read after the microtasks queued so far ran). */
const watch = (p: Promise<unknown>) => {
  const state = { done: false };
  p.then(
    () => (state.done = true),
    () => (state.done = true),
  );
  return state;
};

describe("settling by ack", () => {
  it("a rejected ack fails the operation with a SendMessageError naming the ackId, the error name and message", async () => {
    const acks = new AckManager(10_000);
    const op = settled(acks.add(7, "f", true));
    acks.handleAck({ type: "ack", ackId: 7, success: false, error: { name: "Forbidden", message: "no permission" } });
    const { error } = (await op) as { error: SendMessageError };
    expect(error).toBeInstanceOf(SendMessageError);
    expect(error.message).toBe('The service rejected ackId 7: error "Forbidden", message "no permission"');
    expect(error.ackId).toBe(7);
    expect(error.errorDetail).toEqual({ name: "Forbidden", message: "no permission" });
  });

  it("a failed ack without an error body is reported as Unknown with an empty message", async () => {
    const acks = new AckManager(10_000);
    const op = settled(acks.add(3, "f", true));
    acks.handleAck({ type: "ack", ackId: 3, success: false });
    const { error } = (await op) as { error: SendMessageError };
    expect(error.message).toBe('The service rejected ackId 3: error "Unknown", message ""');
    expect(error.errorDetail).toEqual({ name: "Unknown", message: "" });
  });

  it("the service's error name and message are shown by their first 64 characters; the detail keeps them whole", async () => {
    const acks = new AckManager(10_000);
    const op = settled(acks.add(4, "f", true));
    const name = `N${"n".repeat(100_000)}`;
    const message = `M${"m".repeat(100_000)}`;
    acks.handleAck({ type: "ack", ackId: 4, success: false, error: { name, message } });
    const { error } = (await op) as { error: SendMessageError };
    expect(error.message).toBe(
      `The service rejected ackId 4: error "N${"n".repeat(63)}"..., message "M${"m".repeat(63)}"...`,
    );
    expect(error.message.length).toBeLessThan(200);
    expect(error.errorDetail).toEqual({ name, message });
  });

  it("an ack settles its operation once: it is no longer pending, and a second ack for it is ignored", async () => {
    const acks = new AckManager(10_000);
    const op = acks.add(1, "f", true);
    const other = acks.add(2, "g", true);
    expect(acks.size).toBe(2);
    expect(acks.handleAck({ type: "ack", ackId: 1, success: true })).toBe(true);
    expect(acks.size).toBe(1);
    expect(() => acks.add(2, "g", true)).toThrow(RangeError); // 2 still waits
    acks.add(1, "again", true).catch(() => undefined); // 1 no longer does
    acks.remove(1, new Error("done"));
    expect(acks.handleAck({ type: "ack", ackId: 1, success: false, error: { name: "X", message: "" } })).toBe(false);
    expect(await op).toEqual({ ackId: 1, isDuplicated: false });
    acks.rejectAll(() => new Error("stopped"));
    await expect(other).rejects.toThrow("stopped");
  });

  it("an ackId can be used again once its operation has settled, never while it waits", async () => {
    const acks = new AckManager(10_000);
    const first = acks.add(5, "f", true);
    expect(() => acks.add(5, "g", true)).toThrow(
      new RangeError("ackId 5 is already used by an operation waiting for its ack"),
    );
    acks.handleAck({ type: "ack", ackId: 5, success: true });
    await first;
    const again = acks.add(5, "g", true);
    expect(() => acks.add(5, "h", true)).toThrow(RangeError); // waiting again
    acks.remove(5, new Error("aborted"));
    await expect(again).rejects.toThrow("aborted");
  });
});

describe("abort and stop", () => {
  it("remove() rejects only that operation, with the given error; an unknown ackId is ignored", async () => {
    const acks = new AckManager(10_000);
    const aborted = settled(acks.add(1, "f", true));
    const kept = acks.add(2, "g", true);
    const reason = new Error("the caller aborted");
    acks.remove(1, reason);
    acks.remove(99, new Error("nobody"));
    expect(await aborted).toEqual({ error: reason });
    expect(acks.size).toBe(1);
    expect(() => acks.add(2, "h", true)).toThrow(RangeError); // 2 still waits
    acks.handleAck({ type: "ack", ackId: 2, success: true });
    await expect(kept).resolves.toEqual({ ackId: 2, isDuplicated: false });
  });

  it("rejectAll() rejects every operation with the error made for its ackId and stops the deadline timer", async () => {
    vi.useFakeTimers();
    const acks = new AckManager(1000);
    const ops = [1, 2, 3].map((id) => settled(acks.add(id, `f${id}`, true)));
    expect(vi.getTimerCount()).toBe(1);
    acks.rejectAll((id) => new Error(`stopped ${id}`));
    expect(acks.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    const results = (await Promise.all(ops)) as { error: Error }[];
    expect(results.map((r) => r.error.message)).toEqual(["stopped 1", "stopped 2", "stopped 3"]);
    acks.rejectAll(() => new Error("again")); // nothing left: harmless
  });
});

describe("the deadline", () => {
  it("an operation times out exactly ackTimeoutInMs after it was added, with an AckTimeoutError for its ackId", async () => {
    vi.useFakeTimers();
    const acks = new AckManager(1000);
    const promise = acks.add(4, "f", true);
    const state = watch(promise);
    const op = settled(promise);
    await vi.advanceTimersByTimeAsync(999);
    expect([state.done, acks.size]).toEqual([false, 1]);
    await vi.advanceTimersByTimeAsync(1);
    expect([state.done, acks.size]).toEqual([true, 0]);
    const { error } = (await op) as { error: AckTimeoutError };
    expect(error).toBeInstanceOf(AckTimeoutError);
    expect([error.ackId, error.timeoutInMs]).toEqual([4, 1000]);
    expect(acks.handleAck({ type: "ack", ackId: 4, success: true })).toBe(false); // a late ack is ignored
  });

  it("operations added together expire together, in one timer run", async () => {
    vi.useFakeTimers();
    const acks = new AckManager(100);
    const ops = [1, 2, 3].map((id) => settled(acks.add(id, "f", true)));
    await vi.advanceTimersByTimeAsync(100);
    expect(acks.size).toBe(0);
    expect(((await Promise.all(ops)) as { error: AckTimeoutError }[]).map((r) => r.error.ackId)).toEqual([1, 2, 3]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("settled operations leave the timer to the next deadline; with none left it stops once it fires", async () => {
    vi.useFakeTimers();
    const acks = new AckManager(100);
    const early = acks.add(1, "f", true);
    await vi.advanceTimersByTimeAsync(50);
    const second = acks.add(2, "g", true);
    const state = watch(second);
    const late = settled(second);
    acks.handleAck({ type: "ack", ackId: 1, success: true });
    await early;
    await vi.advanceTimersByTimeAsync(99); // 149 ms: the second is due at 150
    expect([state.done, acks.size]).toEqual([false, 1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(((await late) as { error: Error }).error).toBeInstanceOf(AckTimeoutError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("the timer sleeps exactly until the oldest deadline, then until the next one: it never polls", async () => {
    vi.useFakeTimers();
    const delays: (number | undefined)[] = [];
    const fake = globalThis.setTimeout;
    vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
      delays.push(ms);
      return fake(fn, ms);
    }) as typeof setTimeout);
    const acks = new AckManager(100);
    const first = settled(acks.add(1, "f", true));
    await vi.advanceTimersByTimeAsync(30);
    const second = settled(acks.add(2, "g", true));
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all([first, second]);
    expect(delays).toEqual([100, 30]);
  });

  it("a timer handle that is a plain number (browsers) works as well", async () => {
    const original = globalThis.setTimeout;
    vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) =>
      Number(original(fn, ms))) as unknown as typeof setTimeout);
    const acks = new AckManager(1);
    await expect(acks.add(1, "f", true)).rejects.toBeInstanceOf(AckTimeoutError);
  });

  it("the real deadline timer never keeps a Node process alive", () => {
    const timers: ReturnType<typeof setTimeout>[] = [];
    const original = globalThis.setTimeout;
    vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
      const timer = original(fn, ms);
      timers.push(timer);
      return timer;
    }) as typeof setTimeout);
    const acks = new AckManager(60_000);
    acks.add(1, "f", true).catch(() => undefined);
    expect(timers).toHaveLength(1);
    expect((timers[0] as unknown as { hasRef(): boolean }).hasRef()).toBe(false);
    acks.rejectAll(() => new Error("done"));
  });
});
