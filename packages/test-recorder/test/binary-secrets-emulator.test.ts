// Secrets inside the binary frames of a real protobuf session against the emulator: the reconnection token (a JWT) in
// the `connected` frame and an access key the client sends as bytes never reach the recording, and the sanitized
// frames still decode in playback. The rules themselves are tested directly in binary-secrets.test.ts.
import { readFile } from "node:fs/promises";
import { protobufCodec } from "@webpubsub/core";
import { startEmulator } from "@webpubsub/emulator";
import { counterWaiter } from "@webpubsub/test-kit";
import { describe, expect, it } from "vitest";
import { WebSocket as WsWebSocket } from "ws";
import { createRecorder, FAKE_ACCESS_KEY, JWT_PATTERN, parseRecording, type Recorder } from "../src/index.ts";
import { binaryMask } from "../src/sanitizers.ts";
import { emulatorRest } from "./emulator-rest.ts";
import { tempDirPerTest } from "./helpers.ts";

const bytesOf = (base64: string) => Buffer.from(base64, "base64");

const PROTOBUF = "protobuf.reliable.webpubsub.azure.v1";

/**
 * The reliable protobuf subprotocol puts the reconnection token (a JWT) in the binary `connected` frame; the client
 * then sends its access key as binary data to its own group and gets it back.
 */
async function protobufScenario(recorder: Recorder, env: Record<string, string | undefined>) {
  const rest = emulatorRest(recorder, env, "chat");
  const url = await rest.clientUrl("userId=carol&role=webpubsub.joinLeaveGroup&role=webpubsub.sendToGroup");
  const socket = recorder.webSocketFactory(url, PROTOBUF);
  socket.binaryType = "arraybuffer";
  const received: ReturnType<typeof protobufCodec.decodeDownstream>[] = [];
  const arrivals = counterWaiter(() => received.length);
  socket.onmessage = (e: MessageEvent) => {
    received.push(protobufCodec.decodeDownstream(new Uint8Array(e.data as ArrayBuffer)));
    arrivals.notify();
  };
  const next = (n: number) => arrivals.atLeast(n);
  const closed = new Promise<number>((resolve) => {
    socket.onclose = (e: CloseEvent) => resolve(e.code);
  });
  await next(1); // connected
  socket.send(protobufCodec.encodeUpstream({ type: "joinGroup", group: "g", ackId: 1 }));
  await next(2); // ack
  const data = new TextEncoder().encode(rest.key);
  socket.send(protobufCodec.encodeUpstream({ type: "sendToGroup", group: "g", ackId: 2, dataType: "binary", data }));
  await next(4); // the group message and its ack, in either order
  socket.close(1000);
  return { received, closed: await closed };
}

const tmp = tempDirPerTest();

describe("a protobuf session against the emulator", () => {
  it("writes no reconnection token and no key from binary frames, and the sanitized frames replay and decode", async () => {
    const recordingPath = tmp.path("protobuf.json");
    const emulator = await startEmulator({ port: 0 });
    let recorded: Awaited<ReturnType<typeof protobufScenario>>;
    try {
      const env: Record<string, string | undefined> = { AZURE_WEBPUBSUB_CONNECTION_STRING: emulator.connectionString };
      const recorder = await createRecorder(undefined, {
        mode: "record",
        recordingPath,
        env,
        webSocketFactory: (u, p) => new WsWebSocket(u, p),
      });
      recorded = await protobufScenario(recorder, env);
      await recorder.stop();
    } finally {
      await emulator.close();
    }
    const connected = recorded.received[0] as { event: string; reconnectionToken: string };
    expect(connected.event).toBe("connected");
    expect(connected.reconnectionToken).toMatch(new RegExp(`^${JWT_PATTERN.source}$`));

    const file = parseRecording(await readFile(recordingPath, "utf8"));
    const binary = file
      .WebSocketSessions![0]!.Frames.filter((f) => f.Binary !== undefined)
      .map((f) => bytesOf(f.Binary!).toString("latin1"));
    expect(binary.length).toBeGreaterThanOrEqual(5);
    for (const bytes of binary) {
      expect(bytes).not.toMatch(new RegExp(JWT_PATTERN.source));
      expect(bytes).not.toContain(emulator.accessKey);
    }

    // Playback: the frames decode; the token is a mask of its length, the key the fake key the client now sends.
    const env: Record<string, string | undefined> = {};
    const recorder = await createRecorder(undefined, { mode: "playback", recordingPath, env });
    const replayed = await protobufScenario(recorder, env);
    await recorder.stop();
    expect(replayed.received[0]).toEqual({
      ...connected,
      reconnectionToken: binaryMask(connected.reconnectionToken.length),
    });
    const echoed = replayed.received.find((m) => m.type === "message") as { data: Uint8Array } | undefined;
    expect(new TextDecoder().decode(echoed!.data)).toBe(FAKE_ACCESS_KEY);
    expect(replayed.closed).toBe(recorded.closed);
  });
});
