// A client connected to a scripted service (FakeServer), for the invocation, group-stream and reliability tests.
import { vi } from "vitest";
import { WebPubSubClient, type WebPubSubClientOptions } from "../../src/index.ts";
import { FakeServer, type FakeSocket } from "../fake-socket.ts";

export async function started(options: WebPubSubClientOptions = {}) {
  const server = new FakeServer();
  let n = 0;
  const getClientAccessUrl = vi.fn(async () => `ws://localhost:8080/client/hubs/chat?access_token=t${++n}`);
  const client = new WebPubSubClient(
    { getClientAccessUrl },
    {
      webSocketFactory: server.factory,
      reconnectRetryOptions: { retryDelayInMs: 1, jitter: false },
      messageRetryOptions: { retryDelayInMs: 1, jitter: false },
      ...options,
    },
  );
  await server.start(client, "conn1", "token1");
  return { server, client, socket: server.last, getClientAccessUrl };
}

/** Recovers the session on the next socket: open it and answer its ping. */
export async function recoverOn(server: FakeServer, index: number): Promise<FakeSocket> {
  const socket = await server.socket(index);
  socket.open();
  socket.push({ type: "pong" });
  return socket;
}
