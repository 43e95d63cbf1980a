// The way package tests use the recorder: createRecorder(ctx) in beforeEach, stop() in afterEach, recordings next to
// the test file. The recording for this test is a small committed fixture; run with TEST_MODE=record to re-create it
// (a local node:http server stands in for the service then).
import type { Server } from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRecorder, getTestMode, type Recorder } from "../src/index.ts";
import { startServer } from "./helpers.ts";

const mode = getTestMode();
let server: { server: Server; endpoint: string; close: () => Promise<void> } | undefined;

beforeAll(async () => {
  if (mode !== "record") return;
  server = await startServer((req, body, res) => {
    res.writeHead(req.method === "POST" ? 202 : 200, { "content-type": "application/json" });
    res.end(req.method === "POST" ? "" : JSON.stringify({ path: req.url, received: body || null }));
  });
  process.env.AZURE_WEBPUBSUB_ENDPOINT = server.endpoint;
});
afterAll(async () => {
  await server?.close();
  if (server) delete process.env.AZURE_WEBPUBSUB_ENDPOINT;
});

describe("vitest integration", () => {
  let recorder: Recorder;
  beforeEach(async (ctx) => {
    recorder = await createRecorder(ctx);
  });
  afterEach(async () => {
    await recorder.stop();
  });

  it("replays a committed recording found by test file and name", async () => {
    expect(recorder.mode).toBe(mode);
    expect(recorder.recordingPath).toMatch(
      /test\/recordings\/vitest_integration\/vitest_integration\/replays_a_committed_recording_found_by_test_file_and_name\.[0-9a-f]{10}\.json$/,
    );
    const endpoint = process.env.AZURE_WEBPUBSUB_ENDPOINT!;
    if (mode === "playback") expect(endpoint).toBe("https://fake.webpubsub.azure.com");
    const run = recorder.variable("run", "run-1");
    const sent = await recorder.fetch(`${endpoint}/api/hubs/chat/:send?api-version=2024-12-01`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ run, hello: "world" }),
    });
    expect(sent.status).toBe(202);
    const got = await recorder.fetch(`${endpoint}/api/hubs/chat/groups/${run}?api-version=2024-12-01`);
    expect(await got.json()).toEqual({ path: "/api/hubs/chat/groups/run-1?api-version=2024-12-01", received: null });
  });
});
