// Unit tests of the building blocks: ack manager, sequence tracker, emitter, payload conversion, frame data.
import { getEventListeners } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { AckManager } from "../src/ack-manager.ts";
import { DRAIN_POLL_MAX_MS, DrainWaiter } from "../src/drain-waiter.ts";
import { TypedEmitter } from "../src/emitter.ts";
import { AckTimeoutError, ConnectionError, isRetryableSendError, SendMessageError } from "../src/errors.ts";
import { copied, toPayload, withBinaryType } from "../src/payload.ts";
import { SequenceTracker } from "../src/sequence-tracker.ts";
import { frameData } from "../src/socket.ts";

describe("AckManager", () => {
  it("settles by ack: success, Duplicate, and a typed error otherwise", async () => {
    const acks = new AckManager(10_000);
    const a = acks.add(1, "f1", true);
    const b = acks.add(2, "f2", true);
    const c = acks.add(3, "f3", true);
    expect(acks.handleAck({ type: "ack", ackId: 1, success: true })).toBe(true);
    acks.handleAck({ type: "ack", ackId: 2, success: false, error: { name: "Duplicate", message: "" } });
    acks.handleAck({ type: "ack", ackId: 3, success: false, error: { name: "BadRequest", message: "nope" } });
    expect(acks.handleAck({ type: "ack", ackId: 99, success: true })).toBe(false);
    expect(await a).toEqual({ ackId: 1, isDuplicated: false });
    expect(await b).toEqual({ ackId: 2, isDuplicated: true });
    const error = (await c.catch((e: unknown) => e)) as SendMessageError;
    expect(error.errorDetail).toEqual({ name: "BadRequest", message: "nope" });
    expect(isRetryableSendError(error)).toBe(false);
    expect(acks.size).toBe(0);
  });

  // Rule: what an operation changes on success (the groups to rejoin, the end of a left group's streams) happens as
  // its ack is handled, before the next message; a refusal, an abort or a timeout changes nothing.
  it("applied runs within handleAck for a success or a Duplicate, never for a refusal or a removal; the operation is settled even if it throws", async () => {
    const acks = new AckManager(10_000);
    const calls: number[] = [];
    const settled = [1, 2, 3, 4].map((id) => acks.add(id, `f${id}`, true, () => calls.push(id)).catch((e) => e));
    acks.handleAck({ type: "ack", ackId: 1, success: true });
    expect(calls).toEqual([1]);
    acks.handleAck({ type: "ack", ackId: 2, success: false, error: { name: "Duplicate", message: "" } });
    expect(calls).toEqual([1, 2]);
    acks.handleAck({ type: "ack", ackId: 3, success: false, error: { name: "Forbidden", message: "" } });
    acks.remove(4, new Error("aborted"));
    expect(calls).toEqual([1, 2]);
    await Promise.all(settled);
    const throwing = acks.add(5, "f5", true, () => {
      throw new Error("hook");
    });
    expect(() => acks.handleAck({ type: "ack", ackId: 5, success: true })).toThrow("hook");
    expect(await throwing).toEqual({ ackId: 5, isDuplicated: false });
  });

  it("times out entries in order with one timer", async () => {
    vi.useFakeTimers();
    try {
      const acks = new AckManager(30);
      const first = acks.add(1, "a", true).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(15);
      const second = acks.add(2, "b", true).catch((e: unknown) => e);
      expect(vi.getTimerCount()).toBe(1); // one timer for both deadlines
      await vi.advanceTimersByTimeAsync(14); // 29 ms: not yet
      expect(acks.size).toBe(2);
      await vi.advanceTimersByTimeAsync(1); // 30 ms: the first expires, the second is still waiting
      const e1 = await first;
      expect(e1).toBeInstanceOf(AckTimeoutError);
      expect(isRetryableSendError(e1)).toBe(true);
      expect(acks.size).toBe(1);
      expect(() => acks.add(2, "again", true)).toThrow(RangeError); // the one left is 2
      expect(vi.getTimerCount()).toBe(1);
      await vi.advanceTimersByTimeAsync(14); // 44 ms
      expect(acks.size).toBe(1);
      await vi.advanceTimersByTimeAsync(1); // 45 ms: 30 after it was added
      expect(await second).toBeInstanceOf(AckTimeoutError);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("takeUnsent yields unsent frames in order once; markAllUnsent makes all resendable", async () => {
    const acks = new AckManager(10_000);
    const ps = [acks.add(1, "a", true), acks.add(2, "b", false), acks.add(3, "c", false)];
    expect([...acks.takeUnsent()]).toEqual(["b", "c"]);
    expect([...acks.takeUnsent()]).toEqual([]);
    acks.markAllUnsent();
    expect([...acks.takeUnsent()]).toEqual(["a", "b", "c"]);
    expect(() => acks.add(2, "again", true)).toThrow(RangeError);
    acks.rejectAll((id) => new Error(`stopped ${id}`));
    expect(await Promise.allSettled(ps)).toMatchObject([
      { status: "rejected" },
      { status: "rejected" },
      { status: "rejected" },
    ]);
  });
});

describe("SequenceTracker", () => {
  it("tracks the largest id, flags duplicates and thresholds", () => {
    const sent: number[] = [];
    const seq = new SequenceTracker(3, (id) => sent.push(id) > 0);
    expect(seq.dirty).toBe(false);
    expect(seq.receive(1)).toBe(true);
    expect(seq.receive(1)).toBe(false);
    expect(seq.receive(2)).toBe(true);
    expect(seq.dirty).toBe(true);
    expect(seq.overThreshold).toBe(false);
    seq.receive(3);
    expect(seq.overThreshold).toBe(true);
    seq.flushAck();
    expect(sent).toEqual([3]);
    expect(seq.dirty).toBe(false);
    seq.forceResend();
    expect(seq.dirty).toBe(true);
    seq.reset();
    expect(seq.receive(1)).toBe(true);
  });
});

describe("TypedEmitter", () => {
  it("isolates listeners and reports their errors", async () => {
    const errors: [string, unknown][] = [];
    const emitter = new TypedEmitter<{ x: number }>((event, error) => errors.push([event, error]));
    const seen: number[] = [];
    emitter.on("x", () => {
      throw new Error("sync");
    });
    emitter.on("x", async () => Promise.reject(new Error("async")));
    emitter.on("x", (n) => seen.push(n));
    emitter.emit("x", 1);
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual([1]);
    expect(errors.map(([e, err]) => [e, (err as Error).message])).toEqual([
      ["x", "sync"],
      ["x", "async"],
    ]);
    expect(() => emitter.on("x", "nope" as never)).toThrow(TypeError);
  });

  it("a listener removed during emit still runs for that emit only", () => {
    const emitter = new TypedEmitter<{ x: number }>(() => {});
    const seen: string[] = [];
    const b = () => seen.push("b");
    emitter.on("x", () => {
      seen.push("a");
      emitter.off("x", b);
    });
    emitter.on("x", b);
    emitter.emit("x", 1);
    emitter.emit("x", 2);
    expect(seen).toEqual(["a", "b", "a"]);
    emitter.off("x", b); // already removed: nothing changes
    emitter.emit("x", 3);
    expect(seen).toEqual(["a", "b", "a", "a"]);
  });
});

describe("payloads and frames", () => {
  it("converts binary inputs to Uint8Array without copying", () => {
    const buffer = new Uint8Array([1, 2, 3, 4]).buffer;
    const view = new DataView(buffer, 1, 2);
    const p = toPayload(view, "binary");
    expect(p.data).toEqual(new Uint8Array([2, 3]));
    expect((p.data as Uint8Array).buffer).toBe(buffer);
    expect(toPayload(buffer, "protobuf").data).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(toPayload(null, "json")).toEqual({ dataType: "json", data: null });
    expect(() => toPayload(1n, "json")).toThrow(TypeError);
  });

  // Rule: a copy shares nothing the caller can change (bytes, objects), and encodes as the original would.
  it("copied() copies bytes (a Node Buffer too) and JSON objects and arrays; strings and other primitives are kept", () => {
    const buffer = Buffer.from([1, 2, 3]);
    const bytes = copied(buffer);
    buffer[0] = 9;
    expect(bytes).toEqual(new Uint8Array([1, 2, 3]));
    const data = { a: [1, { b: 2 }], at: new Date(0), skip: undefined };
    const json = copied(data);
    data.a.push(3);
    expect(json).toEqual({ a: [1, { b: 2 }], at: "1970-01-01T00:00:00.000Z" });
    const noText = { toJSON: () => undefined }; // no JSON text: kept, encoded as it is later
    // Primitives are kept as they are, also those JSON text would change (NaN, Infinity) or refuse (a BigInt).
    for (const value of ["x", null, 1, true, noText, Number.NaN, Number.POSITIVE_INFINITY, 1n, undefined]) {
      expect(copied(value)).toBe(value);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => copied(cyclic)).toThrow(TypeError);
  });

  it("a Uint8Array (a Node Buffer too) is taken as it is: the same object, not a new view of it", () => {
    const bytes = new Uint8Array([1, 2]);
    expect(toPayload(bytes, "binary").data).toBe(bytes);
    const buffer = Buffer.from([1, 2]);
    expect(toPayload(buffer, "protobuf").data).toBe(buffer);
  });

  // Rule: a refusal names the argument and what its dataType needs, and shows what it got (bounded).
  it("refuses data that does not fit its dataType with a TypeError saying what was needed", () => {
    const refused = (data: unknown, dataType: string, argName?: string) => {
      try {
        toPayload(data, dataType, argName);
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
        return (error as Error).message;
      }
      throw new Error("not refused");
    };
    expect(refused(1, "text")).toBe('data must be a string when dataType is "text", got 1');
    expect(refused(1, "text", "content")).toBe('content must be a string when dataType is "text", got 1');
    expect(refused("x", "binary")).toBe('data must be a Uint8Array or ArrayBuffer when dataType is "binary", got "x"');
    expect(refused([1], "protobuf")).toBe(
      'data must be a Uint8Array or ArrayBuffer when dataType is "protobuf", got object',
    );
    // json takes any JSON value (null, false, 0, "" too) but none of the values JSON has no text for
    for (const value of [null, false, 0, "", [], {}])
      expect(toPayload(value, "json")).toEqual({ dataType: "json", data: value });
    for (const [value, got] of [
      [undefined, "undefined"],
      [() => 1, "function"],
      [Symbol("s"), "Symbol(s)"],
      [1n, "1"],
    ] as const) {
      expect(refused(value, "json")).toBe(`data must be a JSON value when dataType is "json", got ${got}`);
    }
  });

  it("refuses a dataType it does not know before looking at the data", () => {
    for (const dataType of ["xml", "Text", undefined, 1]) {
      expect(() => toPayload("x", dataType)).toThrow(
        new TypeError(
          `dataType must be "text", "json", "binary" or "protobuf", got ${typeof dataType === "string" ? `"${dataType}"` : String(dataType)}`,
        ),
      );
    }
  });

  describe("withBinaryType", () => {
    const message = (data: unknown) => ({ type: "message", dataType: "binary", data });

    it("with uint8array, or for data that is not bytes, returns the message itself", () => {
      const bytes = message(new Uint8Array([1]));
      expect(withBinaryType(bytes, "uint8array")).toBe(bytes);
      const text = message("x");
      expect(withBinaryType(text, "arraybuffer")).toBe(text);
    });

    it("with arraybuffer, bytes that fill their own ArrayBuffer are handed over as that buffer, in a copied message", () => {
      const bytes = new Uint8Array([1, 2, 3]);
      const original = message(bytes);
      const delivered = withBinaryType(original, "arraybuffer");
      expect(delivered).not.toBe(original);
      expect(original.data).toBe(bytes); // the message itself is not modified
      expect(delivered.data).toBe(bytes.buffer);
      expect(delivered.type).toBe("message");
    });

    it("with arraybuffer, bytes that are part of a larger buffer, or of a shared one, become an ArrayBuffer of exactly those bytes", () => {
      const backing = new Uint8Array([0, 1, 2, 3]).buffer;
      const shared = new Uint8Array(new SharedArrayBuffer(2));
      shared.set([7, 8]);
      for (const [bytes, expected] of [
        [new Uint8Array(backing, 1, 2), [1, 2]], // not at the start
        [new Uint8Array(backing, 0, 3), [0, 1, 2]], // at the start, short of the end
        [new Uint8Array(backing, 1), [1, 2, 3]], // up to the end, not from the start
        [shared, [7, 8]], // the whole buffer, but not an ArrayBuffer
      ] as const) {
        const data = withBinaryType(message(bytes), "arraybuffer").data;
        expect(data).toBeInstanceOf(ArrayBuffer);
        expect(data).not.toBe(backing);
        expect([...new Uint8Array(data as ArrayBuffer)]).toEqual(expected);
      }
    });
  });

  it("normalizes incoming frame data", () => {
    expect(frameData("x")).toBe("x");
    expect(frameData(new Uint8Array([1]).buffer)).toEqual(new Uint8Array([1]));
    expect(frameData([new Uint8Array([1]), new Uint8Array([2, 3])])).toEqual(new Uint8Array([1, 2, 3]));
    expect(() => frameData(42)).toThrow(TypeError);
  });
});

/** A DrainWaiter without a deadline over a socket drained when `drained` is set; `checks` holds when it was asked. */
function drainingSocket() {
  const t0 = Date.now();
  const socket = { drained: false, checks: [] as number[], t0 };
  const waiter = new DrainWaiter(() => {
    socket.checks.push(Date.now() - t0);
    return socket.drained;
  }, 0);
  return Object.assign(socket, { waiter });
}

describe("DrainWaiter", () => {
  const reason = (signal: AbortSignal) => signal.reason;

  it("one backed-off timer serves every waiter; all resolve together once drained, and the timer stops", async () => {
    vi.useFakeTimers();
    try {
      const socket = drainingSocket();
      const { checks, waiter } = socket;
      const waits = [waiter.wait(undefined, reason), waiter.wait(undefined, reason), waiter.wait(undefined, reason)];
      let resolved = 0;
      for (const wait of waits) void wait.then(() => resolved++);
      expect(vi.getTimerCount()).toBe(1); // one timer for the three waits
      await vi.advanceTimersByTimeAsync(400);
      // The first three checks are each wait's immediate one; then one poll per period, doubling from 5 ms to 100 ms.
      expect(checks).toEqual([0, 0, 0, 5, 15, 35, 75, 155, 255, 355]);
      expect(DRAIN_POLL_MAX_MS).toBe(100);
      expect(resolved).toBe(0);
      socket.drained = true;
      await vi.advanceTimersByTimeAsync(100);
      expect(resolved).toBe(3); // all at the same poll
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("release() lets waiters go at once; an abort rejects only its own waiter; a drained wait does not poll", async () => {
    vi.useFakeTimers();
    try {
      const waiter = new DrainWaiter(() => false, 0);
      const controller = new AbortController();
      const aborted = waiter.wait(controller.signal, reason);
      const other = waiter.wait(undefined, reason);
      let otherDone = false;
      void other.then(() => (otherDone = true));
      controller.abort(new Error("mine"));
      await expect(aborted).rejects.toThrow("mine");
      expect(otherDone).toBe(false); // the other one still waits
      expect(vi.getTimerCount()).toBe(1); // and the poll goes on for it
      waiter.release();
      await other;
      expect(vi.getTimerCount()).toBe(0);
      await expect(waiter.wait(AbortSignal.abort(new Error("pre")), reason)).rejects.toThrow("pre");
      const ready = new DrainWaiter(() => true, 0);
      await ready.wait(undefined, reason);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  // Rule: waits end in the order they began. A wait that finds the buffer drained while others still wait for the next
  // poll ends them at once, ahead of itself, and stops the poll; one that finds it full waits behind them.
  it("a wait that finds the buffer drained while others wait lets them go first, at once, and stops the poll", async () => {
    vi.useFakeTimers();
    try {
      const socket = drainingSocket();
      const { waiter } = socket;
      const order: string[] = [];
      const begin = (name: string) => waiter.wait(undefined, reason).then(() => order.push(name));
      const waits = [begin("first")];
      await vi.advanceTimersByTimeAsync(200); // polls at 5, 15, 35, 75 and 155 ms; the next at 255
      waits.push(begin("second")); // the buffer still full: it waits too
      await vi.advanceTimersByTimeAsync(0);
      expect(order).toEqual([]);
      expect(vi.getTimerCount()).toBe(1);
      socket.drained = true; // between two polls
      const checks = socket.checks.length;
      waits.push(begin("third"));
      await vi.advanceTimersByTimeAsync(0);
      expect(order).toEqual(["first", "second", "third"]);
      expect(socket.checks).toHaveLength(checks + 1); // the third wait's own check, no poll
      expect(vi.getTimerCount()).toBe(0);
      await Promise.all(waits);
    } finally {
      vi.useRealTimers();
    }
  });
});

// Rule: a wait fails at the first poll at or past its deadline (maxWaitInMs after it began) with a retryable
// SendMessageError; once no wait is left the timer stops, and the next wait polls from the shortest period again.
describe("DrainWaiter deadline and restart", () => {
  const reason = (signal: AbortSignal) => signal.reason;

  it("fails a wait at the poll that reaches its deadline, not before; then stops polling", async () => {
    vi.useFakeTimers();
    try {
      const waiter = new DrainWaiter(() => false, 15); // polls at 5 and 15 ms: the second is the deadline
      let settled: unknown = "pending";
      void waiter.wait(undefined, reason).catch((e: unknown) => (settled = e));
      await vi.advanceTimersByTimeAsync(14);
      expect(settled).toBe("pending");
      await vi.advanceTimersByTimeAsync(1);
      expect(settled).toBeInstanceOf(SendMessageError);
      expect(settled).toMatchObject({
        message: "The connection's send buffer did not drain within 15 ms",
        retryable: true,
      });
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a wait begun after the others ended polls from the shortest period again", async () => {
    vi.useFakeTimers();
    try {
      const socket = drainingSocket();
      const { checks, waiter } = socket;
      const first = waiter.wait(undefined, reason);
      await vi.advanceTimersByTimeAsync(200); // backed off to 100 ms
      socket.drained = true;
      await vi.advanceTimersByTimeAsync(100);
      await first;
      socket.drained = false;
      checks.length = 0;
      const begun = Date.now() - socket.t0;
      void waiter.wait(undefined, reason);
      await vi.advanceTimersByTimeAsync(5);
      expect(checks).toEqual([begun, begun + 5]); // its own check, then the first poll 5 ms later
      waiter.release();
    } finally {
      vi.useRealTimers();
    }
  });
});

// Rule: a wait holds the caller's signal only while it waits: however it ends (drained, released, past its deadline,
// aborted) its abort listener is taken off, so one long-lived signal passed to many sends gathers none. A wait that
// ends by its abort leaves the poll to the others, and stops it when it was the last one.
describe("DrainWaiter and the caller's signal", () => {
  const reason = (signal: AbortSignal) => signal.reason;
  const listeners = (signal: AbortSignal) => getEventListeners(signal, "abort").length;

  it("a wait that ends drained, released or past its deadline leaves no abort listener on the caller's signal", async () => {
    vi.useFakeTimers();
    try {
      const signal = new AbortController().signal;
      const socket = drainingSocket();
      const drained = socket.waiter.wait(signal, reason);
      expect(listeners(signal)).toBe(1); // held while it waits
      socket.drained = true;
      await vi.advanceTimersByTimeAsync(5);
      await drained;
      expect(listeners(signal)).toBe(0);
      const released = new DrainWaiter(() => false, 0);
      const wait = released.wait(signal, reason);
      expect(listeners(signal)).toBe(1);
      released.release();
      await wait;
      expect(listeners(signal)).toBe(0);
      const late = new DrainWaiter(() => false, 5).wait(signal, reason).catch((e: unknown) => e);
      expect(listeners(signal)).toBe(1);
      await vi.advanceTimersByTimeAsync(5);
      expect(await late).toBeInstanceOf(SendMessageError);
      expect(listeners(signal)).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("aborting the last waiting send stops the poll: the buffer is not asked again", async () => {
    vi.useFakeTimers();
    try {
      const socket = drainingSocket();
      const controller = new AbortController();
      const wait = socket.waiter.wait(controller.signal, reason);
      await vi.advanceTimersByTimeAsync(5);
      expect(socket.checks).toEqual([0, 5]);
      controller.abort(new Error("gave up"));
      await expect(wait).rejects.toThrow("gave up");
      expect(listeners(controller.signal)).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(1000);
      expect(socket.checks).toEqual([0, 5]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("error classes", () => {
  it("each is named after its class, one way (a class field), and subclasses keep their own name", () => {
    const errors = [new SendMessageError("x"), new AckTimeoutError(1, 10), new ConnectionError("x")];
    expect(errors.map((e) => e.name)).toEqual(["SendMessageError", "AckTimeoutError", "ConnectionError"]);
    for (const error of errors) {
      expect(error.name).toBe(error.constructor.name);
      expect(Object.hasOwn(error, "name")).toBe(true);
      expect(String(error)).toMatch(new RegExp(`^${error.name}: `));
    }
    expect(new AckTimeoutError(1, 10)).toBeInstanceOf(SendMessageError);
  });
});
