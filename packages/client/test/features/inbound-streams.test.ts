// onGroupStream: one iterable per stream, in order; terminal errors, gaps and repeats surface to that stream.

import { MAX_GROUP_NAME_LENGTH } from "@webpubsub/core/client-wire";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  MAX_ACTIVE_STREAMS,
  MAX_BUFFERED_FRAGMENTS,
  MAX_IGNORED_STREAMS,
  onGroupStream,
} from "../../src/inbound-streams.ts";
import { type GroupStream, GroupStreamError, type GroupStreamMessage } from "../../src/index.ts";
import { MAX_ID_LENGTH } from "../../src/json-only.ts";
import { logger } from "../../src/logger.ts";
import { nextEvent } from "../fake-socket.ts";
import { started } from "./started.ts";

const frag = (streamSequenceId: number, data = `d${streamSequenceId}`, extra: object = {}) => ({
  type: "message",
  from: "group",
  group: "g",
  fromUserId: "pub",
  dataType: "text",
  data,
  stream: { streamId: "s1", streamSequenceId, ...extra },
});

/** The only fragment of stream `streamId`, final, carrying `payload` (its dataType and data, or none). */
const onlyFragment = (streamId: string, payload: object) => ({
  type: "message",
  from: "group",
  group: "g",
  fromUserId: "pub",
  ...payload,
  stream: { streamId, streamSequenceId: 1, endOfStream: true },
});

async function collect(stream: GroupStream): Promise<{ data: unknown[]; error?: { name: string } }> {
  const data: unknown[] = [];
  try {
    for await (const f of stream) data.push(f.data);
    return { data };
  } catch (error) {
    return { data, error: error as { name: string } };
  }
}

async function subscribed(options = {}, clientOptions: Parameters<typeof started>[0] = {}) {
  const ctx = await started(clientOptions);
  const results: Promise<{ data: unknown[]; error?: { name: string } }>[] = [];
  const streams: GroupStream[] = [];
  const seenByListener: unknown[] = [];
  ctx.client.on("group-message", (e) => seenByListener.push(e.message.stream?.streamSequenceId));
  const subscription = ctx.client.onGroupStream((stream) => {
    streams.push(stream);
    results.push(collect(stream));
  }, options);
  await subscription.ready;
  return { ...ctx, results, streams, subscription, seenByListener };
}

describe("onGroupStream", () => {
  it("delivers fragments in order and ends at endOfStream; group-message listeners still see the stream metadata", async () => {
    const { client, socket, results, streams, seenByListener } = await subscribed();
    socket.push(frag(1));
    socket.push(frag(2));
    socket.push({ ...frag(3, ""), stream: { streamId: "s1", streamSequenceId: 3, endOfStream: true } });
    expect(streams[0]).toMatchObject({ groupName: "g", streamId: "s1" });
    expect(await results[0]).toEqual({ data: ["d1", "d2"] });
    expect(streams[0]?.abortSignal.aborted).toBe(true);
    expect(seenByListener).toEqual([1, 2, 3]);
    await client.stop();
  });

  it("a terminal error (UserError) surfaces to that stream's iteration", async () => {
    const { client, socket, results } = await subscribed();
    socket.push(frag(1));
    socket.push({
      ...frag(2, ""),
      stream: {
        streamId: "s1",
        streamSequenceId: 2,
        endOfStream: true,
        error: { name: "UserError", message: "bad", userErrorCode: "E1" },
      },
    });
    const r = await results[0];
    expect(r?.data).toEqual(["d1"]);
    expect(r?.error).toMatchObject({ name: "UserError", message: "bad", userErrorCode: "E1" });
    await client.stop();
  });

  it("a terminal error's message is capped at 512 characters and its name at 128, errorDetail keeping both whole", async () => {
    const { client, socket, results } = await subscribed();
    const message = `${"m".repeat(512)}${"TAIL".repeat(25_000)}`;
    const name = `${"N".repeat(128)}TAIL`;
    const end = (streamId: string, error: object) =>
      socket.push({ ...frag(1, ""), stream: { streamId, streamSequenceId: 1, endOfStream: true, error } });
    end("s1", { name, message, userErrorCode: "E1" });
    const error = (await results[0])?.error as GroupStreamError;
    expect(error).toBeInstanceOf(GroupStreamError);
    expect(error.message).toBe(`${"m".repeat(512)}…(100000 more characters)`);
    expect(error.name).toBe(`${"N".repeat(128)}…(4 more characters)`);
    expect(error.errorDetail).toEqual({ name, message, userErrorCode: "E1" });
    // at the limits exactly, nothing is cut
    end("s2", { name: "N".repeat(128), message: "m".repeat(512) });
    const whole = (await results[1])?.error as GroupStreamError;
    expect(whole.message).toBe("m".repeat(512));
    expect(whole.name).toBe("N".repeat(128));
    await client.stop();
  });

  it("a gap or a repeat in streamSequenceId ends the stream with InvalidSequenceId, never merged", async () => {
    const { client, socket, results } = await subscribed();
    socket.push(frag(1));
    socket.push(frag(3));
    const r = await results[0];
    expect(r?.data).toEqual(["d1"]);
    expect(r?.error?.name).toBe("InvalidSequenceId");
    await client.stop();
    const second = await subscribed();
    second.socket.push(frag(1));
    second.socket.push(frag(1));
    expect((await second.results[0])?.error?.name).toBe("InvalidSequenceId");
    await second.client.stop();
  });

  it("handleFromStart ignores streams first seen after fragment 1; groupNames filters", async () => {
    const { client, socket, streams } = await subscribed({ handleFromStart: true, groupNames: ["g"] });
    socket.push(frag(2));
    socket.push({ ...frag(1), group: "other" });
    expect(streams).toEqual([]);
    await client.stop();
  });

  it("close() ends the subscription: isActive false, no new streams", async () => {
    const { client, socket, streams, subscription } = await subscribed();
    expect(subscription.isActive).toBe(true);
    await subscription.close();
    expect(subscription.isActive).toBe(false);
    socket.push(frag(1));
    expect(streams).toEqual([]);
    await client.stop();
  });

  it(`a stream buffers at most ${MAX_BUFFERED_FRAGMENTS} unread fragments: one more ends it with Overflow (a peer cannot grow memory through a stream nobody reads)`, async () => {
    const { client, socket } = await started();
    const streams: GroupStream[] = [];
    // the callback takes the streams but reads none of them
    await client.onGroupStream((stream) => void streams.push(stream)).ready;
    for (let i = 1; i <= MAX_BUFFERED_FRAGMENTS; i++) socket.push(frag(i));
    expect(streams[0]?.abortSignal.aborted).toBe(false); // at the bound: still open
    socket.push(frag(MAX_BUFFERED_FRAGMENTS + 1));
    expect(streams[0]?.abortSignal.aborted).toBe(true);
    const reason = streams[0]?.abortSignal.reason as GroupStreamError;
    expect(reason).toBeInstanceOf(GroupStreamError);
    expect(reason.name).toBe("Overflow");
    expect(reason.message).toBe(`more than ${MAX_BUFFERED_FRAGMENTS} fragments of the stream were not read`);
    // the reader gets what fit, in order, then the error
    const r = await collect(streams[0] as GroupStream);
    expect(r.data).toHaveLength(MAX_BUFFERED_FRAGMENTS);
    expect(r.data.at(-1)).toBe(`d${MAX_BUFFERED_FRAGMENTS}`);
    expect(r.error?.name).toBe("Overflow");
    // the rest of that stream is not taken for a new one
    socket.push(frag(MAX_BUFFERED_FRAGMENTS + 2));
    expect(streams).toHaveLength(1);
    await client.stop();
  });

  it("a reader that keeps up is never cut off by the bound", async () => {
    const { client, socket, results } = await subscribed();
    const total = MAX_BUFFERED_FRAGMENTS * 3;
    for (let i = 1; i <= total; i++) {
      socket.push(frag(i));
      if (i % 100 === 0) await new Promise((r) => setTimeout(r, 0)); // the reader drains between bursts
    }
    socket.push({ ...frag(total + 1, ""), stream: { streamId: "s1", streamSequenceId: total + 1, endOfStream: true } });
    const r = await results[0];
    expect(r?.error).toBeUndefined();
    expect(r?.data).toHaveLength(total);
    await client.stop();
  });
});

/** Fragment `seq` of stream `streamId` on `group` (data `${streamId}:${seq}`). */
const fragOf = (group: string, streamId: string, seq: number) => ({
  ...frag(seq, `${streamId}:${seq}`),
  group,
  stream: { streamId, streamSequenceId: seq },
});

describe("onGroupStream: what a subscription holds of the streams it receives or ignores is bounded", () => {
  /**
   * A started client subscribed to every group stream while the logger's warnings are collected, for `body` to show a
   * fragment ignored because of one of its strings; `seenOf` reads what group-message listeners still get.
   */
  async function whileWarningsCollected(
    seenOf: (message: { group: string; stream?: { streamSequenceId: number } }) => unknown,
    body: (t: {
      socket: Awaited<ReturnType<typeof started>>["socket"];
      streams: GroupStream[];
      subscription: ReturnType<typeof onGroupStream>;
      seenByListener: unknown[];
      warnings: string[];
    }) => void,
  ): Promise<void> {
    const warnings: string[] = [];
    const spy = vi.spyOn(logger, "warning").mockImplementation((line) => void warnings.push(line));
    try {
      const { client, socket } = await started();
      const streams: GroupStream[] = [];
      const subscription = onGroupStream(client, (stream) => void streams.push(stream), {});
      const seenByListener: unknown[] = [];
      client.on("group-message", (e) => seenByListener.push(seenOf(e.message)));
      body({ socket, streams, subscription, seenByListener, warnings });
      await client.stop();
    } finally {
      spy.mockRestore();
    }
  }

  it(`receives at most ${MAX_ACTIVE_STREAMS} streams at once: one more is refused (never handed over, its fragments ignored, a warning logged) until one of them ends`, () =>
    whileWarningsCollected(
      () => undefined,
      ({ socket, streams, subscription, warnings }) => {
        // fragment 1 of streams whose end never comes
        for (let i = 0; i < MAX_ACTIVE_STREAMS; i++) socket.push(fragOf("g", `s${i}`, 1));
        expect(streams).toHaveLength(MAX_ACTIVE_STREAMS);
        expect(warnings).toEqual([]);
        socket.push(fragOf("g", "one-more", 1));
        socket.push(fragOf("g", "one-more", 2));
        expect(streams).toHaveLength(MAX_ACTIVE_STREAMS);
        expect(subscription.activeCount).toBe(MAX_ACTIVE_STREAMS);
        expect(warnings).toEqual([
          `Refused the group stream "one-more" of group "g": ${MAX_ACTIVE_STREAMS} streams are being received already`,
        ]);
        // one ends: a new stream is taken again, and the refused one stays ignored
        socket.push({ ...fragOf("g", "s0", 2), stream: { streamId: "s0", streamSequenceId: 2, endOfStream: true } });
        socket.push(fragOf("g", "one-more", 3));
        socket.push(fragOf("g", "another", 1));
        expect(streams.slice(MAX_ACTIVE_STREAMS).map((s) => s.streamId)).toEqual(["another"]);
        expect(subscription.activeCount).toBe(MAX_ACTIVE_STREAMS);
      },
    ));

  it(`takes stream ids of up to MAX_ID_LENGTH (${MAX_ID_LENGTH}) characters; a fragment of a longer one is ignored (warned, its id never kept) while group-message listeners still get it`, () =>
    whileWarningsCollected(
      (m) => m.stream?.streamSequenceId,
      ({ socket, streams, subscription, seenByListener, warnings }) => {
        const longest = "a".repeat(MAX_ID_LENGTH);
        const tooLong = "b".repeat(MAX_ID_LENGTH + 1);
        socket.push(fragOf("g", longest, 1));
        expect(streams.map((s) => s.streamId)).toEqual([longest]);
        expect(warnings).toEqual([]);
        socket.push(fragOf("g", tooLong, 1));
        socket.push(fragOf("g", tooLong, 2));
        expect(streams).toHaveLength(1);
        expect([subscription.activeCount, subscription.ignoredCount]).toEqual([1, 0]);
        expect(seenByListener).toEqual([1, 1, 2]);
        const warning = `Ignored a fragment of group "g": its stream id is longer than ${MAX_ID_LENGTH} characters ("${"b".repeat(64)}"...)`;
        expect(warnings).toEqual([warning, warning]);
      },
    ));

  // Rule: a subscription keeps only group names the service could have sent (at most MAX_GROUP_NAME_LENGTH
  // characters), so that up to 1024 active and 1024 ignored streams hold little memory whatever a peer sends.
  it(`takes group names of up to MAX_GROUP_NAME_LENGTH (${MAX_GROUP_NAME_LENGTH}) characters; a fragment of a longer one is ignored (warned, never kept) while group-message listeners still get it`, () =>
    whileWarningsCollected(
      (m) => m.group.length,
      ({ socket, streams, subscription, seenByListener, warnings }) => {
        const longest = "g".repeat(MAX_GROUP_NAME_LENGTH);
        const tooLong = "h".repeat(MAX_GROUP_NAME_LENGTH + 1);
        socket.push(fragOf(longest, "s", 1));
        expect(streams.map((s) => s.groupName)).toEqual([longest]);
        expect(warnings).toEqual([]);
        socket.push(fragOf(tooLong, "s", 1));
        expect(streams).toHaveLength(1);
        expect([subscription.activeCount, subscription.ignoredCount]).toEqual([1, 0]);
        expect(seenByListener).toEqual([MAX_GROUP_NAME_LENGTH, MAX_GROUP_NAME_LENGTH + 1]);
        expect(warnings).toEqual([
          `Ignored a fragment of group "${"h".repeat(64)}"...: the group name is longer than ${MAX_GROUP_NAME_LENGTH} characters`,
        ]);
      },
    ));

  it(`keeps exactly ${MAX_IGNORED_STREAMS} ignored streams; one more forgets the oldest, whose later fragments then start a new stream (without handleFromStart)`, async () => {
    const { client, socket, streams } = await subscribed();
    // each stream skips fragment 2: it ends with InvalidSequenceId and the rest of it is ignored
    const ignore = (streamId: string) => {
      socket.push(fragOf("g", streamId, 1));
      socket.push(fragOf("g", streamId, 3));
    };
    for (let i = 0; i < MAX_IGNORED_STREAMS; i++) ignore(`s${i}`);
    expect(streams).toHaveLength(MAX_IGNORED_STREAMS);
    // at the bound, the oldest is still remembered: its next fragment is ignored
    socket.push(fragOf("g", "s0", 4));
    expect(streams).toHaveLength(MAX_IGNORED_STREAMS);
    // one more ignored stream forgets the oldest (s0) and only it
    ignore("one-more");
    expect(streams).toHaveLength(MAX_IGNORED_STREAMS + 1);
    socket.push(fragOf("g", "s1", 4));
    expect(streams).toHaveLength(MAX_IGNORED_STREAMS + 1);
    socket.push(fragOf("g", "s0", 4));
    expect(streams).toHaveLength(MAX_IGNORED_STREAMS + 2);
    expect(streams.at(-1)).toMatchObject({ groupName: "g", streamId: "s0" });
    await client.stop();
  });

  it("with handleFromStart a forgotten stream is ignored again (its next fragment is not fragment 1), and remembered again within the bound", async () => {
    const { client, socket } = await started();
    const streams: GroupStream[] = [];
    const subscription = onGroupStream(client, (stream) => void streams.push(stream), { handleFromStart: true });
    // streams first seen at fragment 2 are ignored
    for (let i = 0; i < MAX_IGNORED_STREAMS; i++) socket.push(fragOf("g", `s${i}`, 2));
    expect(subscription.ignoredCount).toBe(MAX_IGNORED_STREAMS);
    socket.push(fragOf("g", "one-more", 2));
    expect(subscription.ignoredCount).toBe(MAX_IGNORED_STREAMS);
    // s0 was forgotten: its fragment 3 is ignored again, which forgets s1 in turn
    socket.push(fragOf("g", "s0", 3));
    expect(streams).toEqual([]);
    expect(subscription.ignoredCount).toBe(MAX_IGNORED_STREAMS);
    await client.stop();
  });

  it("an acknowledged leaveGroup forgets that group's ignored streams and ends its active ones with LeftGroup; another group's are kept, and a refused leave changes nothing", async () => {
    const { client, socket, streams, results } = await subscribed();
    for (const group of ["g", "g2"]) {
      socket.push(fragOf(group, "ignored", 1));
      socket.push(fragOf(group, "ignored", 3)); // ends with InvalidSequenceId; the rest is ignored
      socket.push(fragOf(group, "active", 1));
    }
    expect(streams.map((s) => [s.groupName, s.streamId])).toEqual([
      ["g", "ignored"],
      ["g", "active"],
      ["g2", "ignored"],
      ["g2", "active"],
    ]);
    const leave = async (outcome: object) => {
      const n = socket.framesOf("leaveGroup").length;
      const done = client.leaveGroup("g");
      await socket.waitForFrame(() => socket.framesOf("leaveGroup").length > n);
      socket.push({ type: "ack", ackId: socket.framesOf("leaveGroup")[n]?.ackId, ...outcome });
      return done;
    };
    // refused: nothing is forgotten or ended
    await expect(leave({ success: false, error: { name: "Forbidden", message: "no" } })).rejects.toThrow();
    expect(streams[1]?.abortSignal.aborted).toBe(false);
    socket.push(fragOf("g", "ignored", 4));
    expect(streams).toHaveLength(4);
    // acknowledged: g's active stream can never be complete, g's ignored one is forgotten
    await leave({ success: true });
    expect(await results[1]).toEqual({
      data: ["active:1"],
      error: expect.objectContaining({ name: "LeftGroup", message: "the client left the group" }),
    });
    expect(streams[3]?.abortSignal.aborted).toBe(false);
    socket.push(fragOf("g2", "ignored", 4));
    expect(streams).toHaveLength(4);
    socket.push(fragOf("g", "ignored", 5));
    expect(streams).toHaveLength(5);
    expect(streams[4]).toMatchObject({ groupName: "g", streamId: "ignored" });
    // g2's active stream goes on
    socket.push(fragOf("g2", "active", 2));
    socket.push({
      ...fragOf("g2", "active", 3),
      stream: { streamId: "active", streamSequenceId: 3, endOfStream: true },
    });
    expect(await results[3]).toEqual({ data: ["active:1", "active:2", "active:3"] });
    await client.stop();
  });

  it("a leave ends the group's streams received before its ack only: a join acked and a new stream's first fragment arriving in the same tick go on", async () => {
    // The rule: the effects of a leave happen as its ack is handled, in order with the service's other messages, not
    // when the caller's promise settles (a few microtasks later, after the messages that followed the ack).
    const { client, socket, streams, results } = await subscribed();
    socket.push(fragOf("g", "before", 1));
    const leave = client.leaveGroup("g");
    const join = client.joinGroup("g");
    const ackOf = (type: string) => ({ type: "ack", ackId: socket.framesOf(type)[0]?.ackId, success: true });
    socket.push(ackOf("leaveGroup")); // one frame, three messages: no microtask runs between them
    socket.push(ackOf("joinGroup"));
    socket.push(fragOf("g", "after", 1));
    await Promise.all([leave, join]);
    socket.push({ ...fragOf("g", "after", 2), stream: { streamId: "after", streamSequenceId: 2, endOfStream: true } });
    expect(streams.map((s) => s.streamId)).toEqual(["before", "after"]);
    expect(await results[0]).toEqual({ data: ["before:1"], error: expect.objectContaining({ name: "LeftGroup" }) });
    expect(await results[1]).toEqual({ data: ["after:1", "after:2"] });
    await client.stop();
  });
});

// Rule: a received stream with no fragment for its subscription's idleTimeoutInMs (the service's 300000 ms unless
// given) ends with IdleTimeout; each fragment restarts the wait, and a stream that ended leaves no timer behind.
describe("onGroupStream: idle timeout", () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  /** A client without keepalive timers, so that the only timers are the received streams'. */
  const quiet = { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 };

  it("ends a stream silent for idleTimeoutInMs with IdleTimeout, not a millisecond before; each fragment restarts the wait", async () => {
    vi.useFakeTimers();
    const { client, socket, streams, results } = await subscribed({ idleTimeoutInMs: 1000 }, quiet);
    socket.push(frag(1));
    vi.advanceTimersByTime(999);
    socket.push(frag(2)); // restarts the wait: 999 ms more stay within it
    vi.advanceTimersByTime(999);
    expect(streams[0]?.abortSignal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(streams[0]?.abortSignal.aborted).toBe(true);
    const r = await results[0];
    expect(r?.data).toEqual(["d1", "d2"]);
    expect(r?.error).toBeInstanceOf(GroupStreamError);
    expect(r?.error).toMatchObject({ name: "IdleTimeout", message: "no fragment of the stream for 1000 ms" });
    expect(vi.getTimerCount()).toBe(0);
    const stopping = client.stop();
    await vi.advanceTimersByTimeAsync(10);
    await stopping;
  });

  it("waits 300000 ms when the subscription names no idle timeout", async () => {
    vi.useFakeTimers();
    const { client, socket, streams } = await subscribed({}, quiet);
    socket.push(frag(1));
    vi.advanceTimersByTime(299_999);
    expect(streams[0]?.abortSignal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(streams[0]?.abortSignal.reason).toMatchObject({ name: "IdleTimeout" });
    const stopping = client.stop();
    await vi.advanceTimersByTimeAsync(10);
    await stopping;
  });

  it("a callback that closes its subscription at once: the stream it was handed is done, takes nothing and leaves no idle timer behind", async () => {
    vi.useFakeTimers();
    const { client, socket } = await started(quiet);
    const read: Promise<{ data: unknown[]; error?: { name: string } }>[] = [];
    const subscription = onGroupStream(
      client,
      (stream) => {
        read.push(collect(stream));
        void subscription.close();
      },
      { idleTimeoutInMs: 1000 },
    );
    socket.push(frag(1));
    expect(read).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(await read[0]).toEqual({ data: [] });
    const stopping = client.stop();
    await vi.advanceTimersByTimeAsync(10);
    await stopping;
  });

  it("a stream that ended (its end, an error, the subscription's close) leaves no idle timer behind", async () => {
    vi.useFakeTimers();
    const { client, socket, results, subscription } = await subscribed({ idleTimeoutInMs: 1000 }, quiet);
    socket.push(frag(1));
    expect(vi.getTimerCount()).toBe(1);
    socket.push({ ...frag(2, ""), stream: { streamId: "s1", streamSequenceId: 2, endOfStream: true } });
    expect(vi.getTimerCount()).toBe(0);
    expect(await results[0]).toEqual({ data: ["d1"] });
    socket.push({ ...fragOf("g", "gap", 1) });
    socket.push({ ...fragOf("g", "gap", 3) }); // InvalidSequenceId
    socket.push({ ...fragOf("g", "open", 1) });
    expect(vi.getTimerCount()).toBe(1); // only the open stream's
    await subscription.close();
    expect(vi.getTimerCount()).toBe(0);
    const stopping = client.stop();
    await vi.advanceTimersByTimeAsync(10);
    await stopping;
  });
});

describe("onGroupStream: what a received stream hands its reader", () => {
  it("each fragment whole: group, publisher, the connection's sequenceId when the service numbered it, dataType, data, stream info", async () => {
    const { client, socket } = await started();
    const read: Promise<GroupStreamMessage[]>[] = [];
    const readAll = async (stream: GroupStream) => {
      const fragments: GroupStreamMessage[] = [];
      for await (const fragment of stream) fragments.push(fragment);
      return fragments;
    };
    await client.onGroupStream((stream) => void read.push(readAll(stream))).ready;
    socket.push({ ...frag(1), sequenceId: 1 });
    socket.push({ ...frag(2, "last"), stream: { streamId: "s1", streamSequenceId: 2, endOfStream: true } });
    const got = await (read[0] as Promise<GroupStreamMessage[]>);
    expect(got).toEqual([
      {
        groupName: "g",
        fromUserId: "pub",
        sequenceId: 1,
        dataType: "text",
        data: "d1",
        stream: { streamId: "s1", streamSequenceId: 1 },
      },
      // the final fragment's data is delivered; a fragment the service did not number has no sequenceId field
      {
        groupName: "g",
        fromUserId: "pub",
        dataType: "text",
        data: "last",
        stream: { streamId: "s1", streamSequenceId: 2, endOfStream: true },
      },
    ]);
    expect(Object.hasOwn(got[1] as object, "sequenceId")).toBe(false);
    await client.stop();
  });

  // Rule: a final fragment without data (empty text, none at all, JSON null, empty binary whichever binaryType hands
  // it over) only ends the stream; with data it is delivered, then the stream ends.
  it.each(["uint8array", "arraybuffer"] as const)(
    "an empty final fragment only ends the stream; one with data is delivered (binaryType %s)",
    async (binaryType) => {
      const { client, socket, results } = await subscribed({}, { binaryType });
      const end = (streamId: string, payload: object) => socket.push(onlyFragment(streamId, payload));
      end("empty text", { dataType: "text", data: "" });
      end("no data", { dataType: "text" });
      end("null", { dataType: "json", data: null });
      end("empty binary", { dataType: "binary", data: "" });
      end("binary", { dataType: "binary", data: "AQID" });
      end("text", { dataType: "text", data: "t" });
      const all = await Promise.all(results);
      expect(all.slice(0, 4)).toEqual([{ data: [] }, { data: [] }, { data: [] }, { data: [] }]);
      const bytes = all[4]?.data[0];
      expect(bytes).toBeInstanceOf(binaryType === "arraybuffer" ? ArrayBuffer : Uint8Array);
      expect([...new Uint8Array(bytes as ArrayBuffer)]).toEqual([1, 2, 3]);
      expect(all[5]).toEqual({ data: ["t"] });
      await client.stop();
    },
  );

  it("a gap and a repeat are told apart in the error's message", async () => {
    const { client, socket, results } = await subscribed();
    socket.push(fragOf("g", "gap", 1));
    socket.push(fragOf("g", "gap", 3));
    socket.push(fragOf("g", "repeat", 1));
    socket.push(fragOf("g", "repeat", 2));
    socket.push(fragOf("g", "repeat", 2));
    const [gap, repeat] = await Promise.all(results);
    expect(gap?.error).toMatchObject({
      name: "InvalidSequenceId",
      message: "fragment 3 of the stream arrived while 2 was expected",
    });
    expect(repeat?.error).toMatchObject({
      name: "InvalidSequenceId",
      message: "fragment 2 of the stream arrived again",
    });
    expect(repeat?.data).toEqual(["repeat:1", "repeat:2"]);
    await client.stop();
  });

  it("groupNames takes the named groups' streams and only those", async () => {
    const { client, socket, streams } = await subscribed({ groupNames: ["g", "g2"] });
    socket.push(fragOf("other", "s", 1));
    socket.push(fragOf("g2", "s", 1));
    socket.push(fragOf("g", "s", 1));
    expect(streams.map((s) => s.groupName)).toEqual(["g2", "g"]);
    await client.stop();
  });

  it("a callback that throws or rejects is logged; its stream and the others go on", async () => {
    const warnings: string[] = [];
    const spy = vi.spyOn(logger, "warning").mockImplementation((line) => void warnings.push(line));
    try {
      const { client, socket } = await started();
      const seen: string[] = [];
      await client.onGroupStream((stream) => {
        seen.push(stream.streamId);
        if (stream.streamId === "throws") throw new Error("sync failure");
        if (stream.streamId === "rejects") return Promise.reject(new Error("async failure"));
        return undefined;
      }).ready;
      socket.push(fragOf("g", "throws", 1));
      socket.push(fragOf("g", "rejects", 1));
      socket.push(fragOf("g", "throws", 2));
      socket.push(fragOf("g", "fine", 1));
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(seen).toEqual(["throws", "rejects", "fine"]); // the throwing callback's stream is still active
      expect(warnings.filter((w) => w.startsWith("A group stream callback failed: "))).toEqual([
        expect.stringContaining("sync failure"),
        expect.stringContaining("async failure"),
      ]);
      await client.stop();
    } finally {
      spy.mockRestore();
    }
  });

  it("stop() ends the received streams with Stopped; a dropped connection (no recovery) with ConnectionLost", async () => {
    const first = await subscribed();
    first.socket.push(frag(1));
    await first.client.stop();
    expect((await first.results[0])?.error).toMatchObject({ name: "Stopped", message: "the client stopped" });
    const second = await subscribed({}, { protocol: "json" });
    second.socket.push(frag(1));
    const disconnected = nextEvent(second.client, "disconnected");
    second.socket.serverClose(1006);
    await disconnected;
    expect((await second.results[0])?.error).toMatchObject({
      name: "ConnectionLost",
      message: "the connection was lost",
    });
    await second.client.stop();
  });

  it("disposing the subscription (await using) closes it", async () => {
    const { client, socket, streams, results, subscription } = await subscribed();
    socket.push(frag(1));
    await subscription[Symbol.asyncDispose]();
    expect(subscription.isActive).toBe(false);
    expect(await results[0]).toEqual({ data: ["d1"] });
    socket.push(fragOf("g", "later", 1));
    expect(streams).toHaveLength(1);
    await client.stop();
  });

  it("remembers an ignored stream until its end arrives, and nothing for a stream whose ignored fragment is its end", async () => {
    const { client, socket } = await started();
    const streams: GroupStream[] = [];
    const subscription = onGroupStream(client, (stream) => void streams.push(stream), { handleFromStart: true });
    socket.push(fragOf("g", "mid", 2));
    expect(subscription.ignoredCount).toBe(1);
    socket.push(fragOf("g", "mid", 3)); // not its end: still remembered
    expect(subscription.ignoredCount).toBe(1);
    socket.push({ ...fragOf("g", "mid", 4), stream: { streamId: "mid", streamSequenceId: 4, endOfStream: true } });
    expect(subscription.ignoredCount).toBe(0);
    // first seen at its end: nothing follows it, nothing to remember
    socket.push({ ...fragOf("g", "ended", 4), stream: { streamId: "ended", streamSequenceId: 4, endOfStream: true } });
    expect(subscription.ignoredCount).toBe(0);
    // a gap whose fragment is the end: the stream fails and nothing is remembered
    socket.push(fragOf("g", "gap", 1));
    socket.push({ ...fragOf("g", "gap", 3), stream: { streamId: "gap", streamSequenceId: 3, endOfStream: true } });
    expect(subscription.ignoredCount).toBe(0);
    expect(streams[0]?.abortSignal.reason).toMatchObject({ name: "InvalidSequenceId" });
    await client.stop();
  });
});

describe("onGroupStream: what is a stream, and how one ends for its reader", () => {
  it("group messages without stream metadata and server messages are not streams: their listeners get them and no stream starts", async () => {
    const { client, socket, streams } = await subscribed();
    const seen: unknown[] = [];
    client.on("group-message", (e) => seen.push(e.message.data));
    client.on("server-message", (e) => seen.push(e.message.data));
    socket.push({ type: "message", from: "group", group: "g", fromUserId: "pub", dataType: "text", data: "plain" });
    socket.push({ type: "message", from: "server", dataType: "text", data: "server" });
    socket.push(frag(1));
    expect(seen).toEqual(["plain", "server", "d1"]);
    expect(streams.map((s) => s.streamId)).toEqual(["s1"]);
    await client.stop();
  });

  it("a reader waiting for the next fragment when the stream ends is told the stream is done, not failed", async () => {
    const { client, socket } = await started();
    const iterators: AsyncIterator<GroupStreamMessage>[] = [];
    await client.onGroupStream((stream) => void iterators.push(stream[Symbol.asyncIterator]())).ready;
    socket.push(frag(1));
    const iterator = iterators[0] as AsyncIterator<GroupStreamMessage>;
    expect((await iterator.next()).value?.data).toBe("d1");
    const waiting = iterator.next(); // nothing buffered: it waits
    socket.push({ ...frag(2, ""), stream: { streamId: "s1", streamSequenceId: 2, endOfStream: true } });
    expect(await waiting).toEqual({ done: true, value: undefined });
    await client.stop();
  });

  it("a final JSON fragment is delivered whatever its fields (an object with byteLength 0 is data); one without data only ends the stream", async () => {
    const { client, socket, results } = await subscribed();
    const end = (streamId: string, payload: object) => socket.push(onlyFragment(streamId, payload));
    end("object", { dataType: "json", data: { byteLength: 0 } });
    end("none", { dataType: "json" });
    expect(await Promise.all(results)).toEqual([{ data: [{ byteLength: 0 }] }, { data: [] }]);
    await client.stop();
  });

  it("closing the subscription from a stream's abort listener does not change how that stream ended", async () => {
    const { client, socket } = await started({ protocol: "json" });
    const read: Promise<{ data: unknown[]; error?: { name: string } }>[] = [];
    const subscription = onGroupStream(
      client,
      (stream) => {
        read.push(collect(stream));
        stream.abortSignal.addEventListener("abort", () => void subscription.close()); // stop listening once it fails
      },
      {},
    );
    socket.push(frag(1));
    const disconnected = nextEvent(client, "disconnected");
    socket.serverClose(1006);
    await disconnected;
    expect(subscription.isActive).toBe(false);
    expect(await read[0]).toEqual({ data: ["d1"], error: expect.objectContaining({ name: "ConnectionLost" }) });
    await client.stop();
  });

  it("a lost connection forgets every stream of the subscription: the same ids on the next connection start new streams, whether they were active or ignored", async () => {
    const { server, client, socket, streams, results } = await subscribed({}, { protocol: "json" });
    socket.push(fragOf("g", "active", 1));
    socket.push(fragOf("g", "ignored", 1));
    socket.push(fragOf("g", "ignored", 3)); // InvalidSequenceId: the rest of it is ignored
    const connected = nextEvent(client, "connected");
    socket.serverClose(1006);
    const s2 = await server.socket(1);
    s2.connected("conn2", undefined);
    await connected;
    expect((await results[0])?.error).toMatchObject({ name: "ConnectionLost" });
    s2.push(fragOf("g", "active", 1));
    s2.push(fragOf("g", "ignored", 4));
    expect(streams.map((s) => s.streamId)).toEqual(["active", "ignored", "active", "ignored"]);
    expect(streams[2]?.abortSignal.aborted).toBe(false);
    await client.stop();
  });
});

// Rule: the subscription onGroupStream returns is active until closed (close() or disposing it, once or more): closing
// ends its streams and forgets it, so later fragments are not handed to it.
describe("onGroupStream: the subscription", () => {
  it("is active until close(); close() ends its streams and forgets it; a second close() changes nothing; disposing closes it", async () => {
    const { client, socket } = await started();
    const streams: GroupStream[] = [];
    const subscription = onGroupStream(client, (stream) => void streams.push(stream), {});
    expect(subscription.isActive).toBe(true);
    socket.push(frag(1));
    const handed = vi.spyOn(subscription as unknown as { handle(message: unknown): void }, "handle");
    await subscription.close();
    expect(subscription.isActive).toBe(false);
    expect(streams[0]?.abortSignal.aborted).toBe(true);
    socket.push(frag(2));
    socket.push(fragOf("g", "later", 1));
    expect(handed).not.toHaveBeenCalled();
    await subscription.close();
    expect(subscription.isActive).toBe(false);
    const disposed = onGroupStream(client, (stream) => void streams.push(stream), {});
    await disposed[Symbol.asyncDispose]();
    expect(disposed.isActive).toBe(false);
    socket.push(fragOf("g", "after", 1));
    expect(streams).toHaveLength(1);
    await client.stop();
  });
});
