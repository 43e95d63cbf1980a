// How a published stream ends when something else than its end() ends it first. Rules: once the stream is closed here
// (the service's error, the two sides disagreeing) nothing more of it is written, not even an end that still waited;
// an end written again after a recovery counts as delivered only on the service's StreamNotFound; a session replaced
// by a new one fails the stream with ConnectionLost, saying so.
import { describe, expect, it } from "vitest";
import { MAX_UNACKED_FRAGMENTS } from "../../src/outbound-stream.ts";
import { dropAndRecover, nextEvent } from "../fake-socket.ts";
import { opened } from "./opened.ts";

describe("a stream closed before its end went out", () => {
  /** s1 with a full buffer, one write waiting for room and the end waiting behind it. */
  async function endWaiting() {
    const ctx = await opened();
    for (let i = 0; i < MAX_UNACKED_FRAGMENTS; i++) await ctx.writer.write(`f${i}`, "text");
    const waiting = ctx.writer.write("waiting", "text");
    const ended = ctx.writer.end();
    expect(ctx.socket.framesOf("streamEnd")).toEqual([]);
    return { ...ctx, waiting, ended };
  }

  it("by the service's error: the waiting write and the end reject, and the end is never written", async () => {
    const { client, socket, waiting, ended } = await endWaiting();
    socket.push({ type: "streamClosed", streamId: "s1", error: { name: "ServiceError", message: "gone" } });
    await expect(waiting).rejects.toThrow(/is closed/);
    await expect(ended).rejects.toMatchObject({ name: "ServiceError" });
    expect(socket.framesOf("streamEnd")).toEqual([]);
    expect(socket.framesOf("streamData")).toHaveLength(MAX_UNACKED_FRAGMENTS);
    await client.stop();
  });

  it("by an ack outside the buffer: only the violation's streamEnd is written, not the end that waited", async () => {
    const { client, socket, waiting, ended } = await endWaiting();
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: MAX_UNACKED_FRAGMENTS + 2 });
    await expect(waiting).rejects.toThrow(/is closed/);
    await expect(ended).rejects.toMatchObject({ name: "InvalidSequenceId" });
    expect(socket.framesOf("streamEnd")).toEqual([
      { type: "streamEnd", streamId: "s1", error: expect.objectContaining({ userErrorCode: "ProtocolViolation" }) },
    ]);
    await client.stop();
  });
});

describe("an end written again after a recovery", () => {
  it("fails on the service's error other than StreamNotFound (its first copy did not close the stream)", async () => {
    const { server, client, socket, writer } = await opened();
    const ended = writer.end();
    expect(socket.framesOf("streamEnd")).toHaveLength(1);
    const s2 = await dropAndRecover(server, client, socket);
    expect(s2.framesOf("streamEnd")).toEqual([{ type: "streamEnd", streamId: "s1" }]);
    s2.push({ type: "streamClosed", streamId: "s1", error: { name: "ServiceError", message: "failed" } });
    await expect(ended).rejects.toMatchObject({ name: "ServiceError", message: "failed" });
    await client.stop();
  });
});

it("a recovered socket announcing a new session fails the accepted stream with ConnectionLost, naming the replaced session", async () => {
  const { server, client, socket, writer } = await opened();
  const errors: { name: string; message: string | undefined }[] = [];
  writer.onError((e) => errors.push({ name: e.name, message: e.message }));
  const s2 = await dropAndRecover(server, client, socket);
  const connected = nextEvent(client, "connected");
  s2.connected("conn-new", "tok-new");
  await connected;
  expect(errors).toEqual([
    { name: "ConnectionLost", message: "the session carrying the stream was replaced by a new one" },
  ]);
  await client.stop();
});
