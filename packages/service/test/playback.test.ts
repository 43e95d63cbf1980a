// Replays the real service recordings in fixtures/reference/recordings through this client with an HttpClient that
// checks every request against the next recorded one (method, path, query order-insensitive, content type, body)
// and answers with the recorded response, which must then be classified right (success, false, RestError + code).
import { join } from "node:path";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { describe, expect, it } from "vitest";
import { AzureKeyCredential, WebPubSubServiceClient } from "../src/index.ts";
import { fixturePath } from "./helpers/fixtures.ts";
import { loadPlayback } from "./helpers/playback.ts";
import { scenarios } from "./helpers/recorded-scenarios.ts";

const root = fixturePath("recordings");
const credential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: "entra", expiresOnTimestamp: Date.now() + 3600_000 }),
};

describe("playback of the real service recordings (custom HttpClient)", () => {
  it.each(scenarios.map((s) => [s.name, s] as const))("%s", async (_name, scenario) => {
    const playback = loadPlayback(join(root, scenario.file));
    for (const index of scenario.foreignEntries ?? []) playback.skipCompare.add(index);
    const recordedOrigin = new URL(playback.entries[0]!.RequestUri).origin;
    const client = new WebPubSubServiceClient(
      scenario.reverseProxy ? "https://endpoint" : recordedOrigin,
      scenario.entra ? credential : new AzureKeyCredential("sanitized-key-sanitized-key-sanitized"),
      scenario.hub,
      {
        apiVersion: playback.apiVersion,
        httpClient: playback.httpClient,
        retryOptions: { maxRetries: 0 },
        ...(scenario.reverseProxy ? { reverseProxyEndpoint: recordedOrigin } : {}),
      },
    );
    await scenario.run(client);
    expect(playback.played).toBe(playback.entries.length);
  });

  it("fails when a request differs from the recording", async () => {
    const scenario = scenarios[0]!;
    const playback = loadPlayback(join(root, scenario.file));
    const client = new WebPubSubServiceClient(
      new URL(playback.entries[0]!.RequestUri).origin,
      new AzureKeyCredential("k".repeat(32)),
      scenario.hub,
      { apiVersion: playback.apiVersion, httpClient: playback.httpClient, retryOptions: { maxRetries: 0 } },
    );
    await expect(client.sendToAll("hello", { messageTtlSeconds: 5 })).rejects.toThrow(/query/);
  });
});
