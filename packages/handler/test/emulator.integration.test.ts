// The handler behind a node:http server, called by the emulator as the upstream service, with real WebSocket clients.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { clientAudience, signJwt } from "@webpubsub/core";
import { startEmulator } from "@webpubsub/emulator";
import { Recording } from "@webpubsub/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type DisconnectedRequest, WebPubSubEventHandler } from "../src/index.ts";
import { toNodeListener } from "../src/node.ts";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

const JSON_PROTOCOL = "json.webpubsub.azure.v1";
/** Only stops a hung wait, just under the 20 s test timeout, never a slow one. */
const HUNG_WAIT_MS = 15_000;
/** The first item `r` recorded, or records later, that `match` accepts. */
const until = <T>(r: Recording<T>, match: (item: T) => boolean) => r.waitFor(match, "matching event", HUNG_WAIT_MS);

const connected = new Recording<{ connectionId: string; userId?: string; states: Record<string, unknown> }>();
const disconnected = new Recording<DisconnectedRequest>();
const errors: unknown[] = [];

let server: Server;
let emulator: Emulator;

// a key of our own (not the emulator default), so a passing signature check proves the emulator signs with it
const ACCESS_KEY = "integration-test-key-0123456789abcdefghijklmnopqrstuvwxyz";

function makeHandler(): WebPubSubEventHandler {
  return new WebPubSubEventHandler("chat", {
    accessKeys: [ACCESS_KEY],
    onError: (e) => errors.push(e),
    handleConnect: async (req, res) => {
      const mode = req.query?.mode?.[0];
      res.setState("count", 0);
      if (mode === "reject") return res.fail(401, "not welcome");
      if (mode === "forbid") return res.fail(403);
      if (mode === "override") return res.success({ userId: "overridden", subprotocol: req.subprotocols?.[0] });
      res.success();
    },
    handleUserEvent: async (req, res) => {
      const count = Number(req.context.states.count ?? 0) + 1;
      res.setState("count", count);
      const event = req.context.eventName;
      if (event === "count") return res.success(String(count), "text");
      if (req.dataType === "json") return res.success({ got: req.data, event }, "json");
      if (req.dataType === "binary") return res.success(req.data.slice().reverse());
      res.success(`echo ${req.data}`, "text");
    },
    onConnected: (req) => {
      connected.push({
        connectionId: req.context.connectionId,
        userId: req.context.userId,
        states: req.context.states,
      });
    },
    onDisconnected: (req) => {
      disconnected.push(req);
    },
  });
}

beforeAll(async () => {
  server = createServer(toNodeListener(makeHandler()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  emulator = await startEmulator({
    port: 0,
    accessKey: ACCESS_KEY,
    hubs: {
      chat: {
        eventHandlers: [
          {
            urlTemplate: `http://127.0.0.1:${port}/api/webpubsub/hubs/{hub}/`,
            userEventPattern: "*",
            systemEvents: ["connect", "connected", "disconnected"],
          },
        ],
      },
    },
  });
});

afterAll(async () => {
  await emulator?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

async function clientUrl(userId: string, query = ""): Promise<string> {
  const aud = clientAudience(emulator.endpoint, "chat");
  const token = await signJwt({ aud, sub: userId }, emulator.accessKey, { expiresInSeconds: 600 });
  return `${emulator.endpoint.replace(/^http/, "ws")}/client/hubs/chat?access_token=${token}${query}`;
}

interface Client {
  ws: WebSocket;
  messages: Recording<unknown>;
}

/** Opens a client; resolves once open (rejects with the handshake status when refused). */
function open(url: string, protocol?: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = protocol ? new WebSocket(url, protocol) : new WebSocket(url);
    const messages = new Recording<unknown>();
    ws.on("message", (data, isBinary) => {
      messages.push(isBinary ? new Uint8Array(data as Buffer) : protocol ? JSON.parse(String(data)) : String(data));
    });
    ws.once("open", () => resolve({ ws, messages }));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c;
      });
      res.on("end", () =>
        reject(Object.assign(new Error(`handshake ${res.statusCode}`), { status: res.statusCode, body })),
      );
    });
    ws.once("error", reject);
  });
}

type Msg = { type?: string; event?: string; from?: string; dataType?: string; data?: unknown; userId?: string };

describe("with the emulator as the upstream caller", () => {
  it("connect accepted with the token's defaults; connected fires with the state set on connect", async () => {
    const { ws, messages } = await open(await clientUrl("alice"), JSON_PROTOCOL);
    const hello = (await until(messages, (m) => (m as Msg).event === "connected")) as Msg & { connectionId: string };
    expect(hello.userId).toBe("alice");
    const event = await until(connected, (c) => c.connectionId === hello.connectionId);
    expect(event.userId).toBe("alice");
    expect(event.states).toEqual({ count: 0 });
    ws.close();
  });

  it("connect override reaches the client (userId and subprotocol)", async () => {
    const { ws, messages } = await open(await clientUrl("alice", "&mode=override"), JSON_PROTOCOL);
    expect(ws.protocol).toBe(JSON_PROTOCOL);
    const hello = (await until(messages, (m) => (m as Msg).event === "connected")) as Msg;
    expect(hello.userId).toBe("overridden");
    ws.close();
  });

  it.each([
    ["reject", 401],
    ["forbid", 403],
  ])("connect %s reaches the client as handshake status %i", async (mode, status) => {
    const attempt = open(await clientUrl("mallory", `&mode=${mode}`), JSON_PROTOCOL);
    await expect(attempt).rejects.toMatchObject({ status });
  });

  it("user events round-trip text, JSON and binary replies, with state surviving across events", async () => {
    const { ws, messages } = await open(await clientUrl("bob"), JSON_PROTOCOL);
    await until(messages, (m) => (m as Msg).event === "connected");
    const send = (m: object) => ws.send(JSON.stringify(m));
    const seen = new Set<unknown>();
    const reply = async () => {
      const m = await until(messages, (m) => (m as Msg).from === "server" && !seen.has(m));
      seen.add(m);
      return m as Msg;
    };

    send({ type: "event", event: "chat", dataType: "text", data: "hi" });
    expect(await reply()).toMatchObject({ dataType: "text", data: "echo hi" });

    send({ type: "event", event: "chat", dataType: "json", data: { a: [1, 2] } });
    expect(await reply()).toMatchObject({ dataType: "json", data: { got: { a: [1, 2] }, event: "chat" } });

    send({ type: "event", event: "chat", dataType: "binary", data: Buffer.from([1, 2, 3]).toString("base64") });
    const binary = await reply();
    expect(binary.dataType).toBe("binary");
    expect([...Buffer.from(binary.data as string, "base64")]).toEqual([3, 2, 1]);

    // three events so far: the counter kept in the connection state continues at 4
    send({ type: "event", event: "count", dataType: "text", data: "" });
    expect(await reply()).toMatchObject({ dataType: "text", data: "4" });
    send({ type: "event", event: "count", dataType: "text", data: "" });
    expect(await reply()).toMatchObject({ dataType: "text", data: "5" });
    ws.close();
  });

  it("a raw WebSocket client gets raw text and binary frames back", async () => {
    const { ws, messages } = await open(await clientUrl("raw"));
    ws.send("hello");
    expect(await until(messages, (m) => typeof m === "string")).toBe("echo hello");
    ws.send(Buffer.from([7, 8, 9]));
    expect(await until(messages, (m) => m instanceof Uint8Array)).toEqual(new Uint8Array([9, 8, 7]));
    ws.close();
  });

  it("disconnected fires with the last state when the client leaves", async () => {
    const { ws, messages } = await open(await clientUrl("carol"), JSON_PROTOCOL);
    const hello = (await until(messages, (m) => (m as Msg).event === "connected")) as Msg & { connectionId: string };
    ws.send(JSON.stringify({ type: "event", event: "count", dataType: "text", data: "" }));
    await until(messages, (m) => (m as Msg).from === "server");
    ws.close();
    const event = await until(disconnected, (d) => d.context.connectionId === hello.connectionId);
    expect(event.context.userId).toBe("carol");
    expect(event.context.states).toEqual({ count: 1 });
    expect(typeof (event.reason ?? "")).toBe("string");
  });

  // (a throwing handler answers 500, which the emulator retries for seconds: covered by unit tests instead)
  it("no handler errors were reported", () => {
    expect(errors.map(String)).toEqual([]);
  });
});
