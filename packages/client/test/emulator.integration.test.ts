// Integration tests against the in-process emulator: every operation and event over a real WebSocket.
import { createServer, type Server } from "node:http";
import { startEmulator } from "@webpubsub/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DataMessage,
  SendMessageError,
  WebPubSubClient,
  type WebPubSubClientOptions,
  type WebSocketFactory,
} from "../src/index.ts";
import { clientUrl, rest } from "./emulator-helpers.ts";
import { nextEvent } from "./fake-socket.ts";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
let emu: Emulator;
let handler: Server;
const HUB = "chat";
const ALL_ROLES = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];
const clients: WebPubSubClient[] = [];

beforeAll(async () => {
  // A tiny upstream event handler: echoes user events back as the response body.
  handler = createServer((req, res) => {
    if (req.method === "OPTIONS") {
      res.writeHead(200, { "webhook-allowed-origin": "*" }).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      if (req.headers["ce-type"] === "azure.webpubsub.user.fail") res.writeHead(400).end("bad event");
      else res.writeHead(200, { "content-type": "text/plain" }).end(`echo:${body}`);
    });
  });
  await new Promise<void>((r) => handler.listen(0, "127.0.0.1", r));
  const address = handler.address();
  const port = typeof address === "object" && address ? address.port : 0;
  emu = await startEmulator({
    port: 0,
    hubs: { [HUB]: { eventHandlers: [{ urlTemplate: `http://127.0.0.1:${port}/eh`, userEventPattern: "*" }] } },
  });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.stop()));
  await emu?.close();
  await new Promise((r) => handler?.close(r));
});

/** A factory over the global WebSocket that records every frame the client writes. */
function recordingFactory(sent: string[]): WebSocketFactory {
  return (url, protocols) => {
    const ws = new WebSocket(url, protocols);
    const send = ws.send.bind(ws);
    ws.send = (data: Parameters<WebSocket["send"]>[0]) => {
      if (typeof data === "string") sent.push(data);
      send(data);
    };
    return ws as never;
  };
}

async function newClient(
  opts: { userId?: string; roles?: string[]; sent?: string[] } & WebPubSubClientOptions = {},
): Promise<WebPubSubClient> {
  const { userId, roles = ALL_ROLES, sent, ...options } = opts;
  const client = new WebPubSubClient(
    {
      getClientAccessUrl: () => clientUrl(emu.endpoint, emu.accessKey, HUB, { ...(userId ? { userId } : {}), roles }),
    },
    { ...(sent ? { webSocketFactory: recordingFactory(sent) } : {}), ...options },
  );
  clients.push(client);
  return client;
}

describe.each([
  ["json", "json.webpubsub.azure.v1"],
  ["json.reliable", "json.reliable.webpubsub.azure.v1"],
] as const)("with %s", (protocol, subprotocol) => {
  it("start() resolves once connected (connectionId known), stop() resolves after stopped", async () => {
    const client = await newClient({ userId: "alice", protocol });
    const connected = nextEvent(client, "connected");
    await client.start();
    expect(client.state).toBe("Connected");
    expect(client.connectionId).toBeTruthy();
    expect(await connected).toEqual({ connectionId: client.connectionId, userId: "alice" });
    expect(client.protocol).toBe(subprotocol);
    let stopped = false;
    client.on("stopped", () => (stopped = true));
    await client.stop();
    expect(stopped).toBe(true);
    expect(client.state).toBe("Stopped");
  });

  it("join, send (text/json/binary), receive, noEcho, leave", async () => {
    const a = await newClient({ userId: "a", protocol });
    const b = await newClient({ userId: "b", protocol });
    await Promise.all([a.start(), b.start()]);
    const group = `g-${protocol}`;
    expect(await a.joinGroup(group)).toMatchObject({ isDuplicated: false });
    await b.joinGroup(group);
    const received: DataMessage[] = [];
    b.on("group-message", (e) => received.push(e.message));
    const aReceived: DataMessage[] = [];
    a.on("group-message", (e) => aReceived.push(e.message));

    const gotThree = new Promise<void>((resolve) => b.on("group-message", () => received.length === 3 && resolve()));
    await a.sendToGroup(group, "hello", "text");
    await a.sendToGroup(group, { n: 1 }, "json");
    await a.sendToGroup(group, new Uint8Array([1, 2, 255]), "binary", { noEcho: true });
    await gotThree;
    expect(received.map((m) => [m.dataType, m.data, (m as { fromUserId?: unknown }).fromUserId])).toEqual([
      ["text", "hello", "a"],
      ["json", { n: 1 }, "a"],
      ["binary", new Uint8Array([1, 2, 255]), "a"],
    ]);
    if (protocol === "json.reliable") expect(received.every((m) => typeof m.sequenceId === "number")).toBe(true);
    // a got its own first two (echo) but not the noEcho one
    await expect.poll(() => aReceived.length).toBe(2);

    await b.leaveGroup(group);
    await a.sendToGroup(group, "after-leave", "text");
    await expect.poll(() => aReceived.length).toBe(3); // a still a member: proves the send went through
    expect(received).toHaveLength(3);
    await Promise.all([a.stop(), b.stop()]);
  });

  it("sendEvent gets the handler's reply as a server message before the ack; handler failure is a SendMessageError", async () => {
    const client = await newClient({ protocol, messageRetryOptions: { maxRetries: 1, retryDelayInMs: 1 } });
    await client.start();
    const order: string[] = [];
    client.on("server-message", (e) => order.push(`message:${String(e.message.data)}`));
    await client.sendEvent("greet", "hi", "text").then(() => order.push("ack"));
    expect(order).toEqual(["message:echo:hi", "ack"]);
    const error = await client.sendEvent("fail", "x", "text").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendMessageError);
    expect((error as SendMessageError).errorDetail?.name).toBe("InternalServerError");
    await client.stop();
  });

  it("Forbidden is not retried; Duplicate resolves with isDuplicated", async () => {
    const sent: string[] = [];
    const client = await newClient({ roles: [], sent, protocol });
    await client.start();
    const error = (await client.sendToGroup("locked", "x", "text").catch((e: unknown) => e)) as SendMessageError;
    expect(error).toBeInstanceOf(SendMessageError);
    expect(error.errorDetail?.name).toBe("Forbidden");
    expect(error.ackId).toBe(1);
    await expect(client.joinGroup("locked")).rejects.toMatchObject({ errorDetail: { name: "Forbidden" } });
    expect(sent.filter((f) => f.includes('"locked"'))).toHaveLength(2); // one frame each, no retries

    expect(await client.sendEvent("greet", "1", "text", { ackId: 100 })).toEqual({ ackId: 100, isDuplicated: false });
    expect(await client.sendEvent("greet", "1", "text", { ackId: 100 })).toEqual({ ackId: 100, isDuplicated: true });
    // ackId 0 is a valid uint64 id: acked, and deduplicated like any other.
    expect(await client.sendEvent("greet", "0", "text", { ackId: 0 })).toEqual({ ackId: 0, isDuplicated: false });
    expect(await client.sendEvent("greet", "0", "text", { ackId: 0 })).toEqual({ ackId: 0, isDuplicated: true });
    await client.stop();
  });

  it("server messages from REST arrive as server-message and through messages()", async () => {
    const client = await newClient({ userId: `rest-${protocol}`, protocol });
    await client.start();
    const iterator = client.messages()[Symbol.asyncIterator]();
    await rest(emu.endpoint, emu.accessKey, "POST", `${HUB}/connections/${client.connectionId}/:send`, {
      contentType: "application/json",
      data: JSON.stringify({ hello: "rest" }),
    });
    await rest(emu.endpoint, emu.accessKey, "POST", `${HUB}/users/rest-${protocol}/:send`, {
      contentType: "application/octet-stream",
      data: new Uint8Array([9, 8]),
    });
    const first = (await iterator.next()).value as DataMessage;
    const second = (await iterator.next()).value as DataMessage;
    expect([first.from, first.dataType, first.data]).toEqual(["server", "json", { hello: "rest" }]);
    expect([second.dataType, second.data]).toEqual(["binary", new Uint8Array([9, 8])]);
    await client.stop();
    expect((await iterator.next()).done).toBe(true);
  });

  it("a REST close: disconnected with the reason, then a new connection with a fresh URL from getClientAccessUrl", async () => {
    let calls = 0;
    const client = new WebPubSubClient(
      {
        getClientAccessUrl: async () => {
          calls++;
          return clientUrl(emu.endpoint, emu.accessKey, HUB, { userId: `u${calls}`, roles: ALL_ROLES });
        },
      },
      { protocol, reconnectRetryOptions: { retryDelayInMs: 10 } },
    );
    clients.push(client);
    await client.start();
    await client.joinGroup("rejoin-me");
    const first = client.connectionId;
    const disconnected = nextEvent(client, "disconnected");
    const connected = nextEvent(client, "connected");
    await rest(emu.endpoint, emu.accessKey, "DELETE", `${HUB}/connections/${first}?reason=bye`);
    const d = await disconnected;
    expect(d.connectionId).toBe(first);
    expect(d.message).toContain("bye");
    const c = await connected;
    expect(c.connectionId).not.toBe(first);
    expect(c.userId).toBe("u2"); // the second URL was used
    expect(calls).toBe(2);
    // the group was rejoined on the new connection
    const got = nextEvent(client, "group-message");
    await rest(emu.endpoint, emu.accessKey, "POST", `${HUB}/groups/rejoin-me/:send`, {
      contentType: "text/plain",
      data: "again",
    });
    expect((await got).message.data).toBe("again");
    await client.stop();
  });
});

it("start() rejects when the token is refused (401)", async () => {
  const client = new WebPubSubClient(await clientUrl(emu.endpoint, "wrong-key-wrong-key-wrong-key-wrong-key-00", HUB));
  const error = await client.start().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  expect(client.state).toBe("Stopped");
});

it("works with the ws package through webSocketFactory (text and binary frames)", async () => {
  const { default: WS } = await import("ws");
  const headersSeen: string[] = [];
  const client = await newClient({
    userId: "ws-user",
    webSocketFactory: (url, protocols) => {
      headersSeen.push("x-test");
      return new WS(url, protocols, { headers: { "x-test": "1" } }) as never;
    },
  });
  await client.start();
  await client.joinGroup("ws-group");
  const got = new Promise<unknown[]>((resolve) => {
    const out: unknown[] = [];
    client.on("group-message", (e) => {
      out.push(e.message.data);
      if (out.length === 2) resolve(out);
    });
  });
  await client.sendToGroup("ws-group", "text via ws", "text");
  await client.sendToGroup("ws-group", new Uint8Array([7, 7]), "binary");
  expect(await got).toEqual(["text via ws", new Uint8Array([7, 7])]);
  expect(headersSeen).toEqual(["x-test"]);
  await client.stop();
  expect(client.state).toBe("Stopped");
});

it("a rejoin refused by the service emits rejoin-group-failed, then connected", async () => {
  let calls = 0;
  const client = new WebPubSubClient(
    {
      getClientAccessUrl: () =>
        // the second connection may no longer join groups
        clientUrl(emu.endpoint, emu.accessKey, HUB, { roles: ++calls === 1 ? ALL_ROLES : [] }),
    },
    { protocol: "json", reconnectRetryOptions: { retryDelayInMs: 10 } },
  );
  clients.push(client);
  await client.start();
  await client.joinGroup("members-only");
  const failed = nextEvent(client, "rejoin-group-failed");
  const connected = nextEvent(client, "connected");
  await rest(emu.endpoint, emu.accessKey, "DELETE", `${HUB}/connections/${client.connectionId}`);
  const f = await failed;
  expect(f.group).toBe("members-only");
  expect((f.error as SendMessageError).errorDetail?.name).toBe("Forbidden");
  await connected;
  await client.stop();
});

it("interoperates with the official @azure/web-pubsub-client as a peer", async () => {
  const { WebPubSubClient: OfficialClient } = await import("@azure/web-pubsub-client");
  const official = new OfficialClient(
    await clientUrl(emu.endpoint, emu.accessKey, HUB, { userId: "azure", roles: ALL_ROLES }),
  );
  const ours = await newClient({ userId: "ours" });
  await Promise.all([official.start(), ours.start()]);
  await Promise.all([official.joinGroup("interop"), ours.joinGroup("interop")]);
  const officialGot = new Promise<unknown>((resolve) =>
    official.on("group-message", (e) => e.message.fromUserId === "ours" && resolve(e.message.data)),
  );
  const oursGot = new Promise<unknown>((resolve) =>
    ours.on("group-message", (e) => e.message.fromUserId === "azure" && resolve(e.message.data)),
  );
  await ours.sendToGroup("interop", { from: "ours" }, "json");
  await official.sendToGroup("interop", { from: "azure" }, "json");
  expect(await officialGot).toEqual({ from: "ours" });
  expect(await oursGot).toEqual({ from: "azure" });
  official.stop();
  await ours.stop();
});
