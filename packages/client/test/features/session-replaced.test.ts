// A recovery socket that announces a new session (a `connected` with another connectionId) ends the old session: what
// was bound to it (written invocations, open outbound streams, received streams) fails as after a lost session, and
// what was issued for the new one goes on. The other side of the boundary (a resumed session keeps them) is in
// invocations.test.ts and outbound-streams.test.ts.
import { describe, expect, it } from "vitest";
import { type GroupStream, GroupStreamError, InvocationError } from "../../src/index.ts";
import { invokeEvent } from "../../src/invocations.ts";
import { dropAndRecover, nextEvent } from "../fake-socket.ts";
import { recoverOn, started } from "./started.ts";

/** What `promise` settled with by the next event-loop turn ("pending" if not): the hooks settle it synchronously. */
function settledByNextTurn(promise: Promise<unknown>): Promise<unknown> {
  const pending = new Promise((resolve) => setTimeout(() => resolve("pending"), 0));
  return Promise.race([promise.catch((e: unknown) => e), pending]);
}

describe("a new session announced on a recovered socket", () => {
  it("rejects the invocations written on the old session; one written on the recovered socket still settles", async () => {
    const { server, client, socket } = await started();
    const old = client.invokeEvent("e", "x", "text", { invocationId: "old" });
    await socket.waitForFrame((f) => f.type === "invoke");
    const recovered = nextEvent(client, "recovered");
    socket.serverClose(1006);
    const mid = client.invokeEvent("e", "y", "text", { invocationId: "mid" }); // issued while recovering
    const s2 = await recoverOn(server, 1);
    await recovered;
    await s2.waitForFrame((f) => f.invocationId === "mid"); // written on the socket that carries the new session
    const connected = nextEvent(client, "connected");
    s2.connected("conn-new", "tok-new");
    await connected;
    const error = await settledByNextTurn(old);
    expect(error).toBeInstanceOf(InvocationError);
    expect(error).toMatchObject({ invocationId: "old" });
    expect(await settledByNextTurn(mid)).toBe("pending");
    s2.push({ type: "invokeResponse", invocationId: "mid", success: true });
    expect(await mid).toEqual({ invocationId: "mid" });
    await client.stop();
  });

  // Rule: what the new session fails is what the old session was sent: an invocation the old socket never took (it was
  // closing, its close event not delivered yet) is written on the recovered socket and belongs to the new session. A
  // failed invocation's id is free again.
  it("keeps an invocation the old socket never took; fails the written one, naming why, and frees its id", async () => {
    const { server, client, socket } = await started();
    const old = client.invokeEvent("e", "x", "text", { invocationId: "old" });
    await socket.waitForFrame((f) => f.type === "invoke");
    socket.readyState = 2; // closing: the socket takes no more frames
    const unsent = invokeEvent(client, "e", "y", "text", { invocationId: "unsent" }); // registered at the call
    expect(socket.framesOf("invoke")).toHaveLength(1);
    const recovered = nextEvent(client, "recovered");
    socket.serverClose(1006);
    const s2 = await recoverOn(server, 1);
    await recovered;
    await s2.waitForFrame((f) => f.invocationId === "unsent");
    const connected = nextEvent(client, "connected");
    s2.connected("conn-new", "tok-new");
    await connected;
    const error = await settledByNextTurn(old);
    expect(error).toBeInstanceOf(InvocationError);
    expect(error).toMatchObject({
      invocationId: "old",
      message: "The session was replaced before the invoke response arrived",
    });
    expect(await settledByNextTurn(unsent)).toBe("pending");
    s2.push({ type: "invokeResponse", invocationId: "unsent", success: true });
    expect(await unsent).toEqual({ invocationId: "unsent" });
    const again = invokeEvent(client, "e", "z", "text", { invocationId: "old" });
    expect(await settledByNextTurn(again)).toBe("pending"); // not refused as still pending
    await s2.waitForFrame((f) => f.invocationId === "old");
    s2.push({ type: "invokeResponse", invocationId: "old", success: true });
    expect(await again).toEqual({ invocationId: "old" });
    await client.stop();
  });

  it("fails the open outbound streams with ConnectionLost", async () => {
    const { server, client, socket } = await started();
    const opening = client.openGroupStream("g", { streamId: "s1" });
    await socket.waitForFrame((f) => f.type === "sendToGroup");
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 1 });
    const writer = await opening;
    await writer.write("a", "text");
    const errors: string[] = [];
    writer.onError((e) => errors.push(e.name));
    const s2 = await dropAndRecover(server, client, socket);
    expect(errors).toEqual([]); // resumed: the stream goes on
    const connected = nextEvent(client, "connected");
    s2.connected("conn-new", "tok-new");
    await connected;
    expect(errors).toEqual(["ConnectionLost"]);
    await expect(writer.write("b", "text")).rejects.toThrow(/closed/);
    await client.stop();
  });

  it("ends the received streams with ConnectionLost (fragments of the old session may be missing)", async () => {
    const { server, client, socket } = await started();
    const streams: GroupStream[] = [];
    const subscription = client.onGroupStream((stream) => void streams.push(stream));
    await subscription.ready;
    const fragment = (streamSequenceId: number) => ({
      type: "message",
      from: "group",
      group: "g",
      dataType: "text",
      data: `d${streamSequenceId}`,
      stream: { streamId: "s1", streamSequenceId },
    });
    socket.push(fragment(1));
    const s2 = await dropAndRecover(server, client, socket);
    expect(streams[0]?.abortSignal.aborted).toBe(false); // resumed: the stream goes on
    const connected = nextEvent(client, "connected");
    s2.connected("conn-new", "tok-new");
    await connected;
    expect(streams[0]?.abortSignal.aborted).toBe(true);
    expect(streams[0]?.abortSignal.reason).toBeInstanceOf(GroupStreamError);
    expect(streams[0]?.abortSignal.reason).toMatchObject({ name: "ConnectionLost" });
    await client.stop();
  });
});
