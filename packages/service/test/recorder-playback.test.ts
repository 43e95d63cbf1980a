// The real service recordings in fixtures/reference/recordings replayed through this client with
// @webpubsub/test-recorder's pipeline policy (playback mode, every entry must be used): the recorder matches method,
// URI (query order-insensitive), content type and body, answers with the recorded response, which the client must then
// classify right (success, false, RestError + code); a request the recording does not hold fails the test.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRecorder, type Recorder, RecordingMismatchError } from "@webpubsub/test-recorder";
import { describe, expect, it } from "vitest";
import { AzureKeyCredential, WebPubSubServiceClient } from "../src/index.ts";
import { fixturePath } from "./helpers/fixtures.ts";
import { type Scenario, scenarios } from "./helpers/recorded-scenarios.ts";

const root = fixturePath("recordings");
const KEY = "sanitized-key-sanitized-key-sanitized";

/** The recordings span api-versions 2021-10-01 .. 2024-12-01; the client sends the recorded one. */
function apiVersionOf(file: string): string {
  const match = /api-version=([0-9-]+(?:-preview)?)/.exec(readFileSync(file, "utf8"));
  return match?.[1] ?? "2024-12-01";
}

function playbackOf(scenario: Scenario): Promise<Recorder> {
  return createRecorder(undefined, {
    mode: "playback",
    recordingPath: join(root, scenario.file),
    env: {},
    failOnUnusedEntries: true,
    matcher: { headers: ["content-type"], ignoredQueryParameters: scenario.ignoredQueryParameters ?? [] },
  });
}

function clientFor(scenario: Scenario, recorder: Recorder): WebPubSubServiceClient {
  const options = recorder.configureClientOptions({
    apiVersion: apiVersionOf(join(root, scenario.file)),
    retryOptions: { maxRetries: 0 },
    ...(scenario.reverseProxy ? { reverseProxyEndpoint: "https://rp-endpoint" } : {}),
  });
  const credential = scenario.entra
    ? recorder.credential({ getToken: async () => ({ token: "entra", expiresOnTimestamp: Date.now() + 3600_000 }) })
    : new AzureKeyCredential(KEY);
  return new WebPubSubServiceClient("https://endpoint", credential, scenario.hub, options);
}

describe("playback of the real service recordings (@webpubsub/test-recorder)", () => {
  it("covers every test-proxy recording in fixtures/reference/recordings", () => {
    expect(scenarios).toHaveLength(14);
    expect(new Set(scenarios.map((s) => s.file)).size).toBe(scenarios.length);
  });

  it.each(scenarios.map((s) => [s.name, s] as const))("%s", async (_name, scenario) => {
    const recorder = await playbackOf(scenario);
    try {
      await scenario.run(clientFor(scenario, recorder));
    } finally {
      await recorder.stop(); // throws when an entry was not played
    }
  });

  it("fails when a request differs from the recording (a query parameter it does not hold)", async () => {
    const scenario = scenarios.find((s) => s.name === "hub: send to a user with messageTtlSeconds")!;
    const recorder = await playbackOf(scenario);
    const client = clientFor(scenario, recorder);
    const sent = client.sendToUser("brian", "hello", { messageTtlSeconds: 5 });
    await expect(sent).rejects.toThrow(RecordingMismatchError);
    await expect(sent).rejects.toThrow(/messageTtlSeconds/);
    // the recorded request itself still matches (the mismatch consumed nothing), and stop() still fails the test
    await client.sendToUser("brian", "hello", { messageTtlSeconds: 60 });
    await expect(recorder.stop()).rejects.toThrow(/query "messageTtlSeconds": request "5", recorded "60"/);
  });

  it("fails when a request's content type differs from the recording", async () => {
    const scenario = scenarios.find((s) => s.name === "hub: send to a user with messageTtlSeconds")!;
    const recorder = await playbackOf(scenario);
    const client = clientFor(scenario, recorder);
    await expect(client.sendToUser("brian", { text: "hello" }, { messageTtlSeconds: 60 })).rejects.toThrow(
      RecordingMismatchError,
    );
    await client.sendToUser("brian", "hello", { messageTtlSeconds: 60 });
    await expect(recorder.stop()).rejects.toThrow(
      /header "content-type": request "application\/json", recorded "text\/plain"/,
    );
  });
});
