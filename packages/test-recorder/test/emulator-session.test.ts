// Records a REST + WebSocket session against the in-process emulator, stops the emulator, replays the session and
// gets identical results; the written recording holds no access key, no JWT and no real host.
import { readFile } from "node:fs/promises";
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type PipelinePolicy,
} from "@azure/core-rest-pipeline";
import { startEmulator } from "@webpubsub/emulator";
import { expect, it } from "vitest";
import { createRecorder, JWT_PATTERN, parseRecording, type Recorder, RecordingMismatchError } from "../src/index.ts";
import { signJwt, tempDirPerTest } from "./helpers.ts";
import { openClient } from "./ws-client.ts";

function parseConnectionString(cs: string): { endpoint: string; key: string } {
  const parts = new Map(
    cs
      .split(";")
      .filter(Boolean)
      .map((p) => [p.slice(0, p.indexOf("=")).toLowerCase(), p.slice(p.indexOf("=") + 1)]),
  );
  return { endpoint: parts.get("endpoint")!.replace(/\/+$/, ""), key: parts.get("accesskey")! };
}

/** Bearer JWT per request, audience = the request URL (what the service checks). */
function jwtAuthPolicy(key: string): PipelinePolicy {
  return {
    name: "testJwtAuth",
    sendRequest(request, next) {
      const now = Math.floor(Date.now() / 1000);
      request.headers.set("Authorization", `Bearer ${signJwt({ aud: request.url, iat: now, exp: now + 300 }, key)}`);
      return next(request);
    },
  };
}

/** The code under test: a small app using REST and a WebSocket client, configured only from the environment. */
async function scenario(recorder: Recorder, env: Record<string, string | undefined>) {
  const { endpoint, key } = parseConnectionString(env.AZURE_WEBPUBSUB_CONNECTION_STRING!);
  const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 0 } });
  pipeline.addPolicy(jwtAuthPolicy(key), { phase: "Sign" });
  pipeline.addPolicy(recorder.policy, { afterPhase: "Sign" });
  const httpClient = createDefaultHttpClient();
  const call = async (method: string, path: string, body?: string, contentType?: string) => {
    const response = await pipeline.sendRequest(
      httpClient,
      createPipelineRequest({
        url: `${endpoint}/api/hubs/chat${path}${path.includes("?") ? "&" : "?"}api-version=2024-12-01`,
        method: method as "GET",
        body,
        headers: createHttpHeaders(contentType ? { "Content-Type": contentType } : {}),
        allowInsecureConnection: endpoint.startsWith("http:"),
      }),
    );
    return { status: response.status, errorCode: response.headers.get("x-ms-error-code"), body: response.bodyAsText };
  };

  const results: unknown[] = [];
  const userId = recorder.variable("userId", `user-${Math.random().toString(36).slice(2, 10)}`);
  const tokenResponse = await call("POST", `/:generateToken?userId=${userId}&group=g1&role=webpubsub.joinLeaveGroup`);
  const token = (JSON.parse(tokenResponse.body!) as { token: string }).token;
  results.push({ op: "generateToken", status: tokenResponse.status, hasToken: token.length > 0 });

  const wsUrl = `${endpoint.replace(/^http/, "ws")}/client/hubs/chat?access_token=${encodeURIComponent(token)}`;
  const client = openClient(recorder.webSocketFactory, wsUrl, "json.webpubsub.azure.v1");
  await client.opened;
  const connected = await client.waitFor((m) => m.event === "connected", "connected");
  results.push({ op: "connected", connected, protocol: client.ws.protocol });
  const connectionId = connected.connectionId as string;

  results.push({ op: "exists", ...(await call("HEAD", `/connections/${connectionId}`)) });
  results.push({ op: "sendToAll", ...(await call("POST", "/:send", "hello", "text/plain")) });
  results.push({ op: "received", message: await client.waitFor((m) => m.data === "hello", "broadcast") });

  client.send({ type: "joinGroup", group: "g2", ackId: 1 });
  results.push({ op: "ack", message: await client.waitFor((m) => m.type === "ack" && m.ackId === 1, "ack 1") });
  results.push({
    op: "sendToGroup",
    ...(await call("POST", "/groups/g2/:send", JSON.stringify({ x: 1 }), "application/json")),
  });
  results.push({ op: "group message", message: await client.waitFor((m) => m.group === "g2", "group message") });
  results.push({ op: "missing user", ...(await call("HEAD", `/users/${userId}-missing`)) });

  client.ws.close(1000);
  results.push({ op: "closed", ...(await client.closed) });
  return results;
}

const tmp = tempDirPerTest();

it("records against the emulator, then replays with the emulator stopped and identical results", async () => {
  const recordingPath = tmp.path("emulator-session.json");
  const emulator = await startEmulator({ port: 0 });
  let recorded: unknown[];
  try {
    const env: Record<string, string | undefined> = { AZURE_WEBPUBSUB_CONNECTION_STRING: emulator.connectionString };
    const recorder = await createRecorder(undefined, { mode: "record", recordingPath, env });
    recorded = await scenario(recorder, env);
    await recorder.stop();
  } finally {
    await emulator.close();
  }

  const text = await readFile(recordingPath, "utf8");
  expect(text).not.toContain(emulator.accessKey);
  expect(text).not.toMatch(new RegExp(JWT_PATTERN.source));
  expect(text).not.toContain(`:${emulator.port}`);
  const file = parseRecording(text);
  expect(file.Entries.map((e) => `${e.RequestMethod} ${e.StatusCode}`)).toEqual([
    "POST 200",
    "HEAD 200",
    "POST 202",
    "POST 202",
    "HEAD 404",
  ]);
  expect(file.Entries[0]!.RequestHeaders.Authorization).toBe("Sanitized");
  expect(file.Entries[0]!.ResponseBody).toEqual({ token: "Sanitized" });
  expect(file.WebSocketSessions?.[0]?.Url).toBe(
    "wss://fake.webpubsub.azure.com/client/hubs/chat?access_token=Sanitized",
  );
  expect(Object.keys(file.Variables)).toEqual(["userId"]);

  // Playback: nothing listens any more; the environment is fake but well-formed.
  const env: Record<string, string | undefined> = {};
  const recorder = await createRecorder(undefined, { mode: "playback", recordingPath, env, failOnUnusedEntries: true });
  expect(env.AZURE_WEBPUBSUB_CONNECTION_STRING).toMatch(
    /^Endpoint=https:\/\/fake\.webpubsub\.azure\.com;AccessKey=[A-Za-z0-9+/]{43}=;/,
  );
  const replayed = await scenario(recorder, env);
  await recorder.stop();
  expect(replayed).toEqual(recorded!);
  expect(env.AZURE_WEBPUBSUB_CONNECTION_STRING).toBeUndefined();
});

it("fails the replay when the client sends a different frame", async () => {
  const recordingPath = tmp.path("ws-mismatch.json");
  const emulator = await startEmulator({ port: 0 });
  try {
    const env: Record<string, string | undefined> = { AZURE_WEBPUBSUB_CONNECTION_STRING: emulator.connectionString };
    const recorder = await createRecorder(undefined, { mode: "record", recordingPath, env });
    await scenario(recorder, env);
    await recorder.stop();
  } finally {
    await emulator.close();
  }
  const recorder = await createRecorder(undefined, { mode: "playback", recordingPath, env: {} });
  const client = openClient(
    recorder.webSocketFactory,
    "wss://anything/client/hubs/chat?access_token=x",
    "json.webpubsub.azure.v1",
  );
  await client.opened;
  await client.waitFor((m) => m.event === "connected", "connected");
  client.send({ type: "joinGroup", group: "other", ackId: 1 });
  const closed = await client.closed;
  expect(closed.code).toBe(1011);
  const error = await recorder.stop().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RecordingMismatchError);
  expect((error as Error).message).toContain('frame.group: request "other", recorded "g2"');
});
