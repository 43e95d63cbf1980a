// One abort policy: whatever await point an abort hits, the caller gets @webpubsub/async's AbortError (re-exported as
// the client's), with the signal's own reason as its `cause`; a bare abort() gives no cause; the client's own stop()
// rejects what it cancels with an AbortError saying so.
import { AbortError as AsyncAbortError } from "@webpubsub/async";
import { describe, expect, it } from "vitest";
import { AbortError, WebPubSubClient, type WebPubSubClientOptions } from "../src/index.ts";
import { FakeServer, startedClient, URL1 } from "./fake-socket.ts";

const started = (options: WebPubSubClientOptions = {}) => startedClient(options);

/** Asserts the policy: an AbortError whose cause is the signal's custom reason. */
function expectAbortError(error: unknown, reason: unknown): void {
  expect(error).toBeInstanceOf(AbortError);
  expect((error as Error).name).toBe("AbortError");
  expect((error as Error).cause).toBe(reason);
}

describe("the abort policy", () => {
  it("the client's AbortError is @webpubsub/async's", () => {
    expect(AbortError).toBe(AsyncAbortError);
  });

  describe("start()", () => {
    it("with a signal aborted before the call", async () => {
      const client = new WebPubSubClient(URL1, { webSocketFactory: new FakeServer().factory });
      const reason = new Error("too late");
      expectAbortError(await client.start({ abortSignal: AbortSignal.abort(reason) }).catch((e: unknown) => e), reason);
      // A bare abort() (the platform's DOMException reason) gives an AbortError without a cause.
      const bare = await client.start({ abortSignal: AbortSignal.abort() }).catch((e: unknown) => e);
      expect(bare).toBeInstanceOf(AbortError);
      expect((bare as Error).cause).toBeUndefined();
      expect(client.state).toBe("Stopped");
    });

    it("while getClientAccessUrl runs, whether it rejects with an error of its own or ignores the signal", async () => {
      const server = new FakeServer();
      const rejecting = new WebPubSubClient(
        {
          getClientAccessUrl: ({ abortSignal }) =>
            new Promise<string>((_, reject) =>
              abortSignal?.addEventListener("abort", () => reject(new Error("fetch failed: aborted"))),
            ),
        },
        { webSocketFactory: server.factory },
      );
      const controller = new AbortController();
      const first = rejecting.start({ abortSignal: controller.signal }).catch((e: unknown) => e);
      const reason = new Error("user gave up");
      controller.abort(reason);
      expectAbortError(await first, reason);

      let resolveUrl!: (url: string) => void;
      const ignoring = new WebPubSubClient(
        { getClientAccessUrl: () => new Promise<string>((resolve) => (resolveUrl = resolve)) },
        { webSocketFactory: server.factory },
      );
      const second = new AbortController();
      const start = ignoring.start({ abortSignal: second.signal }).catch((e: unknown) => e);
      second.abort(reason);
      resolveUrl(URL1);
      expectAbortError(await start, reason);
      expect(server.sockets).toHaveLength(0); // no socket after the abort
      expect([rejecting.state, ignoring.state]).toEqual(["Stopped", "Stopped"]);
    });

    it("while getClientAccessUrl never settles and ignores the signal: start() rejects at once, stop() too, no socket", async () => {
      const server = new FakeServer();
      const hanging = { getClientAccessUrl: () => new Promise<string>(() => {}) };
      const client = new WebPubSubClient(hanging, { webSocketFactory: server.factory });
      const controller = new AbortController();
      const start = client.start({ abortSignal: controller.signal }).catch((e: unknown) => e);
      const reason = new Error("user gave up");
      controller.abort(reason);
      expectAbortError(await start, reason);
      expect(client.state).toBe("Stopped");

      const again = client.start().catch((e: unknown) => e);
      await client.stop();
      const stopped = await again;
      expect(stopped).toBeInstanceOf(AbortError);
      expect((stopped as Error).message).toBe("The client was stopped");
      expect(client.state).toBe("Stopped");
      expect(server.sockets).toHaveLength(0);
    });

    it("during the handshake, and stop() during the handshake", async () => {
      const server = new FakeServer();
      const client = new WebPubSubClient(URL1, { webSocketFactory: server.factory });
      const controller = new AbortController();
      const start = client.start({ abortSignal: controller.signal }).catch((e: unknown) => e);
      const socket = await server.socket(0);
      socket.open(); // upgraded, no `connected` yet
      const reason = new Error("user gave up");
      controller.abort(reason);
      expectAbortError(await start, reason);

      const again = client.start().catch((e: unknown) => e);
      await server.socket(1);
      await client.stop();
      const stopped = await again;
      expect(stopped).toBeInstanceOf(AbortError);
      expect((stopped as Error).message).toBe("The client was stopped");
    });
  });

  describe("operations", () => {
    it("with a signal aborted before the call, acked or fire-and-forget", async () => {
      const { client, socket } = await started();
      const reason = new Error("never mind");
      const signal = AbortSignal.abort(reason);
      expectAbortError(await client.joinGroup("g", { abortSignal: signal }).catch((e: unknown) => e), reason);
      expectAbortError(
        await client.sendEvent("e", "x", "text", { abortSignal: signal, fireAndForget: true }).catch((e: unknown) => e),
        reason,
      );
      expect(socket.sent).toEqual([]);
      await client.stop();
    });

    it("while waiting for the ack", async () => {
      const { client, socket } = await started();
      const controller = new AbortController();
      const send = client.sendToGroup("g", "x", "text", { abortSignal: controller.signal }).catch((e: unknown) => e);
      await socket.waitForFrame((f) => f.type === "sendToGroup");
      const reason = new Error("user navigated away");
      controller.abort(reason);
      expectAbortError(await send, reason);
      await client.stop();
    });

    it("while waiting for the send buffer to drain, acked or fire-and-forget", async () => {
      const { client, socket } = await started();
      socket.bufferedAmount = 2 * 1024 * 1024;
      const controller = new AbortController();
      const acked = client.sendEvent("e", "x", "text", { abortSignal: controller.signal }).catch((e: unknown) => e);
      const plain = client
        .sendEvent("e", "y", "text", { abortSignal: controller.signal, fireAndForget: true })
        .catch((e: unknown) => e);
      const reason = new Error("too slow");
      controller.abort(reason);
      expectAbortError(await acked, reason);
      expectAbortError(await plain, reason);
      socket.bufferedAmount = 0;
      await client.stop();
    });

    it("while waiting between retries", async () => {
      const { client, socket } = await started({ messageRetryOptions: { retryDelayInMs: 60_000, jitter: false } });
      const controller = new AbortController();
      const join = client.joinGroup("g", { abortSignal: controller.signal }).catch((e: unknown) => e);
      const { ackId } = await socket.waitForFrame((f) => f.type === "joinGroup");
      socket.push({ type: "ack", ackId, success: false, error: { name: "InternalServerError", message: "retry me" } });
      await new Promise((resolve) => setTimeout(resolve, 0)); // the retry wait has begun
      const reason = new Error("no more");
      controller.abort(reason);
      expectAbortError(await join, reason);
      expect(socket.framesOf("joinGroup")).toHaveLength(1);
      await client.stop();
    });
  });
});
