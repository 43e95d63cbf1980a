// What a published group stream lets go of once it is over: its stream id (free for a new stream), its keepalive
// timer (nothing keeps a Node process alive for a stream that ended), and the listeners it put on the caller's abort
// signals (a long-lived signal passed to many calls does not collect them).
import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_UNACKED_FRAGMENTS } from "../../src/outbound-stream.ts";
import { nextEvent } from "../fake-socket.ts";
import { openStream } from "./opened.ts";
import { recoverOn, started } from "./started.ts";

afterEach(() => {
  vi.useRealTimers();
});

const abortListeners = (signal: AbortSignal) => getEventListeners(signal, "abort").length;

describe("a stream that is over", () => {
  it("frees its stream id, whether it ended, the service failed it, or the two sides disagreed", async () => {
    const ctx = await started();
    const { socket } = ctx;
    // ended: the end written and the service's streamClosed
    const ended = await openStream(ctx, "s1");
    const end = ended.end();
    socket.push({ type: "streamClosed", streamId: "s1" });
    await end;
    // failed by the service
    const failed = await openStream(ctx, "s1");
    socket.push({ type: "streamClosed", streamId: "s1", error: { name: "ServiceError", message: "gone" } });
    await expect(failed.write("x", "text")).rejects.toThrow(/is closed/);
    // failed here: an ack outside what was buffered
    const violated = await openStream(ctx, "s1");
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 7 });
    await expect(violated.write("x", "text")).rejects.toThrow(/is closed/);
    // each time the id was free again: the last open under it works too
    const last = await openStream(ctx, "s1");
    expect(last.streamId).toBe("s1");
    expect(socket.framesOf("sendToGroup")).toHaveLength(4);
    // the other side: an open stream keeps its id
    await expect(ctx.client.openGroupStream("g", { streamId: "s1" })).rejects.toThrow(/already open/);
    await ctx.client.stop();
  });

  it("leaves no keepalive timer behind, however it ended (stop(), the service's close, a failure)", async () => {
    vi.useFakeTimers();
    const ctx = await started({ keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 });
    const { socket } = ctx;
    const idle = vi.getTimerCount(); // the client's own timers, with no stream open
    const closedByService = await openStream(ctx, "a", { idleTimeoutInMs: 3000 });
    expect(vi.getTimerCount()).toBe(idle + 1); // the open stream's keepalive
    const end = closedByService.end();
    socket.push({ type: "streamClosed", streamId: "a" });
    await end;
    expect(vi.getTimerCount()).toBe(idle);
    const failed = await openStream(ctx, "b", { idleTimeoutInMs: 3000 });
    socket.push({ type: "streamAck", streamId: "b", expectedSequenceId: 9 });
    await expect(failed.write("x", "text")).rejects.toThrow(/is closed/);
    expect(vi.getTimerCount()).toBe(idle);
    await openStream(ctx, "c", { idleTimeoutInMs: 3000 });
    expect(vi.getTimerCount()).toBe(idle + 1);
    const stopped = ctx.client.stop();
    await vi.advanceTimersByTimeAsync(10); // the socket's close handshake
    await stopped;
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a stream given up while its start waited runs no keepalive across a recovery (it waits for the service's streamClosed only)", async () => {
    vi.useFakeTimers();
    const ctx = await started({ keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 });
    const { server, client, socket } = ctx;
    const controller = new AbortController();
    const givenUp = client.openGroupStream("g", {
      streamId: "s1",
      idleTimeoutInMs: 3000,
      abortSignal: controller.signal,
    });
    await socket.waitForFrame((f) => f.type === "sendToGroup");
    controller.abort();
    await expect(givenUp).rejects.toMatchObject({ name: "AbortError" });
    const idle = vi.getTimerCount();
    const recovered = nextEvent(client, "recovered");
    socket.serverClose(1006);
    await vi.advanceTimersByTimeAsync(5000);
    const s2 = await recoverOn(server, 1);
    await recovered;
    expect(vi.getTimerCount()).toBe(idle);
    await vi.advanceTimersByTimeAsync(5000);
    expect(s2.framesOf("streamData")).toEqual([]);
    const stopped = client.stop();
    await vi.advanceTimersByTimeAsync(10);
    await stopped;
  });
});

describe("a call that settled holds no listener on the caller's abort signal", () => {
  it("openGroupStream: once the service accepted or refused the stream, or the signal aborted the wait", async () => {
    const ctx = await started();
    const accepted = new AbortController();
    await openStream(ctx, "s1", { abortSignal: accepted.signal });
    expect(abortListeners(accepted.signal)).toBe(0);
    const refused = new AbortController();
    const opening = ctx.client.openGroupStream("g", { streamId: "s2", abortSignal: refused.signal });
    await ctx.socket.waitForFrame((f) => (f.stream as { streamId?: string } | undefined)?.streamId === "s2");
    expect(abortListeners(refused.signal)).toBe(1); // the wait for the ack listens
    ctx.socket.push({ type: "streamClosed", streamId: "s2", error: { name: "Forbidden", message: "no role" } });
    await expect(opening).rejects.toMatchObject({ name: "Forbidden" });
    expect(abortListeners(refused.signal)).toBe(0);
    const aborted = new AbortController();
    const abortedOpen = ctx.client.openGroupStream("g", { streamId: "s3", abortSignal: aborted.signal });
    await ctx.socket.waitForFrame((f) => (f.stream as { streamId?: string } | undefined)?.streamId === "s3");
    aborted.abort();
    await expect(abortedOpen).rejects.toMatchObject({ name: "AbortError" });
    expect(abortListeners(aborted.signal)).toBe(0);
    await ctx.client.stop();
  });

  it("a write that waited for room: once it went in, or its signal aborted it", async () => {
    const ctx = await started();
    const writer = await openStream(ctx, "s1");
    for (let i = 0; i < MAX_UNACKED_FRAGMENTS; i++) await writer.write(`f${i}`, "text");
    const admitted = new AbortController();
    const aborted = new AbortController();
    const goesIn = writer.write("in", "text", { abortSignal: admitted.signal });
    const givenUp = writer.write("out", "text", { abortSignal: aborted.signal });
    expect([abortListeners(admitted.signal), abortListeners(aborted.signal)]).toEqual([1, 1]);
    aborted.abort();
    await expect(givenUp).rejects.toMatchObject({ name: "AbortError" });
    expect(abortListeners(aborted.signal)).toBe(0);
    ctx.socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 2 });
    await goesIn;
    expect(abortListeners(admitted.signal)).toBe(0);
    await ctx.client.stop();
  });

  it("end() and abort(): once the stream closed, failed, or the signal aborted the wait", async () => {
    const ctx = await started();
    const { socket } = ctx;
    const closing = new AbortController();
    const ended = (await openStream(ctx, "s1")).end({ abortSignal: closing.signal });
    expect(abortListeners(closing.signal)).toBe(1);
    socket.push({ type: "streamClosed", streamId: "s1" });
    await ended;
    expect(abortListeners(closing.signal)).toBe(0);
    const failing = new AbortController();
    const refused = (await openStream(ctx, "s2")).abort({ message: "bad" }, { abortSignal: failing.signal });
    socket.push({ type: "streamClosed", streamId: "s2", error: { name: "ServiceError", message: "x" } });
    await expect(refused).rejects.toMatchObject({ name: "ServiceError" });
    expect(abortListeners(failing.signal)).toBe(0);
    const aborting = new AbortController();
    const waited = (await openStream(ctx, "s3")).end({ abortSignal: aborting.signal });
    aborting.abort();
    await expect(waited).rejects.toMatchObject({ name: "AbortError" });
    expect(abortListeners(aborting.signal)).toBe(0);
    await ctx.client.stop();
  });
});
