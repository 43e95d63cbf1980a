// The official @azure/web-pubsub-express 1.1.0 handler, mounted on an Express app, driven by the emulator's upstream.

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import {
  type ConnectedRequest,
  type ConnectRequest,
  type DisconnectedRequest,
  type UserEventRequest,
  WebPubSubEventHandler,
  type WebPubSubEventHandlerOptions,
} from "@azure/web-pubsub-express";
import { clientAudience, clientBaseUrl, signJwt } from "@webpubsub/core";
import { Recording } from "@webpubsub/test-kit";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startEmulator } from "../src/index.ts";

const HUB = "chat";
const JSON_PROTOCOL = "json.webpubsub.azure.v1";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

interface Setup {
  emulator: Emulator;
  /** Methods and paths the Express app saw, in order. */
  seen: Recording<string>;
  connected: Recording<ConnectedRequest>;
  disconnected: Recording<DisconnectedRequest>;
}

/**
 * Starts an Express app with the official handler at /eventhandler and an emulator whose hub sends it every event.
 * `options` may depend on the emulator's endpoint (for `allowedEndpoints`), so the handler is built after both start.
 */
async function setup(
  options:
    | Omit<WebPubSubEventHandlerOptions, "path">
    | ((endpoint: string) => Omit<WebPubSubEventHandlerOptions, "path">),
): Promise<Setup> {
  const seen = new Recording<string>();
  const connected = new Recording<ConnectedRequest>();
  const disconnected = new Recording<DisconnectedRequest>();
  let middleware: express.RequestHandler | undefined;
  const app = express();
  app.use((req, _res, next) => {
    seen.push(`${req.method} ${req.path} ${req.header("ce-type") ?? ""}`.trim());
    next();
  });
  app.use((req, res, next) => (middleware === undefined ? next() : middleware(req, res, next)));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const emulator = await startEmulator({
    port: 0,
    hubs: {
      [HUB]: {
        eventHandlers: [
          {
            urlTemplate: `${base}/eventhandler/{event}`,
            userEventPattern: "*",
            systemEvents: ["connect", "connected", "disconnected"],
          },
        ],
      },
    },
  });
  cleanups.push(() => emulator.close());
  const handler = new WebPubSubEventHandler(HUB, {
    path: "/eventhandler",
    onConnected: (req) => connected.push(req),
    onDisconnected: (req) => disconnected.push(req),
    ...(typeof options === "function" ? options(emulator.endpoint) : options),
  });
  middleware = handler.getMiddleware();
  return { emulator, seen, connected, disconnected };
}

async function clientUrl(emulator: Emulator, claims: Record<string, unknown>): Promise<string> {
  const token = await signJwt({ aud: clientAudience(emulator.endpoint, HUB), ...claims }, emulator.accessKey, {
    expiresInSeconds: 3600,
  });
  return `${clientBaseUrl(emulator.endpoint, HUB)}?access_token=${encodeURIComponent(token)}&room=lobby`;
}

interface Client {
  ws: WebSocket;
  messages: Recording<Record<string, unknown> | string>;
  closed: Promise<number>;
}

/** Opens a WebSocket client; resolves once open, rejects with the handshake status on an unexpected response. */
function connectClient(url: string, protocol?: string): Promise<Client> {
  const ws = protocol === undefined ? new WebSocket(url) : new WebSocket(url, protocol);
  const messages = new Recording<Record<string, unknown> | string>();
  ws.on("message", (data, isBinary) => {
    const text = isBinary ? `binary:${Buffer.from(data as Buffer).toString("hex")}` : data.toString();
    messages.push(protocol === undefined ? text : (JSON.parse(text) as Record<string, unknown>));
  });
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  cleanups.push(() => {
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
  });
  return new Promise((resolve, reject) => {
    ws.on("open", () => resolve({ ws, messages, closed }));
    ws.on("unexpected-response", (_req, res) => {
      reject(Object.assign(new Error(`handshake answered ${res.statusCode}`), { status: res.statusCode }));
      res.resume();
    });
    ws.on("error", reject);
  });
}

describe("official @azure/web-pubsub-express handler against the emulator", () => {
  it("passes abuse protection, accepts a connection, and sees connect / connected / disconnected", async () => {
    const connects: ConnectRequest[] = [];
    const { emulator, seen, connected, disconnected } = await setup({
      handleConnect: (req, res) => {
        connects.push(req);
        res.success();
      },
    });
    const client = await connectClient(
      await clientUrl(emulator, { sub: "alice", role: ["webpubsub.joinLeaveGroup"] }),
      JSON_PROTOCOL,
    );
    const hello = await client.messages.waitFor(
      (m) => typeof m === "object" && m.event === "connected",
      "the connected system message",
    );
    expect(hello).toMatchObject({ type: "system", event: "connected", userId: "alice" });
    const connectionId = (hello as { connectionId: string }).connectionId;

    expect(connects).toHaveLength(1);
    const req = connects[0]!;
    expect(req.context).toMatchObject({ hub: HUB, connectionId, userId: "alice", eventName: "connect" });
    expect(req.claims?.sub).toEqual(["alice"]);
    expect(req.claims?.role).toEqual(["webpubsub.joinLeaveGroup"]);
    expect(req.queries).toMatchObject({ room: ["lobby"] });
    expect(req.queries?.access_token).toBeUndefined();
    expect(req.subprotocols).toEqual([JSON_PROTOCOL]);

    const onConnected = await connected.waitFor(() => true, "onConnected");
    expect(onConnected.context).toMatchObject({ connectionId, userId: "alice" });

    client.ws.close(1000);
    const onDisconnected = await disconnected.waitFor(() => true, "onDisconnected");
    expect(onDisconnected.context.connectionId).toBe(connectionId);
    expect(typeof onDisconnected.reason).toBe("string");

    // validation happened first, exactly once, then the events in order
    expect(seen.items[0]).toBe("OPTIONS /eventhandler/validate");
    expect(seen.items.filter((s) => s.startsWith("OPTIONS"))).toHaveLength(1);
    expect(seen.items.slice(1)).toEqual([
      "POST /eventhandler/connect azure.webpubsub.sys.connect",
      "POST /eventhandler/connected azure.webpubsub.sys.connected",
      "POST /eventhandler/disconnected azure.webpubsub.sys.disconnected",
    ]);
  });

  it("overrides userId and groups from handleConnect", async () => {
    const { emulator } = await setup({
      handleConnect: (_req, res) => res.success({ userId: "override-user", groups: ["room-1"] }),
    });
    const client = await connectClient(await clientUrl(emulator, { sub: "token-user" }), JSON_PROTOCOL);
    const hello = await client.messages.waitFor(
      (m) => typeof m === "object" && m.event === "connected",
      "the connected system message",
    );
    expect(hello).toMatchObject({ userId: "override-user" });
    const service = new WebPubSubServiceClient(emulator.connectionString, HUB, { allowInsecureConnection: true });
    expect(await service.userExists("override-user")).toBe(true);
    expect(await service.userExists("token-user")).toBe(false);
    await service.group("room-1").sendToAll("to the group", { contentType: "text/plain" });
    const msg = await client.messages.waitFor(
      (m) => typeof m === "object" && m.type === "message",
      "the group message",
    );
    expect(msg).toMatchObject({ from: "group", group: "room-1", dataType: "text", data: "to the group" });
  });

  it("passes abuse protection with allowedEndpoints naming the emulator", async () => {
    const { emulator, connected } = await setup((endpoint) => ({
      allowedEndpoints: ["https://other.webpubsub.azure.com", endpoint],
      handleConnect: (_req, res) => res.success(),
    }));
    await connectClient(await clientUrl(emulator, { sub: "erin" }), JSON_PROTOCOL);
    expect((await connected.waitFor(() => true, "onConnected")).context.userId).toBe("erin");
  });

  it("sends no events to a handler whose allowedEndpoints exclude the emulator", async () => {
    let connects = 0;
    const { emulator, seen } = await setup({
      allowedEndpoints: ["https://other.webpubsub.azure.com"],
      handleConnect: (_req, res) => {
        connects++;
        res.success();
      },
    });
    const err = await connectClient(await clientUrl(emulator, { sub: "frank" }), JSON_PROTOCOL).then(
      () => undefined,
      (e: { status?: number }) => e,
    );
    expect(err?.status).toBe(500);
    expect(connects).toBe(0);
    expect(seen.items).toEqual(["OPTIONS /eventhandler/validate"]);
  });

  it("rejects the handshake with the handler's 401", async () => {
    const { emulator, connected } = await setup({
      handleConnect: (_req, res) => res.fail(401, "not you"),
    });
    const err = await connectClient(await clientUrl(emulator, { sub: "mallory" }), JSON_PROTOCOL).then(
      () => undefined,
      (e: { status?: number }) => e,
    );
    expect(err?.status).toBe(401);
    expect(connected.items).toHaveLength(0);
  });

  it("sets connection state on connect, reads and updates it in user events, and replies to the client", async () => {
    const seenStates: unknown[] = [];
    const { emulator, disconnected } = await setup({
      handleConnect: (_req, res) => {
        res.setState("count", 0);
        res.success();
      },
      handleUserEvent: (req: UserEventRequest, res) => {
        const count = (req.context.states.count as number) + 1;
        seenStates.push(req.context.states.count);
        res.setState("count", count);
        res.success(`${req.context.eventName}:${String(req.data)}:count=${count}`, "text");
      },
    });
    const client = await connectClient(await clientUrl(emulator, { sub: "carol" }), JSON_PROTOCOL);
    await client.messages.waitFor((m) => typeof m === "object" && m.event === "connected", "connected");
    for (const ackId of [1, 2]) {
      client.ws.send(JSON.stringify({ type: "event", event: "inc", dataType: "text", data: `n${ackId}`, ackId }));
      await client.messages.waitFor(
        (m) => typeof m === "object" && m.type === "ack" && m.ackId === ackId,
        `ack ${ackId}`,
      );
    }
    const replies = client.messages.items.filter((m) => typeof m === "object" && m.type === "message");
    expect(replies).toEqual([
      expect.objectContaining({ from: "server", dataType: "text", data: "inc:n1:count=1" }),
      expect.objectContaining({ from: "server", dataType: "text", data: "inc:n2:count=2" }),
    ]);
    // the reply arrives before the ack
    const order = client.messages.items
      .filter((m) => typeof m === "object" && (m.type === "message" || m.type === "ack"))
      .map((m) => (m as { type: string }).type);
    expect(order).toEqual(["message", "ack", "message", "ack"]);
    expect(seenStates).toEqual([0, 1]);
    client.ws.close(1000);
    const onDisconnected = await disconnected.waitFor(() => true, "onDisconnected");
    expect(onDisconnected.context.states).toEqual({ count: 2 });
  });

  it("delivers a simple client's frames as the message event and sends the reply back as a raw frame", async () => {
    const { emulator } = await setup({
      handleConnect: (_req, res) => res.success(),
      handleUserEvent: (req, res) => {
        if (req.dataType === "binary") {
          // the handler hands binary data over as a Buffer (typed ArrayBuffer) and writes a Buffer back as is
          const reversed = Buffer.from(new Uint8Array(req.data as ArrayBuffer)).reverse();
          res.success(reversed as unknown as ArrayBuffer, "binary");
        } else res.success(`echo:${req.context.eventName}:${String(req.data)}`, "text");
      },
    });
    const client = await connectClient(await clientUrl(emulator, { sub: "dave" }));
    client.ws.send("hello");
    expect(await client.messages.waitFor((m) => typeof m === "string" && m.startsWith("echo"), "text reply")).toBe(
      "echo:message:hello",
    );
    client.ws.send(Buffer.from([1, 2, 3]));
    expect(await client.messages.waitFor((m) => typeof m === "string" && m.startsWith("binary"), "reply")).toBe(
      "binary:030201",
    );
  });
});
