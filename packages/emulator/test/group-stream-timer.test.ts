// GroupStream's order and idle timer in isolation, with fake timers: activity (a fragment, a duplicate, a keepalive)
// restarts the idle timeout, which fires exactly at idleTimeoutMs of silence and never after close(). A timeout longer
// than a timer can wait (a client may ask for any positive number) waits the longest a timer can, not 1 ms.
import { MAX_TIMER_MS } from "@webpubsub/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GroupStream } from "../src/streams/group-stream.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function stream(idleTimeoutMs: number) {
  const idle: GroupStream[] = [];
  const s = new GroupStream({ streamId: "s", group: "g", noEcho: false, idleTimeoutMs, onIdle: (x) => idle.push(x) });
  return { s, idle };
}

describe("GroupStream", () => {
  it("fires the idle timeout at idleTimeoutMs of silence, not a millisecond before", () => {
    const { s, idle } = stream(1000);
    vi.advanceTimersByTime(999);
    expect(idle).toEqual([]);
    expect(s.open).toBe(true);
    vi.advanceTimersByTime(1);
    expect(idle).toEqual([s]);
    expect(s.open).toBe(false);
  });

  it("waits as long as a timer can for a longer idleTimeoutMs, instead of firing at once", () => {
    // Node (and the fake clock) runs a timer of more than MAX_TIMER_MS after 1 ms: a client asking for 30 days of idle
    // time had its stream closed with IdleTimeout at once
    for (const ms of [MAX_TIMER_MS, MAX_TIMER_MS + 1, Number.MAX_SAFE_INTEGER]) {
      const { s, idle } = stream(ms);
      vi.advanceTimersByTime(MAX_TIMER_MS - 1);
      expect(idle).toEqual([]);
      expect(s.open).toBe(true);
      vi.advanceTimersByTime(1);
      expect(idle).toEqual([s]);
    }
  });

  it("restarts the timeout on activity (keepalives keep a stream open past its timeout)", () => {
    const { s, idle } = stream(1000);
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(900);
      s.touch();
    }
    expect(idle).toEqual([]);
    vi.advanceTimersByTime(999);
    expect(idle).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(idle).toHaveLength(1);
  });

  it("never fires after close()", () => {
    const { s, idle } = stream(1000);
    s.close();
    vi.advanceTimersByTime(5000);
    expect(idle).toEqual([]);
  });

  it("places fragments against the expected id: next, duplicate (lower), gap (higher)", () => {
    const { s } = stream(1000);
    expect(s.expected).toBe(1);
    expect([s.place(1), s.place(2)]).toEqual(["next", "gap"]);
    s.advance();
    expect([s.place(1), s.place(2), s.place(3)]).toEqual(["duplicate", "next", "gap"]);
    expect(s.published).toBe(1);
    s.close();
  });
});
