// How a published stream answers the service's streamNacks. Rule: the service nacks every fragment that reached it past
// a gap, each nack naming the fragment it expects; the first of them rewinds the stream (everything from that fragment
// is written again), and the nacks still on their way for the fragments written before the rewind (as many as were
// written past the gap) name the same fragment and rewind nothing. Any other nack rewinds.
import { describe, expect, it, vi } from "vitest";
import { opened } from "./opened.ts";

const nack = (expectedSequenceId: number) =>
  ({ type: "streamNack", streamId: "s1", expectedSequenceId, name: "InvalidSequenceId" }) as const;

describe("streamNack", () => {
  it("once the nacks still on their way from a gap are used up, a nack naming the same fragment rewinds again (the resent one was lost too)", async () => {
    const { client, socket, writer } = await opened();
    for (const x of ["a", "b", "c", "d", "e"]) await writer.write(x, "text");
    const ids = () => socket.framesOf("streamData").map((f) => f.streamSequenceId);
    // fragment 2 was lost: 3, 4 and 5 are each nacked naming 2; the first rewinds, the other two were on their way
    for (let i = 0; i < 3; i++) socket.push(nack(2));
    expect(ids()).toEqual([1, 2, 3, 4, 5, 2, 3, 4, 5]);
    // the resent 2 was lost as well: the service nacks the resent 3 naming 2 again
    socket.push(nack(2));
    expect(ids()).toEqual([1, 2, 3, 4, 5, 2, 3, 4, 5, 2, 3, 4, 5]);
    await client.stop();
  });

  it("a rewind from the last fragment written expects no more nacks: the next nack naming it rewinds again", async () => {
    const { client, socket, writer } = await opened();
    for (const x of ["a", "b", "c"]) await writer.write(x, "text");
    const ids = () => socket.framesOf("streamData").map((f) => f.streamSequenceId);
    socket.push(nack(3)); // nothing was written past 3
    socket.push(nack(3));
    expect(ids()).toEqual([1, 2, 3, 3, 3]);
    await client.stop();
  });

  it("while nacks from a gap are still on their way, one naming another fragment rewinds at once", async () => {
    const { client, socket, writer } = await opened();
    for (const x of ["a", "b", "c", "d", "e"]) await writer.write(x, "text");
    const ids = () => socket.framesOf("streamData").map((f) => f.streamSequenceId);
    socket.push(nack(2)); // two more naming 2 are on their way
    socket.push(nack(4));
    expect(ids()).toEqual([1, 2, 3, 4, 5, 2, 3, 4, 5, 4, 5]);
    await client.stop();
  });

  it("an ack that does not pass the rewound fragment leaves the nacks still on their way ignored", async () => {
    const { client, socket, writer } = await opened();
    for (const x of ["a", "b", "c", "d", "e"]) await writer.write(x, "text");
    const ids = () => socket.framesOf("streamData").map((f) => f.streamSequenceId);
    socket.push(nack(2));
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 2 }); // 1 acknowledged: 2 is still expected
    socket.push(nack(2));
    socket.push(nack(2));
    expect(ids()).toEqual([1, 2, 3, 4, 5, 2, 3, 4, 5]);
    expect(socket.framesOf("streamEnd")).toEqual([]);
    await client.stop();
  });

  it("a rewind waits while the socket holds more than 1 MiB unsent, as sends do (nacks from a service that does not read cannot grow the send buffer), and goes out once it drained to half", async () => {
    const MiB = 1024 * 1024;
    const { client, socket, writer } = await opened();
    for (const x of ["a", "b", "c"]) await writer.write(x, "text");
    const ids = () => socket.framesOf("streamData").map((f) => f.streamSequenceId);
    vi.useFakeTimers();
    try {
      let buffered = MiB + 1;
      let reads = 0;
      Object.defineProperty(socket, "bufferedAmount", {
        get: () => {
          reads++;
          return buffered;
        },
        set: (value: number) => {
          buffered = value;
        },
      });
      socket.push(nack(1));
      const afterFirst = reads;
      for (let i = 0; i < 99; i++) socket.push(nack(1)); // 49 more rewinds, each would write 1, 2, 3 again
      expect(reads).toBe(afterFirst); // one wait serves them all: no new wait (nor memory) per nack
      await vi.advanceTimersByTimeAsync(1000);
      expect(ids()).toEqual([1, 2, 3]);
      socket.bufferedAmount = MiB / 2 + 1;
      await vi.advanceTimersByTimeAsync(1000);
      expect(ids()).toEqual([1, 2, 3]);
      socket.bufferedAmount = MiB / 2;
      await vi.advanceTimersByTimeAsync(100); // the next poll
      expect(ids()).toEqual([1, 2, 3, 1, 2, 3]);
      // exactly 1 MiB unsent is not congested: a rewind goes out at once
      socket.bufferedAmount = MiB;
      socket.push(nack(3));
      expect(ids()).toEqual([1, 2, 3, 1, 2, 3, 3]);
      // a stream that ends while it waits for the drain leaves no poll behind, though the socket stays congested
      socket.bufferedAmount = MiB + 1;
      await writer.write("d", "text");
      expect(ids()).toEqual([1, 2, 3, 1, 2, 3, 3]);
      expect(vi.getTimerCount()).toBeGreaterThan(0);
      socket.push({ type: "streamClosed", streamId: "s1", error: { name: "InternalServerError", message: "gone" } });
      expect(vi.getTimerCount()).toBe(0);
      const stopping = client.stop();
      await vi.advanceTimersByTimeAsync(10);
      await stopping;
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
