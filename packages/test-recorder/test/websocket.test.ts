import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket as WsSocket, WebSocket as WsWebSocket } from "ws";
import {
  createRecorder,
  parseRecording,
  RecordingMismatchError,
  ReplayWebSocket,
  type WebSocketLike,
} from "../src/index.ts";
import { tempDirPerTest } from "./helpers.ts";
import { WAIT_LIMIT_MS } from "./ws-client.ts";

const tmp = tempDirPerTest();

/** A ws server: greets, answers "ping-N" with "pong-N", echoes binary reversed, closes with 4000 on "bye". */
async function startWsServer() {
  const wss = new WebSocketServer({
    port: 0,
    host: "127.0.0.1",
    handleProtocols: (protocols) => [...protocols][0] ?? false,
  });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  let connections = 0;
  wss.on("connection", (socket: WsSocket) => {
    connections++;
    socket.send(`welcome-${connections}`);
    socket.on("message", (data, isBinary) => {
      if (isBinary) {
        socket.send(Buffer.from([...(data as Buffer)].reverse()));
        return;
      }
      const text = data.toString();
      if (text === "bye") socket.close(4000, "bye bye");
      else if (text.startsWith("ping-")) socket.send(`pong-${text.slice(5)}`);
    });
  });
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/chat?x=1`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

interface Transcript {
  events: unknown[];
  socket: WebSocketLike;
  opened: Promise<void>;
  closed: Promise<void>;
  next: (pred: (e: unknown) => boolean) => Promise<unknown>;
}

function watch(socket: WebSocketLike): Transcript {
  socket.binaryType = "arraybuffer";
  const events: unknown[] = [];
  const waiters = new Set<() => void>();
  const push = (e: unknown) => {
    events.push(e);
    for (const w of [...waiters]) w();
  };
  const opened = new Promise<void>((resolve) => socket.addEventListener("open", () => resolve()));
  const closed = new Promise<void>((resolve) =>
    socket.addEventListener("close", (e: CloseEvent) => {
      push({ close: e.code, reason: e.reason });
      resolve();
    }),
  );
  socket.onmessage = (e) => push(typeof e.data === "string" ? e.data : [...new Uint8Array(e.data as ArrayBuffer)]);
  return {
    events,
    socket,
    opened,
    closed,
    next: (pred) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timeout; events ${JSON.stringify(events)}`)), WAIT_LIMIT_MS);
        const check = () => {
          const found = events.find(pred);
          if (found !== undefined) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(found);
          }
        };
        waiters.add(check);
        check();
      }),
  };
}

async function conversation(factory: (url: string, protocols?: string | string[]) => WebSocketLike, url: string) {
  const first = watch(factory(url, ["chat.v1", "chat.v2"]));
  await first.opened;
  await first.next((e) => typeof e === "string" && e.startsWith("welcome"));
  first.socket.send("ping-1");
  await first.next((e) => e === "pong-1");
  first.socket.send(new Uint8Array([1, 2, 3]));
  await first.next((e) => Array.isArray(e));
  first.socket.send(new Blob([new Uint8Array([9, 8])]));
  await first.next((e) => Array.isArray(e) && e[0] === 8);
  first.socket.send("bye");
  await first.closed;
  // A second connection to the same URL (a reconnect) replays its own session.
  const second = watch(factory(url, ["chat.v1", "chat.v2"]));
  await second.opened;
  await second.next((e) => e === "welcome-2");
  second.socket.send("ping-2");
  await second.next((e) => e === "pong-2");
  second.socket.close(1000, "done");
  await second.closed;
  return { first: first.events, second: second.events, protocol: first.socket.protocol };
}

describe("WebSocket record and replay", () => {
  it("records frames through the factory hook and replays them without the server", async () => {
    const server = await startWsServer();
    const recordingPath = tmp.path("ws.json");
    let recorded: Awaited<ReturnType<typeof conversation>>;
    try {
      const recorder = await createRecorder(undefined, { mode: "record", recordingPath, env: {} });
      recorded = await conversation(recorder.webSocketFactory, server.url);
      await recorder.stop();
    } finally {
      await server.close();
    }
    expect(recorded.first).toEqual(["welcome-1", "pong-1", [3, 2, 1], [8, 9], { close: 4000, reason: "bye bye" }]);
    expect(recorded.second).toEqual(["welcome-2", "pong-2", { close: 1000, reason: "done" }]);
    expect(recorded.protocol).toBe("chat.v1");

    const file = parseRecording(await readFile(recordingPath, "utf8"));
    expect(file.Entries).toEqual([]);
    expect(file.WebSocketSessions).toHaveLength(2);
    expect(file.WebSocketSessions![0]!.Url).toBe("wss://fake.webpubsub.azure.com/chat?x=1");
    expect(file.WebSocketSessions![0]!.Frames).toContainEqual({ Direction: "Sent", Event: "message", Binary: "CQg=" });

    const recorder = await createRecorder(undefined, { mode: "playback", recordingPath, env: {} });
    const replayed = await conversation(recorder.webSocketFactory, "ws://localhost:1/chat?x=1");
    await recorder.stop();
    expect(replayed).toEqual(recorded);
  });

  it("holds back server frames recorded after a client frame until the client sends it", async () => {
    const server = await startWsServer();
    const recordingPath = tmp.path("order.json");
    try {
      const recorder = await createRecorder(undefined, { mode: "record", recordingPath, env: {} });
      const t = watch(recorder.webSocketFactory(server.url));
      await t.next((e) => e === "welcome-1");
      t.socket.send("ping-7");
      await t.next((e) => e === "pong-7");
      t.socket.close();
      await t.closed;
      await recorder.stop();
    } finally {
      await server.close();
    }
    const recorder = await createRecorder(undefined, { mode: "playback", recordingPath, env: {} });
    const t = watch(recorder.webSocketFactory(server.url));
    expect(t.socket).toBeInstanceOf(ReplayWebSocket);
    expect(() => t.socket.send("too early")).toThrow(/not open/);
    await t.next((e) => e === "welcome-1");
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    expect(t.events).toEqual(["welcome-1"]);
    t.socket.send("ping-7");
    await t.next((e) => e === "pong-7");
    t.socket.close();
    await t.closed;
    await recorder.stop();
  });

  it("with `ws`, a protocol error from the server closes the socket without a recorded client close, and replays", async () => {
    // A server that answers the handshake, then sends a frame with a reserved opcode: `ws` fails the connection
    // (1002) by calling its own public close(), which is not the client closing.
    const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    wss.on("connection", (socket: WsSocket) => {
      (socket as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from([0x83, 0x00]));
    });
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/bad`;
    const recordingPath = tmp.path("protocol-error.json");
    const run = async (factory: (url: string) => WebSocketLike) => {
      const t = watch(factory(url));
      const errors: string[] = [];
      t.socket.addEventListener("error", () => errors.push("error"));
      await t.closed;
      return { events: t.events, errors };
    };
    let recorded: Awaited<ReturnType<typeof run>>;
    try {
      const recorder = await createRecorder(undefined, {
        mode: "record",
        recordingPath,
        env: {},
        webSocketFactory: (u, p) => new WsWebSocket(u, p),
      });
      recorded = await run((u) => recorder.webSocketFactory(u));
      await recorder.stop();
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
    expect(recorded.errors).toEqual(["error"]);
    expect(recorded.events).toEqual([{ close: 1006, reason: "" }]);
    const frames = parseRecording(await readFile(recordingPath, "utf8")).WebSocketSessions![0]!.Frames;
    expect(frames.filter((f) => f.Direction === "Sent")).toEqual([]);
    const recorder = await createRecorder(undefined, { mode: "playback", recordingPath, env: {} });
    expect(await run((u) => recorder.webSocketFactory(u))).toEqual(recorded);
    await recorder.stop();
  });

  it("fails an unrecorded connection with the closest session, and ends early closes cleanly", async () => {
    const recordingPath = tmp.path("manual.json");
    const { writeFile } = await import("node:fs/promises");
    await writeFile(
      recordingPath,
      JSON.stringify({
        Entries: [],
        Variables: {},
        WebSocketSessions: [
          {
            Url: "wss://endpoint/client/hubs/chat?access_token=Sanitized",
            Protocols: ["json.webpubsub.azure.v1"],
            Protocol: "json.webpubsub.azure.v1",
            Frames: [
              { Direction: "Received", Event: "open" },
              { Direction: "Received", Event: "message", Text: '{"type":"system","event":"connected"}' },
              { Direction: "Sent", Event: "message", Text: '{"type":"joinGroup","group":"g","ackId":1}' },
              { Direction: "Received", Event: "message", Text: '{"type":"ack","ackId":1,"success":true}' },
            ],
          },
        ],
      }),
    );
    const recorder = await createRecorder(undefined, { mode: "playback", recordingPath, env: {} });
    expect(() =>
      recorder.webSocketFactory("wss://h/client/hubs/other?access_token=abc", "json.webpubsub.azure.v1"),
    ).toThrow(
      /Unmatched WebSocket connection[\s\S]*Closest recorded session: #0[\s\S]*path: request wss:\/\/fake.webpubsub.azure.com\/client\/hubs\/other, recorded wss:\/\/fake.webpubsub.azure.com\/client\/hubs\/chat/,
    );
    // A JWT in the URL is sanitized before matching, so a fresh token matches the recorded "Sanitized".
    const t = watch(
      recorder.webSocketFactory(
        "wss://h/client/hubs/chat?access_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
        "json.webpubsub.azure.v1",
      ),
    );
    await t.next((e) => typeof e === "string" && e.includes("connected"));
    // JSON frames are compared structurally.
    t.socket.send('{"ackId":1,"group":"g","type":"joinGroup"}');
    await t.next((e) => typeof e === "string" && e.includes("ack"));
    t.socket.close(3001, "early");
    await t.closed;
    expect(t.events.at(-1)).toEqual({ close: 3001, reason: "early" });
    const error = await recorder.stop().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordingMismatchError);
  });
});
