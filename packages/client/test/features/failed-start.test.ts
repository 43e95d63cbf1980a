// Work issued while the first start() connects waits for the connection; when that start() fails, the client is
// Stopped again (emitting nothing) and that work must fail with it rather than wait for a connection nobody makes.
// The other side: when the start succeeds, the same work goes out and settles.
import { describe, expect, it } from "vitest";
import { GroupStreamError, InvocationError, SendMessageError, WebPubSubClient } from "../../src/index.ts";
import { invokeEvent } from "../../src/invocations.ts";
import { openGroupStream } from "../../src/outbound-streams.ts";
import { FakeServer, URL1 } from "../fake-socket.ts";

/** What `promise` settled with by the next event-loop turn ("pending" if not). */
function settledByNextTurn(promise: Promise<unknown>): Promise<unknown> {
  const pending = new Promise((resolve) => setTimeout(() => resolve("pending"), 0));
  return Promise.race([promise.catch((e: unknown) => e), pending]);
}

async function connecting() {
  const server = new FakeServer();
  const client = new WebPubSubClient(URL1, { webSocketFactory: server.factory });
  const start = client.start();
  const socket = await server.socket(0);
  expect(client.state).toBe("Connecting");
  // the feature modules are loaded: these register at once
  const invocation = invokeEvent(client, "e", "x", "text", { invocationId: "i1" });
  const stream = openGroupStream(client, "g", { streamId: "s1" });
  return { server, client, start, socket, invocation, stream };
}

describe("work issued while the first start() connects", () => {
  it("fails when that start() fails: the invocation with InvocationError, the stream with GroupStreamError", async () => {
    const { server, client, start, socket, invocation, stream } = await connecting();
    socket.serverClose(1006); // the handshake fails
    await expect(start).rejects.toThrow();
    expect(client.state).toBe("Stopped");
    expect(await settledByNextTurn(invocation)).toBeInstanceOf(InvocationError);
    expect(await settledByNextTurn(stream)).toBeInstanceOf(GroupStreamError);
    expect(await settledByNextTurn(stream)).toMatchObject({ name: "ConnectionLost" });
    // nothing of it goes out on a later connection
    const again = client.start();
    const s2 = await server.socket(1);
    s2.connected();
    await again;
    expect(s2.framesOf("invoke")).toEqual([]);
    expect(s2.framesOf("sendToGroup")).toEqual([]);
    await client.stop();
  });

  it("fails when that start() fails: an acked operation with SendMessageError, and nothing of it goes out on a later connection", async () => {
    const server = new FakeServer();
    const client = new WebPubSubClient(URL1, { webSocketFactory: server.factory });
    const start = client.start();
    const socket = await server.socket(0);
    const send = client.sendToGroup("g", "x", "text");
    const join = client.joinGroup("room");
    socket.serverClose(1006); // the handshake fails
    await expect(start).rejects.toThrow();
    const [sent, joined] = [await settledByNextTurn(send), await settledByNextTurn(join)];
    expect(sent).toBeInstanceOf(SendMessageError);
    expect(joined).toBeInstanceOf(SendMessageError);
    expect(sent).toMatchObject({ retryable: false });
    const again = client.start();
    const s2 = await server.socket(1);
    s2.connected();
    await again;
    expect(s2.framesOf("sendToGroup")).toEqual([]);
    expect(s2.framesOf("joinGroup")).toEqual([]);
    await client.stop();
  });

  it("messages() iterables outlive a failed start() (they end when the client stops)", async () => {
    const server = new FakeServer();
    const client = new WebPubSubClient(URL1, { webSocketFactory: server.factory });
    const messages = client.messages()[Symbol.asyncIterator]();
    const start = client.start();
    (await server.socket(0)).serverClose(1006);
    await expect(start).rejects.toThrow();
    const next = messages.next();
    expect(await settledByNextTurn(next)).toBe("pending");
    await client.stop();
  });

  it("goes out and settles when that start() succeeds", async () => {
    const { client, start, socket, invocation, stream } = await connecting();
    socket.connected();
    await start;
    await socket.waitForFrame((f) => f.type === "invoke");
    await socket.waitForFrame((f) => f.type === "sendToGroup");
    socket.push({ type: "invokeResponse", invocationId: "i1", success: true });
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 1 });
    expect(await invocation).toEqual({ invocationId: "i1" });
    expect((await stream).streamId).toBe("s1");
    await client.stop();
  });
});
