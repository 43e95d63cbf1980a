// openGroupStream: the exact frames, acks and nacks, backpressure, keepalive, recovery and replacement.
import { afterEach, describe, expect, it, vi } from "vitest";
import { AbortError, GroupStreamError } from "../../src/index.ts";
import { logger } from "../../src/logger.ts";
import { MAX_UNACKED_BYTES, MAX_UNACKED_FRAGMENTS } from "../../src/outbound-stream.ts";
import { openGroupStream } from "../../src/outbound-streams.ts";
import { nextEvent } from "../fake-socket.ts";
import { opened, openStream } from "./opened.ts";
import { recoverOn, started } from "./started.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("openGroupStream", () => {
  it("writes a start frame without payload or ackId and resolves only after streamAck 1", async () => {
    const { client, socket } = await started();
    let resolved = false;
    const writer = client.openGroupStream("g", { streamId: "s1", noEcho: true, idleTimeoutInMs: 5000 }).then((w) => {
      resolved = true;
      return w;
    });
    const start = await socket.waitForFrame((f) => f.type === "sendToGroup");
    expect(start).toEqual({
      type: "sendToGroup",
      group: "g",
      noEcho: true,
      stream: { streamId: "s1", idleTimeoutMs: 5000 },
    });
    socket.push({ type: "streamAck", streamId: "other", expectedSequenceId: 1 });
    await Promise.resolve();
    expect(resolved).toBe(false);
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 1 });
    expect((await writer).streamId).toBe("s1");
    await client.stop();
  });

  it("a refused start (streamClosed Forbidden) rejects with a GroupStreamError named Forbidden", async () => {
    const { client, socket } = await started();
    const writer = client.openGroupStream("g", { streamId: "s1" });
    await socket.waitForFrame((f) => f.type === "sendToGroup");
    socket.push({ type: "streamClosed", streamId: "s1", error: { name: "Forbidden", message: "no role" } });
    const error = await writer.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GroupStreamError);
    expect(error).toMatchObject({ name: "Forbidden", streamId: "s1" });
    await client.stop();
  });

  it("fragments carry per-stream sequence ids from 1; end writes streamEnd after them and resolves on streamClosed", async () => {
    const { client, socket, writer } = await opened();
    await writer.write("a", "text");
    await writer.write({ b: 1 }, "json");
    const ended = writer.end();
    expect(socket.frames.filter((f) => f.streamId === "s1")).toEqual([
      { type: "streamData", streamId: "s1", streamSequenceId: 1, dataType: "text", data: "a" },
      { type: "streamData", streamId: "s1", streamSequenceId: 2, dataType: "json", data: { b: 1 } },
      { type: "streamEnd", streamId: "s1" },
    ]);
    await expect(writer.write("late", "text")).rejects.toThrow(/ending/);
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 3 });
    socket.push({ type: "streamClosed", streamId: "s1" });
    await ended;
    await client.stop();
  });

  it("abort(error) sends streamEnd with the application error", async () => {
    const { client, socket, writer } = await opened();
    const aborted = writer.abort({ message: "bad input", userErrorCode: "E1" });
    expect(socket.frames.at(-1)).toEqual({
      type: "streamEnd",
      streamId: "s1",
      error: { message: "bad input", userErrorCode: "E1" },
    });
    socket.push({ type: "streamClosed", streamId: "s1" });
    await aborted;
    await client.stop();
  });

  it("streamNack rewinds: every fragment from expectedSequenceId is written again, in order", async () => {
    const { client, socket, writer } = await opened();
    for (const x of ["a", "b", "c"]) await writer.write(x, "text");
    socket.push({ type: "streamNack", streamId: "s1", expectedSequenceId: 2, name: "InvalidSequenceId" });
    const ids = socket.framesOf("streamData").map((f) => f.streamSequenceId);
    expect(ids).toEqual([1, 2, 3, 2, 3]);
    await client.stop();
  });

  it("the nacks of every fragment written past a gap rewind once; a nack naming another id rewinds again", async () => {
    const { client, socket, writer } = await opened();
    for (const x of ["a", "b", "c", "d", "e"]) await writer.write(x, "text");
    // fragment 2 was lost: the service nacks 3, 4 and 5, each naming 2
    for (let i = 0; i < 3; i++)
      socket.push({ type: "streamNack", streamId: "s1", expectedSequenceId: 2, name: "InvalidSequenceId" });
    expect(socket.framesOf("streamData").map((f) => f.streamSequenceId)).toEqual([1, 2, 3, 4, 5, 2, 3, 4, 5]);
    socket.push({ type: "streamNack", streamId: "s1", expectedSequenceId: 4, name: "InvalidSequenceId" });
    expect(socket.framesOf("streamData").map((f) => f.streamSequenceId)).toEqual([1, 2, 3, 4, 5, 2, 3, 4, 5, 4, 5]);
    await client.stop();
  });

  it("an ack beyond what was sent fails the stream (the two sides disagree) and onError hears it", async () => {
    const { client, socket, writer } = await opened();
    await writer.write("a", "text");
    const errors: unknown[] = [];
    writer.onError((e) => errors.push(e.name));
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 5 });
    expect(errors).toEqual(["InvalidSequenceId"]);
    await expect(writer.write("b", "text")).rejects.toThrow(/closed/);
    await client.stop();
  });

  it("an onError listener that throws is logged with a bounded text of its error, never the whole message", async () => {
    const warnings: string[] = [];
    const spy = vi.spyOn(logger, "warning").mockImplementation((line) => void warnings.push(line));
    try {
      const { client, socket, writer } = await opened();
      await writer.write("a", "text");
      writer.onError(() => {
        throw new Error(`huge${"h".repeat(100_000)}`);
      });
      socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 5 });
      const line = warnings.find((w) => w.startsWith("A stream onError listener threw: Error: hugehhh"));
      expect(line).toBeDefined();
      expect(line!.length).toBeLessThan(1000);
      await client.stop();
    } finally {
      spy.mockRestore();
    }
  });

  it(`writes wait while ${MAX_UNACKED_FRAGMENTS} fragments are unacknowledged and go on when an ack frees room`, async () => {
    const { client, socket, writer } = await opened();
    for (let i = 0; i < MAX_UNACKED_FRAGMENTS; i++) await writer.write(`f${i}`, "text");
    let done = false;
    const blocked = writer.write("one more", "text").then(() => {
      done = true;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    expect(socket.framesOf("streamData")).toHaveLength(MAX_UNACKED_FRAGMENTS);
    const controller = new AbortController();
    const aborted = writer.write("aborted", "text", { abortSignal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: "AbortError" });
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 2 });
    await blocked;
    expect(socket.framesOf("streamData").at(-1)).toMatchObject({ streamSequenceId: MAX_UNACKED_FRAGMENTS + 1 });
    await client.stop();
  });

  // Rule: the unacknowledged fragments' frames hold at most MAX_UNACKED_BYTES bytes, counted in UTF-8 as the socket
  // writes them, except one larger fragment, which goes in alone; a write that does not fit waits (backpressure) until
  // acks free room.
  describe(`the byte bound (${MAX_UNACKED_BYTES} UTF-8 bytes of encoded frames)`, () => {
    const encoder = new TextEncoder();
    /** The UTF-8 bytes of the text the client writes for fragment `n` of s1 with text `data` (as core's encoder orders
     * the fields). */
    const frameBytes = (n: number, data: string) =>
      encoder.encode(
        JSON.stringify({ type: "streamData", streamId: "s1", streamSequenceId: n, dataType: "text", data }),
      ).length;
    const dataCount = (socket: { framesOf(type: string): unknown[] }) => socket.framesOf("streamData").length;

    // Text of 1, 2, 3 and 4 UTF-8 bytes a character: the bound counts bytes, not UTF-16 units (a fragment of "é" text
    // holds twice as many bytes as characters, and must wait where its characters alone would fit).
    it.each([
      ["a", 0, "goes in at once"],
      ["a", 1, "waits until an ack frees room"],
      ["é", 0, "goes in at once"],
      ["é", 1, "waits until an ack frees room"],
      ["中", 0, "goes in at once"],
      ["中", 1, "waits until an ack frees room"],
      ["😀", 0, "goes in at once"],
      ["😀", 1, "waits until an ack frees room"],
    ])("a write of %s text that brings the buffer to the bound plus %i byte %s", async (char, over, _) => {
      const { client, socket, writer } = await opened();
      const first = char.repeat(1000);
      await writer.write(first, "text");
      const room = MAX_UNACKED_BYTES - frameBytes(1, first);
      // `char` as often as it fits in the room left, then ASCII up to exactly `over` bytes past the bound
      const dataBytes = room - frameBytes(2, "") + over;
      const perChar = encoder.encode(char).length;
      const count = Math.floor(dataBytes / perChar);
      const second = char.repeat(count) + "b".repeat(dataBytes - count * perChar);
      expect(frameBytes(2, second)).toBe(room + over);
      const write = writer.write(second, "text");
      expect(dataCount(socket)).toBe(over === 0 ? 2 : 1); // written within the call, or not
      if (over === 1) {
        socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 2 });
        expect(dataCount(socket)).toBe(2);
      }
      await write;
      expect(encoder.encode(socket.sent.at(-1) as string).length).toBe(room + over);
      await client.stop();
    });

    it("a fragment larger than the bound waits for the buffer to empty and goes in alone; the next waits for its ack", async () => {
      const { client, socket, writer } = await opened();
      await writer.write("a", "text");
      const big = writer.write("x".repeat(MAX_UNACKED_BYTES), "text");
      expect(dataCount(socket)).toBe(1);
      socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 2 });
      await big;
      expect(dataCount(socket)).toBe(2);
      const next = writer.write("n", "text");
      expect(dataCount(socket)).toBe(2);
      socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 3 });
      await next;
      expect(socket.framesOf("streamData").map((f) => [f.streamSequenceId, String(f.data).length])).toEqual([
        [1, 1],
        [2, MAX_UNACKED_BYTES],
        [3, 1],
      ]);
      await client.stop();
    });

    it("aborting a waiting write that did not fit lets a smaller one behind it in, with the sequence id it would have taken", async () => {
      const { client, socket, writer } = await opened();
      await writer.write("a".repeat(MAX_UNACKED_BYTES / 2), "text");
      const controller = new AbortController();
      const big = writer.write("b".repeat(MAX_UNACKED_BYTES / 2), "text", { abortSignal: controller.signal });
      const small = writer.write("c", "text");
      expect(dataCount(socket)).toBe(1);
      controller.abort();
      await expect(big).rejects.toMatchObject({ name: "AbortError" });
      await small;
      expect(socket.framesOf("streamData").at(-1)).toMatchObject({ streamSequenceId: 2, data: "c" });
      await client.stop();
    });

    it("a waiting write that went in no longer listens to its signal: aborting it later leaves the writes behind it alone", async () => {
      const { client, socket, writer } = await opened();
      await writer.write("a".repeat(MAX_UNACKED_BYTES - 200), "text");
      const controller = new AbortController();
      const first = writer.write("b".repeat(100), "text", { abortSignal: controller.signal });
      const second = writer.write("c".repeat(MAX_UNACKED_BYTES - 200), "text");
      socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 2 }); // first goes in; second still waits
      await first;
      controller.abort();
      socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 3 });
      expect(socket.framesOf("streamData").map((f) => f.streamSequenceId)).toEqual([1, 2, 3]);
      await second;
      await client.stop();
    });

    it("stop() rejects the writes still waiting: the stream is closed", async () => {
      const { client, writer } = await opened();
      await writer.write("a".repeat(MAX_UNACKED_BYTES), "text");
      const waiting = writer.write("b", "text");
      await client.stop();
      await expect(waiting).rejects.toThrow(/closed/);
    });

    it("acks give back the room of the fragments they drop, and only theirs; a nack keeps it", async () => {
      const { client, socket, writer } = await opened();
      const quarter = "q".repeat(MAX_UNACKED_BYTES / 4 - 100);
      for (let i = 0; i < 4; i++) await writer.write(quarter, "text");
      const fifth = writer.write("f".repeat(MAX_UNACKED_BYTES / 4 + 1000), "text"); // fits beside two quarters, not three
      expect(dataCount(socket)).toBe(4);
      socket.push({ type: "streamNack", streamId: "s1", expectedSequenceId: 1, name: "TransientError" });
      expect(dataCount(socket)).toBe(8); // the four again, and still no room
      socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 2 });
      expect(dataCount(socket)).toBe(8); // three quarters left: still no room
      socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 3 });
      await fifth;
      expect(socket.framesOf("streamData").at(-1)).toMatchObject({ streamSequenceId: 5 });
      await client.stop();
    });
  });

  it("end() goes out after writes still waiting for room, which are written, not refused (as the official client)", async () => {
    const { client, socket, writer } = await opened();
    for (let i = 0; i < MAX_UNACKED_FRAGMENTS; i++) await writer.write(`f${i}`, "text");
    const waiting = [writer.write("w1", "text"), writer.write("w2", "text")];
    const controller = new AbortController();
    const given = writer.write("given up", "text", { abortSignal: controller.signal });
    const ended = writer.end();
    await expect(writer.write("after end", "text")).rejects.toThrow(/ending/);
    expect(socket.framesOf("streamEnd")).toEqual([]); // not before w1 and w2
    controller.abort();
    await expect(given).rejects.toMatchObject({ name: "AbortError" });
    expect(socket.framesOf("streamEnd")).toEqual([]);
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 3 }); // room for two
    await Promise.all(waiting);
    const tail = socket.frames.filter((f) => f.streamId === "s1").slice(-3);
    expect(tail).toEqual([
      { type: "streamData", streamId: "s1", streamSequenceId: MAX_UNACKED_FRAGMENTS + 1, dataType: "text", data: "w1" },
      { type: "streamData", streamId: "s1", streamSequenceId: MAX_UNACKED_FRAGMENTS + 2, dataType: "text", data: "w2" },
      { type: "streamEnd", streamId: "s1" },
    ]);
    socket.push({ type: "streamClosed", streamId: "s1" });
    await ended;
    await client.stop();
  });

  it("an aborted waiting write lets the end go out when it was the last one waiting", async () => {
    const { client, socket, writer } = await opened();
    for (let i = 0; i < MAX_UNACKED_FRAGMENTS; i++) await writer.write(`f${i}`, "text");
    const controller = new AbortController();
    const given = writer.write("given up", "text", { abortSignal: controller.signal });
    void writer.end().catch(() => {});
    expect(socket.framesOf("streamEnd")).toEqual([]);
    controller.abort();
    await expect(given).rejects.toMatchObject({ name: "AbortError" });
    expect(socket.framesOf("streamEnd")).toEqual([{ type: "streamEnd", streamId: "s1" }]);
    await client.stop();
  });

  it("pauses during a recovery and resumes with the unacknowledged fragments, in order", async () => {
    const { server, client, socket, writer } = await opened();
    for (const x of ["a", "b", "c"]) await writer.write(x, "text");
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 2 });
    const recovered = nextEvent(client, "recovered");
    socket.serverClose(1006);
    await writer.write("d", "text"); // buffered while recovering
    const s2 = await recoverOn(server, 1);
    await recovered;
    expect(s2.framesOf("streamData").map((f) => f.streamSequenceId)).toEqual([2, 3, 4]);
    await client.stop();
  });

  it("a new connection replacing the old one fails every open stream with ConnectionLost", async () => {
    const { client, socket, writer } = await opened({ protocol: "json" });
    const errors: string[] = [];
    writer.onError((e) => errors.push(e.name));
    const disconnected = nextEvent(client, "disconnected");
    socket.serverClose(1006);
    await disconnected;
    expect(errors).toEqual(["ConnectionLost"]);
    await expect(writer.write("x", "text")).rejects.toThrow(/closed/);
    await client.stop();
  });

  it("sends a keepalive (streamData with only streamId) before the idle timeout when nothing is written", async () => {
    vi.useFakeTimers();
    const { client, socket, writer } = await opened({ keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 }, 3000);
    await writer.write("a", "text");
    vi.advanceTimersByTime(999);
    expect(socket.frames.filter((f) => f.type === "streamData" && f.streamSequenceId === undefined)).toEqual([]);
    vi.advanceTimersByTime(1); // a third of the 3000 ms idle timeout without a write
    expect(socket.frames.filter((f) => f.type === "streamData" && f.streamSequenceId === undefined)).toEqual([
      { type: "streamData", streamId: "s1" },
    ]);
    const stopped = client.stop();
    await vi.advanceTimersByTimeAsync(10);
    await stopped;
  });

  it("a refused write names the stream by its first 64 characters (core's shown), a short id whole", async () => {
    const { client, socket } = await started();
    const open = async (streamId: string) => {
      const writer = await openStream({ client, socket }, streamId);
      void writer.end().catch(() => {});
      return (await writer.write("late", "text").catch((e: unknown) => e)) as Error;
    };
    const long = `L${"x".repeat(255)}`; // the longest id accepted
    expect((await open(long)).message).toBe(`Stream "L${"x".repeat(63)}"... is ending: nothing more can be written`);
    expect((await open("short")).message).toBe('Stream "short" is ending: nothing more can be written');
    await client.stop();
  });

  it("fragments take their sequence ids in write() order: a write made as room frees up does not pass one waiting", async () => {
    const { client, socket, writer } = await opened();
    for (let i = 0; i < MAX_UNACKED_FRAGMENTS; i++) await writer.write(`f${i}`, "text");
    const waiting = writer.write("first", "text"); // the buffer is full: it waits
    // An ack frees room and, before the waiting write went on, more is written (Node's ws emits the frames of one
    // read in the same tick, so a message listener may write right after the ack was handled).
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 3 }); // room for two
    const second = writer.write("second", "text");
    await Promise.all([waiting, second]);
    const tail = socket.framesOf("streamData").slice(-2);
    expect(tail.map((f) => [f.streamSequenceId, f.data])).toEqual([
      [MAX_UNACKED_FRAGMENTS + 1, "first"],
      [MAX_UNACKED_FRAGMENTS + 2, "second"],
    ]);
    // with room and no write waiting, a write goes out at once
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: MAX_UNACKED_FRAGMENTS + 3 });
    await writer.write("third", "text");
    expect(socket.framesOf("streamData").at(-1)).toMatchObject({ streamSequenceId: MAX_UNACKED_FRAGMENTS + 3 });
    await client.stop();
  });

  it("a stream failed because the service's ack is out of range is ended there too (streamEnd, ProtocolViolation), as the official client does", async () => {
    const { client, socket, writer } = await opened();
    await writer.write("a", "text");
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 2 }); // in range: nothing ends
    expect(socket.framesOf("streamEnd")).toEqual([]);
    await writer.write("b", "text");
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 9 }); // the two sides disagree
    expect(socket.framesOf("streamEnd")).toEqual([
      {
        type: "streamEnd",
        streamId: "s1",
        error: {
          message: "the service expects fragment 9, outside the buffered 2..2",
          userErrorCode: "ProtocolViolation",
        },
      },
    ]);
    await expect(writer.write("c", "text")).rejects.toThrow(/closed/);
    socket.push({ type: "streamClosed", streamId: "s1" }); // the service's answer is ignored: the stream is gone here
    await client.stop();
  });

  it("a fragment that cannot be encoded (a cycle, a nested BigInt) is refused before it takes a sequence id; the stream goes on", async () => {
    const { client, socket, writer } = await opened();
    await writer.write({ ok: 1 }, "json");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(writer.write(cyclic, "json")).rejects.toThrow(TypeError);
    await expect(writer.write({ n: 1n }, "json")).rejects.toThrow(TypeError);
    await writer.write("next", "text");
    expect(socket.framesOf("streamData").map((f) => [f.streamSequenceId, f.data])).toEqual([
      [1, { ok: 1 }],
      [2, "next"],
    ]);
    // one that must wait for room is refused too (its copy is taken at the call), and the next waiting one goes in
    for (let i = 2; i < MAX_UNACKED_FRAGMENTS; i++) await writer.write(`f${i}`, "text");
    const bad = writer.write(cyclic, "json");
    const good = writer.write("good", "text");
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 2 });
    await expect(bad).rejects.toThrow(TypeError);
    await good;
    expect(socket.framesOf("streamData").at(-1)).toMatchObject({
      streamSequenceId: MAX_UNACKED_FRAGMENTS + 1,
      data: "good",
    });
    await client.stop();
  });

  it("a fragment is what was written at the write() call: a buffer or object changed afterwards does not change a replay", async () => {
    const { server, client, socket, writer } = await opened();
    const bytes = new Uint8Array([1, 2, 3]);
    await writer.write(bytes, "binary");
    bytes.set([9, 9, 9]); // the caller reuses its buffer once the write resolved
    socket.push({ type: "streamNack", streamId: "s1", expectedSequenceId: 1, name: "TransientError" });
    const replayed = socket.framesOf("streamData").map((f) => f.data);
    expect(replayed).toEqual(["AQID", "AQID"]); // base64 of 1, 2, 3 both times
    // written while recovering (buffered, not on the wire yet), then changed
    const recovered = nextEvent(client, "recovered");
    socket.serverClose(1006);
    const state = { progress: 1 };
    await writer.write(state, "json");
    state.progress = 2;
    await writer.write(state, "json");
    const s2 = await recoverOn(server, 1);
    await recovered;
    expect(s2.framesOf("streamData").map((f) => f.data)).toEqual(["AQID", { progress: 1 }, { progress: 2 }]);
    await client.stop();
  });

  it("a write that waits for room sends its data as it was at the call, not as the caller changed it while it waited", async () => {
    const { client, socket, writer } = await opened();
    for (let i = 0; i < MAX_UNACKED_FRAGMENTS; i++) await writer.write(`f${i}`, "text");
    const bytes = new Uint8Array([1, 2, 3]);
    const state = { progress: 1, done: [] as number[] };
    const waiting = [writer.write(bytes, "binary"), writer.write(state, "json")];
    bytes.set([9, 9, 9]);
    state.progress = 2;
    state.done.push(1);
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 3 });
    await Promise.all(waiting);
    expect(
      socket
        .framesOf("streamData")
        .slice(-2)
        .map((f) => f.data),
    ).toEqual(["AQID", { progress: 1, done: [] }]);
    await client.stop();
  });

  // Rule: openGroupStream's abortSignal ends the wait for the service's streamAck as the other operations' signals end
  // theirs (an AbortError whose cause is the signal's reason); the stream is then over here and, if its start was
  // written, at the service too. Once the open resolved, the signal does nothing.
  describe("abortSignal", () => {
    const expectAbort = (error: unknown, reason: unknown) => {
      expect(error).toBeInstanceOf(AbortError);
      expect((error as Error).cause).toBe(reason);
    };

    it("aborted before the call: rejects with its AbortError and writes nothing; a non-signal is a TypeError", async () => {
      const { client, socket } = await started();
      const reason = new Error("gave up");
      expectAbort(
        await client.openGroupStream("g", { abortSignal: AbortSignal.abort(reason) }).catch((e) => e),
        reason,
      );
      await expect(client.openGroupStream("g", { abortSignal: "no" as never })).rejects.toThrow(/abortSignal/);
      expect(socket.framesOf("sendToGroup")).toEqual([]);
      await client.stop();
    });

    it("while the start waits for its ack: rejects, ends the stream at the service, and keeps its id until the service's streamClosed", async () => {
      const { client, socket } = await started();
      const controller = new AbortController();
      const opening = client.openGroupStream("g", { streamId: "s1", abortSignal: controller.signal });
      await socket.waitForFrame((f) => f.type === "sendToGroup");
      const reason = new Error("too slow");
      controller.abort(reason);
      expectAbort(await opening.catch((e) => e), reason);
      expect(socket.framesOf("streamEnd")).toEqual([{ type: "streamEnd", streamId: "s1" }]);
      // the service's answers to the given-up stream: its ack is ignored; its streamClosed frees the id
      socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 1 });
      await expect(client.openGroupStream("g", { streamId: "s1" })).rejects.toThrow(/already open/);
      socket.push({ type: "streamClosed", streamId: "s1" });
      const again = client.openGroupStream("g", { streamId: "s1" });
      await socket.waitForFrame(() => socket.framesOf("sendToGroup").length === 2);
      socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 1 });
      expect((await again).streamId).toBe("s1");
      await client.stop();
    });

    it("while the start is not written yet (recovering): rejects, the id is free at once, and nothing is written once recovered", async () => {
      const { server, client, socket } = await started();
      const recovering = nextEvent(client, "recovering");
      socket.serverClose(1006);
      await recovering;
      const controller = new AbortController();
      // (the feature module's function: the open waits for its ack, not for the module to load, when the abort comes)
      const opening = openGroupStream(client, "g", { streamId: "s1", abortSignal: controller.signal });
      controller.abort();
      expect(await opening.catch((e) => e)).toBeInstanceOf(AbortError);
      const next = client.openGroupStream("g", { streamId: "s1" }); // free: no "already open"
      const s2 = await recoverOn(server, 1);
      await s2.waitForFrame((f) => f.type === "sendToGroup");
      expect(s2.framesOf("sendToGroup")).toHaveLength(1);
      expect(s2.framesOf("streamEnd")).toEqual([]);
      s2.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 1 });
      await next;
      await client.stop();
    });

    it("a stream given up whose session ends frees its id (a new connection)", async () => {
      const { server, client, socket } = await started({ protocol: "json" });
      const controller = new AbortController();
      const opening = client.openGroupStream("g", { streamId: "s1", abortSignal: controller.signal });
      await socket.waitForFrame((f) => f.type === "sendToGroup");
      controller.abort();
      await opening.catch(() => {});
      const connected = nextEvent(client, "connected");
      socket.serverClose(1006);
      (await server.socket(1)).connected("conn2");
      await connected;
      const again = client.openGroupStream("g", { streamId: "s1" });
      const s2 = server.last;
      await s2.waitForFrame((f) => f.type === "sendToGroup");
      s2.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 1 });
      expect((await again).streamId).toBe("s1");
      await client.stop();
    });

    it("an abort once the open resolved does nothing to the stream", async () => {
      const { client, socket } = await started();
      const controller = new AbortController();
      const opening = client.openGroupStream("g", { streamId: "s1", abortSignal: controller.signal });
      await socket.waitForFrame((f) => f.type === "sendToGroup");
      socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 1 });
      controller.abort(); // in the same tick as the ack, before the open's promise settled
      const writer = await opening;
      await writer.write("x", "text");
      expect(socket.framesOf("streamData")).toHaveLength(1);
      expect(socket.framesOf("streamEnd")).toEqual([]);
      await client.stop();
    });
  });

  // Rule: client.openGroupStream takes its options at the call, although its module loads (a microtask or more) later.
  it("client.openGroupStream opens the stream the call named: options changed right after the call change nothing", async () => {
    const { client, socket } = await started();
    const options = { streamId: "first", idleTimeoutInMs: 60_000 };
    const opening = client.openGroupStream("g", options);
    options.streamId = "changed";
    options.idleTimeoutInMs = 0; // invalid now, valid at the call
    const invalid = { streamId: "" };
    const refused = client.openGroupStream("g", invalid);
    invalid.streamId = "fine";
    const start = await socket.waitForFrame((f) => f.type === "sendToGroup");
    expect(start.stream).toEqual({ streamId: "first", idleTimeoutMs: 60_000 });
    await expect(refused).rejects.toThrow(/options\.streamId/);
    socket.push({ type: "streamAck", streamId: "first", expectedSequenceId: 1 });
    expect((await opening).streamId).toBe("first");
    expect(socket.framesOf("sendToGroup")).toHaveLength(1);
    await client.stop();
  });

  it("a start without options names only the group and the stream id", async () => {
    const { client, socket } = await started();
    void client.openGroupStream("g", { streamId: "s1" }).catch(() => {});
    expect(await socket.waitForFrame((f) => f.type === "sendToGroup")).toEqual({
      type: "sendToGroup",
      group: "g",
      stream: { streamId: "s1" },
    });
    await client.stop();
  });

  it("onError takes a function only, and the function it returns unsubscribes the listener", async () => {
    const { client, socket, writer } = await opened();
    expect(() => writer.onError("no" as never)).toThrow(new TypeError("listener must be a function"));
    const heard: string[] = [];
    const off = writer.onError((e) => heard.push(`removed ${e.name}`));
    writer.onError((e) => heard.push(`kept ${e.name}`));
    off();
    socket.push({ type: "streamClosed", streamId: "s1", error: { name: "ServiceError", message: "gone" } });
    expect(heard).toEqual(["kept ServiceError"]);
    await client.stop();
  });

  // Rule: the service's streamClosed ends the stream: with its error if it names one; without one, an open stream that
  // was not ending fails with StreamClosed, and an ending one resolves its end.
  it("a streamClosed for an open stream fails it with the service's error, or StreamClosed without one", async () => {
    const { client, socket } = await started();
    const open = async (streamId: string) => {
      const writer = await openStream({ client, socket }, streamId);
      const errors: unknown[] = [];
      writer.onError((e) => errors.push({ name: e.name, message: e.message }));
      return { writer, errors };
    };
    const plain = await open("plain");
    socket.push({ type: "streamClosed", streamId: "plain" });
    expect(plain.errors).toEqual([{ name: "StreamClosed", message: "the service closed the stream" }]);
    await expect(plain.writer.write("x", "text")).rejects.toThrow(/is closed/);
    const named = await open("named");
    socket.push({ type: "streamClosed", streamId: "named", error: { name: "StreamNotFound", message: "no such" } });
    expect(named.errors).toEqual([{ name: "StreamNotFound", message: "no such" }]);
    await client.stop();
  });

  // Rule: an end written before a recovery is written again after it; the service may have closed the stream on the
  // first copy, so its StreamNotFound for the second means the end went through. Without a recovery in between,
  // StreamNotFound fails the end.
  it("an end written again after a recovery resolves on the service's StreamNotFound; without the recovery it fails", async () => {
    const { server, client, socket, writer } = await opened();
    await writer.write("a", "text");
    const ended = writer.end();
    expect(socket.framesOf("streamEnd")).toEqual([{ type: "streamEnd", streamId: "s1" }]);
    const recovered = nextEvent(client, "recovered");
    socket.serverClose(1006);
    const s2 = await recoverOn(server, 1);
    await recovered;
    expect(s2.frames.filter((f) => f.streamId === "s1")).toEqual([
      { type: "streamData", streamId: "s1", streamSequenceId: 1, dataType: "text", data: "a" },
      { type: "streamEnd", streamId: "s1" },
    ]);
    s2.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 2 });
    s2.push({ type: "streamClosed", streamId: "s1", error: { name: "StreamNotFound", message: "already closed" } });
    await ended;
    // the other side: no recovery between the end and the answer
    const opening = client.openGroupStream("g", { streamId: "s2" });
    await s2.waitForFrame((f) => (f.stream as { streamId?: string } | undefined)?.streamId === "s2");
    s2.push({ type: "streamAck", streamId: "s2", expectedSequenceId: 1 });
    const second = await opening;
    const failed = second.end();
    s2.push({ type: "streamClosed", streamId: "s2", error: { name: "StreamNotFound", message: "no such" } });
    await expect(failed).rejects.toMatchObject({ name: "StreamNotFound" });
    await client.stop();
  });

  it("a StreamNotFound after a recovery fails a stream whose end was not written before it", async () => {
    const { server, client, socket, writer } = await opened();
    const recovered = nextEvent(client, "recovered");
    socket.serverClose(1006);
    const s2 = await recoverOn(server, 1);
    await recovered;
    const ended = writer.end();
    s2.push({ type: "streamClosed", streamId: "s1", error: { name: "StreamNotFound", message: "no such" } });
    await expect(ended).rejects.toMatchObject({ name: "StreamNotFound" });
    await client.stop();
  });

  it("a connection drop after the start was written, before its ack, fails the open with ConnectionLost", async () => {
    const { client, socket } = await started();
    const opening = client.openGroupStream("g", { streamId: "s1" });
    await socket.waitForFrame((f) => f.type === "sendToGroup");
    socket.serverClose(1006);
    await expect(opening).rejects.toMatchObject({
      name: "ConnectionLost",
      message: "the connection dropped before the stream was accepted",
    });
    await client.stop();
  });

  it("a start ack naming another id than 1 is a protocol violation: the stream is ended at the service and the open fails", async () => {
    const { client, socket } = await started();
    const opening = client.openGroupStream("g", { streamId: "s1" });
    await socket.waitForFrame((f) => f.type === "sendToGroup");
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 2 });
    await expect(opening).rejects.toMatchObject({ name: "InvalidSequenceId", message: "unexpected start ack" });
    expect(socket.framesOf("streamEnd")).toEqual([
      {
        type: "streamEnd",
        streamId: "s1",
        error: { message: "unexpected start ack", userErrorCode: "ProtocolViolation" },
      },
    ]);
    await client.stop();
  });

  it("a streamNack before the start's ack, and acks or nacks after the stream closed, are ignored", async () => {
    const { client, socket } = await started();
    const opening = client.openGroupStream("g", { streamId: "s1" });
    await socket.waitForFrame((f) => f.type === "sendToGroup");
    socket.push({ type: "streamNack", streamId: "s1", expectedSequenceId: 2, name: "InvalidSequenceId" });
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 1 });
    const writer = await opening;
    await writer.write("a", "text");
    const ended = writer.end();
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 2 });
    socket.push({ type: "streamClosed", streamId: "s1" });
    await ended;
    const before = socket.sent.length;
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 9 });
    socket.push({ type: "streamNack", streamId: "s1", expectedSequenceId: 9, name: "InvalidSequenceId" });
    expect(socket.sent.length).toBe(before); // no streamEnd for a violation: the stream is gone
    // a stream given up while its start waited keeps its id until the service's streamClosed: its acks and nacks, of
    // any id, change nothing meanwhile
    const controller = new AbortController();
    const givenUp = client.openGroupStream("g", { streamId: "s2", abortSignal: controller.signal });
    await socket.waitForFrame((f) => (f.stream as { streamId?: string } | undefined)?.streamId === "s2");
    controller.abort();
    await expect(givenUp).rejects.toMatchObject({ name: "AbortError" });
    const afterGiveUp = socket.sent.length;
    socket.push({ type: "streamAck", streamId: "s2", expectedSequenceId: 2 });
    socket.push({ type: "streamNack", streamId: "s2", expectedSequenceId: 2, name: "InvalidSequenceId" });
    expect(socket.sent.length).toBe(afterGiveUp);
    await expect(client.openGroupStream("g", { streamId: "s2" })).rejects.toThrow(/already open/);
    await client.stop();
  });

  it("an ack or a nack naming a fragment older than the buffered ones fails the stream", async () => {
    const { client, socket, writer } = await opened();
    for (const x of ["a", "b", "c"]) await writer.write(x, "text");
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 3 }); // 1 and 2 are acknowledged
    socket.push({ type: "streamNack", streamId: "s1", expectedSequenceId: 2, name: "InvalidSequenceId" });
    expect(socket.framesOf("streamEnd")).toEqual([
      {
        type: "streamEnd",
        streamId: "s1",
        error: {
          message: "the service expects fragment 2, outside the buffered 3..3",
          userErrorCode: "ProtocolViolation",
        },
      },
    ]);
    await client.stop();
  });

  it("an ack naming the next fragment (everything acknowledged) is in range; one past it is not", async () => {
    const { client, socket, writer } = await opened();
    await writer.write("a", "text");
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 2 });
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 2 }); // the empty buffer: still in range
    expect(socket.framesOf("streamEnd")).toEqual([]);
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 3 });
    expect(socket.framesOf("streamEnd")).toMatchObject([
      { error: { message: "the service expects fragment 3, outside the buffered 2..1" } },
    ]);
    await client.stop();
  });

  // Rule: end()'s abortSignal ends the caller's wait only: the end still goes out and the stream still closes.
  it("end() with an aborted signal refuses at once; a signal aborted while the end waits rejects the wait only", async () => {
    const { client, socket, writer } = await opened();
    const reason = new Error("no wait");
    await expect(writer.end({ abortSignal: AbortSignal.abort(reason) })).rejects.toMatchObject({
      name: "AbortError",
      cause: reason,
    });
    expect(socket.framesOf("streamEnd")).toEqual([]);
    await writer.write("still open", "text");
    const controller = new AbortController();
    const ended = writer.end({ abortSignal: controller.signal });
    controller.abort(reason);
    await expect(ended).rejects.toMatchObject({ name: "AbortError", cause: reason });
    expect(socket.framesOf("streamEnd")).toEqual([{ type: "streamEnd", streamId: "s1" }]);
    await expect(writer.write("x", "text")).rejects.toThrow(/is ending/);
    // an end whose signal never fires settles as the stream does
    const quiet = await opened();
    const settled = quiet.writer.end({ abortSignal: new AbortController().signal });
    quiet.socket.push({ type: "streamClosed", streamId: "s1" });
    await settled;
    const failing = await opened();
    const rejected = failing.writer.end({ abortSignal: new AbortController().signal });
    failing.socket.push({ type: "streamClosed", streamId: "s1", error: { name: "ServiceError", message: "x" } });
    await expect(rejected).rejects.toMatchObject({ name: "ServiceError" });
    await Promise.all([client.stop(), quiet.client.stop(), failing.client.stop()]);
  });

  it("a write made recently postpones the keepalive; none goes out while recovering", async () => {
    vi.useFakeTimers();
    const { server, client, socket, writer } = await opened(
      { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 },
      3000,
    );
    const keepalives = (s: typeof socket) =>
      s.frames.filter((f) => f.type === "streamData" && f.streamSequenceId === undefined).length;
    vi.advanceTimersByTime(500);
    await writer.write("a", "text");
    vi.advanceTimersByTime(500); // the period's end: the write was 500 ms ago
    expect(keepalives(socket)).toBe(0);
    vi.advanceTimersByTime(1000); // nothing written for 1500 ms at the next check
    expect(keepalives(socket)).toBe(1);
    socket.serverClose(1006);
    vi.advanceTimersByTime(5000);
    expect(keepalives(socket)).toBe(1);
    const recovered = nextEvent(client, "recovered");
    const s2 = await recoverOn(server, 1);
    await recovered;
    vi.advanceTimersByTime(999);
    expect(keepalives(s2)).toBe(0);
    vi.advanceTimersByTime(1);
    expect(keepalives(s2)).toBe(1);
    const stopped = client.stop();
    await vi.advanceTimersByTimeAsync(10);
    await stopped;
  });

  // Rule: bad arguments are refused with a TypeError (RangeError for a number out of range) naming the argument,
  // before anything is written or the stream changes.
  it("openGroupStream refuses bad options before writing anything", async () => {
    const { client, socket } = await started();
    await expect(client.openGroupStream("g", { streamId: "" })).rejects.toThrow(/options\.streamId/);
    await expect(client.openGroupStream("g", { noEcho: "yes" as never })).rejects.toThrow(
      new TypeError("options.noEcho must be a boolean"),
    );
    await expect(client.openGroupStream("g", { idleTimeoutInMs: 0 })).rejects.toThrow(/options\.idleTimeoutInMs/);
    await expect(client.openGroupStream("g", { abortSignal: {} as never })).rejects.toThrow(
      new TypeError("options.abortSignal must be an AbortSignal"),
    );
    expect(socket.framesOf("sendToGroup")).toEqual([]);
    // noEcho false is a boolean too: the start leaves it out
    void client.openGroupStream("g", { streamId: "s1", noEcho: false }).catch(() => {});
    expect((await socket.waitForFrame((f) => f.type === "sendToGroup")).noEcho).toBeUndefined();
    await client.stop();
  });

  it("write, end and abort refuse bad arguments before anything is written; the stream stays open", async () => {
    const { client, socket, writer } = await opened();
    await expect(writer.write(5, "text")).rejects.toThrow(/content/);
    await expect(writer.write("x", "text", null as never)).rejects.toThrow(new TypeError("options must be an object"));
    await expect(writer.write("x", "text", { abortSignal: 1 as never })).rejects.toThrow(
      new TypeError("options.abortSignal must be an AbortSignal"),
    );
    await expect(writer.end(null as never)).rejects.toThrow(new TypeError("options must be an object"));
    await expect(writer.end({ abortSignal: 1 as never })).rejects.toThrow(
      new TypeError("options.abortSignal must be an AbortSignal"),
    );
    await expect(writer.abort({}, null as never)).rejects.toThrow(new TypeError("options must be an object"));
    await expect(writer.abort({}, { abortSignal: 1 as never })).rejects.toThrow(
      new TypeError("options.abortSignal must be an AbortSignal"),
    );
    await expect(writer.abort(null as never)).rejects.toThrow(new TypeError("error must be an object"));
    for (const key of ["message", "userErrorCode"] as const) {
      await expect(writer.abort({ [key]: 1 } as never)).rejects.toThrow(
        new TypeError(`error.${key} must be a string of at most 1024 characters`),
      );
      await expect(writer.abort({ [key]: "x".repeat(1025) })).rejects.toThrow(`error.${key} must be a string`);
    }
    await expect(writer.abort({ name: "Mine" } as never)).rejects.toThrow(
      new TypeError("error must not have a name: the service names it UserError"),
    );
    expect(socket.framesOf("streamData")).toEqual([]);
    expect(socket.framesOf("streamEnd")).toEqual([]);
    // at the bound exactly, the texts go out whole
    const aborted = writer.abort({ message: "m".repeat(1024), userErrorCode: "c".repeat(1024) });
    expect(socket.framesOf("streamEnd")).toEqual([
      { type: "streamEnd", streamId: "s1", error: { message: "m".repeat(1024), userErrorCode: "c".repeat(1024) } },
    ]);
    socket.push({ type: "streamClosed", streamId: "s1" });
    await aborted;
    await client.stop();
  });

  // Rule: an open stream ends with the connection's session: each way names itself in the stream's error.
  it("stop(), a lost connection and a failed start() fail the open streams, each with its own error", async () => {
    const heard = async (end: "stop" | "drop", protocol?: "json") => {
      const { client, socket, writer } = await opened(protocol ? { protocol } : {});
      const errors: { name: string; message: string | undefined }[] = [];
      writer.onError((e) => errors.push({ name: e.name, message: e.message }));
      if (end === "stop") await client.stop();
      else {
        const disconnected = nextEvent(client, "disconnected");
        socket.serverClose(1006);
        await disconnected;
        await client.stop();
      }
      return errors;
    };
    expect(await heard("stop")).toEqual([{ name: "Stopped", message: "the client stopped" }]);
    expect(await heard("drop", "json")).toEqual([
      { name: "ConnectionLost", message: "the connection carrying the stream is gone (a new one replaces it)" },
    ]);
    const { server, client } = await started();
    await client.stop();
    const start = client.start();
    const opening = openGroupStream(client, "g", { streamId: "s1" });
    (await server.socket(1)).serverClose(1006);
    await expect(start).rejects.toThrow();
    await expect(opening).rejects.toMatchObject({
      name: "ConnectionLost",
      message: "the client did not connect: start() failed",
    });
  });

  it("a stopping or stopped client refuses to open a stream", async () => {
    const { client } = await started();
    const stopping = client.stop();
    expect(client.state).toBe("Stopping");
    await expect(openGroupStream(client, "g")).rejects.toThrow(new Error("The client is Stopping: call start() first"));
    await stopping;
    await expect(openGroupStream(client, "g")).rejects.toThrow(new Error("The client is Stopped: call start() first"));
  });

  it("a write with an aborted signal and a second end() are refused before anything is written", async () => {
    const { client, socket, writer } = await opened();
    const reason = new Error("gave up");
    await expect(writer.write("x", "text", { abortSignal: AbortSignal.abort(reason) })).rejects.toMatchObject({
      name: "AbortError",
      cause: reason,
    });
    expect(socket.framesOf("streamData")).toEqual([]);
    const ended = writer.end();
    await expect(writer.end()).rejects.toThrow('Stream "s1" is ending: nothing more can be written');
    expect(socket.framesOf("streamEnd")).toEqual([{ type: "streamEnd", streamId: "s1" }]);
    socket.push({ type: "streamClosed", streamId: "s1" });
    await ended;
    await client.stop();
  });
});
