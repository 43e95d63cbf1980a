// Record and playback with each socket the recorder wraps in practice, against the emulator as the live peer: the
// `ws` package's (what the README recommends on Node), Node's global WebSocket, and the `ws` socket the official
// @azure/web-pubsub-client opens. Each session is closed once by the client and once by the server (REST close with a
// reason), the path where `ws` echoes the server's close through its own public close(code, <Buffer>).
import { readFile } from "node:fs/promises";
import { WebPubSubClient, WebPubSubJsonProtocol } from "@azure/web-pubsub-client";
import { startEmulator } from "@webpubsub/emulator";
import { describe, expect, it } from "vitest";
import { WebSocket as WsWebSocket } from "ws";
import {
  createRecorder,
  parseRecording,
  type Recorder,
  type RecordingFile,
  type WebSocketFactory,
  type WebSocketLike,
} from "../src/index.ts";
import { emulatorRest } from "./emulator-rest.ts";
import { tempDirPerTest } from "./helpers.ts";
import { openClient } from "./ws-client.ts";

const HUB = "chat";
const wsFactory: WebSocketFactory = (url, protocols) => new WsWebSocket(url, protocols);
const globalFactory: WebSocketFactory = (url, protocols) => new WebSocket(url, protocols);

const tmp = tempDirPerTest();

/** Records `scenario` against a fresh emulator, then replays it with the emulator gone; returns both results. */
async function recordThenReplay<T>(
  name: string,
  factory: WebSocketFactory,
  scenario: (recorder: Recorder, env: Record<string, string | undefined>) => Promise<T>,
): Promise<{ recorded: T; replayed: T; file: RecordingFile }> {
  const recordingPath = tmp.path(`${name}.json`);
  const emulator = await startEmulator({ port: 0 });
  let recorded: T;
  try {
    const env: Record<string, string | undefined> = { AZURE_WEBPUBSUB_CONNECTION_STRING: emulator.connectionString };
    const recorder = await createRecorder(undefined, { mode: "record", recordingPath, env, webSocketFactory: factory });
    recorded = await scenario(recorder, env);
    await recorder.stop();
  } finally {
    await emulator.close();
  }
  const file = parseRecording(await readFile(recordingPath, "utf8"));
  // Playback: nothing listens any more; the recorder puts a fake connection string in this environment.
  const env: Record<string, string | undefined> = {};
  const recorder = await createRecorder(undefined, { mode: "playback", recordingPath, env, failOnUnusedEntries: true });
  const replayed = await scenario(recorder, env);
  await recorder.stop();
  return { recorded: recorded!, replayed, file };
}

/** Client frames of every session, as recorded: what the client did, never what its library did on its own. */
function clientFrames(file: RecordingFile): unknown[][] {
  return (file.WebSocketSessions ?? []).map((s) =>
    s.Frames.filter((f) => f.Direction === "Sent").map((f) =>
      f.Event === "close" ? { close: f.Code, reason: f.Reason } : f.Text,
    ),
  );
}

/** A raw JSON-subprotocol client through the recorder: one session closed by the client, one by the server. */
async function rawScenario(recorder: Recorder, env: Record<string, string | undefined>, closeReason: unknown) {
  const rest = emulatorRest(recorder, env, HUB);
  const results: unknown[] = [];
  const url = await rest.clientUrl("userId=alice&role=webpubsub.joinLeaveGroup");

  const first = openClient(recorder.webSocketFactory, url, "json.webpubsub.azure.v1");
  await first.opened;
  results.push(await first.waitFor((m) => m.event === "connected", "connected"));
  first.send({ type: "joinGroup", group: "g", ackId: 1 });
  results.push(await first.waitFor((m) => m.type === "ack", "ack"));
  results.push((await rest.call("POST", "/groups/g/:send", "hi g", "text/plain")).status);
  results.push(await first.waitFor((m) => m.group === "g", "group message"));
  // `ws` takes a Buffer reason as well as a string; the DOM socket only a string.
  (first.ws.close as (code: number, reason: unknown) => void)(3001, closeReason);
  results.push(await first.closed);

  const second = openClient(recorder.webSocketFactory, url, "json.webpubsub.azure.v1");
  await second.opened;
  const connected = await second.waitFor((m) => m.event === "connected", "connected");
  const kicked = await rest.call("DELETE", `/connections/${connected.connectionId as string}?reason=kicked%20out`);
  results.push(kicked.status);
  results.push(await second.closed);
  results.push(second.messages);
  return results;
}

describe("record and playback with the socket factories users plug in", () => {
  it("the `ws` factory: a Buffer close reason and ws's echo of a server close are recorded as text, once", async () => {
    const { recorded, replayed, file } = await recordThenReplay("ws", wsFactory, (r, env) =>
      rawScenario(r, env, Buffer.from("bye ✓")),
    );
    expect(recorded.at(4)).toEqual({ code: 3001, reason: "bye ✓" });
    expect(recorded.at(6)).toEqual({ code: 1000, reason: "kicked out" });
    expect(replayed).toEqual(recorded);
    // The server's close is the server's: no client close frame in the second session.
    expect(clientFrames(file)).toEqual([
      ['{"type":"joinGroup","group":"g","ackId":1}', { close: 3001, reason: "bye ✓" }],
      [],
    ]);
    const closes = file.WebSocketSessions!.flatMap((s) => s.Frames.filter((f) => f.Event === "close"));
    for (const frame of closes) expect(typeof frame.Reason).toBe("string");
  });

  it("the global WebSocket: the same scenario records the same client frames and replays", async () => {
    const { recorded, replayed, file } = await recordThenReplay("global", globalFactory, (r, env) =>
      rawScenario(r, env, "bye ✓"),
    );
    expect(recorded.at(4)).toEqual({ code: 3001, reason: "bye ✓" });
    expect(recorded.at(6)).toEqual({ code: 1000, reason: "kicked out" });
    expect(replayed).toEqual(recorded);
    expect(clientFrames(file)).toEqual([
      ['{"type":"joinGroup","group":"g","ackId":1}', { close: 3001, reason: "bye ✓" }],
      [],
    ]);
  });
});

/**
 * The official client has no socket factory option: its Node build opens `ws` sockets inside a private
 * `_getWebSocketClientFactory()`. This routes them through the recorder with an adapter shaped like its own
 * WebSocketClient (binaryType "arraybuffer", `send(data, callback)`), over the same `ws` socket it would open.
 */
function routeThroughRecorder(client: WebPubSubClient, factory: WebSocketFactory): void {
  (client as unknown as { _getWebSocketClientFactory: () => unknown })._getWebSocketClientFactory = () => ({
    create(uri: string, protocol: string) {
      const socket: WebSocketLike = factory(uri, protocol);
      socket.binaryType = "arraybuffer";
      return {
        onopen: (fn: () => void) => {
          socket.onopen = fn;
        },
        onclose: (fn: (code: number, reason: string) => void) => {
          socket.onclose = (e: CloseEvent) => fn(e.code, e.reason);
        },
        onerror: (fn: (error: unknown) => void) => {
          socket.onerror = (e: { error?: unknown }) => fn(e.error);
        },
        onmessage: (fn: (data: unknown) => void) => {
          socket.onmessage = (e: MessageEvent) => fn(e.data);
        },
        close: (code?: number, reason?: string) => socket.close(code, reason),
        send: (data: unknown) =>
          new Promise<void>((resolve, reject) =>
            (socket.send as (data: unknown, cb: (error?: Error) => void) => void)(data, (error) =>
              error ? reject(error) : resolve(),
            ),
          ),
        isOpen: () => socket.readyState === 1,
      };
    },
  });
}

describe("record and playback of the official @azure/web-pubsub-client", () => {
  it("records its `ws` socket (client stop and server close) and replays it through the same adapter", async () => {
    const scenario = async (recorder: Recorder, env: Record<string, string | undefined>) => {
      const rest = emulatorRest(recorder, env, HUB);
      const url = await rest.clientUrl("userId=bob&role=webpubsub.joinLeaveGroup&role=webpubsub.sendToGroup");
      const events: unknown[] = [];
      for (const closedBy of ["client", "server"] as const) {
        const client = new WebPubSubClient(url, {
          protocol: WebPubSubJsonProtocol(),
          autoReconnect: false,
          autoRejoinGroups: false,
          keepAliveIntervalInMs: 0,
          keepAliveTimeoutInMs: 0,
        });
        routeThroughRecorder(client, recorder.webSocketFactory);
        const stopped = new Promise<void>((resolve) => client.on("stopped", () => resolve()));
        const groupMessage = new Promise<unknown>((resolve) =>
          client.on("group-message", (e) => resolve(e.message.data)),
        );
        let connectionId = "";
        client.on("connected", (e) => {
          connectionId = e.connectionId;
          events.push({ closedBy, connected: e.userId });
        });
        client.on("disconnected", (e) => events.push({ closedBy, disconnected: e.message ?? null }));
        await client.start();
        await client.joinGroup("g");
        await client.sendToGroup("g", `hello ${closedBy}`, "text");
        events.push({ closedBy, received: await groupMessage });
        if (closedBy === "client") client.stop();
        else events.push({ kicked: (await rest.call("DELETE", `/connections/${connectionId}?reason=bye`)).status });
        await stopped;
      }
      return events;
    };
    const { recorded, replayed, file } = await recordThenReplay("official", wsFactory, scenario);
    expect(recorded).toContainEqual({ closedBy: "server", received: "hello server" });
    expect(recorded).toContainEqual({ kicked: 204 });
    expect(replayed).toEqual(recorded);
    const [byClient, byServer] = clientFrames(file);
    expect(byClient!.at(-1)).toEqual({ close: undefined, reason: undefined });
    expect(byServer!.filter((f) => typeof f === "object")).toEqual([]);
  });
});
