// The same recordings replayed through @webpubsub/test-recorder's pipeline policy (playback mode, every entry must
// be used): the recorder matches method, URI (query order-insensitive) and body, and fails the test on a mismatch.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRecorder } from "@webpubsub/test-recorder";
import { describe, it } from "vitest";
import { AzureKeyCredential, WebPubSubServiceClient } from "../src/index.ts";
import { fixturePath } from "./helpers/fixtures.ts";
import { scenarios } from "./helpers/recorded-scenarios.ts";

const root = fixturePath("recordings");

/** The recordings span api-versions 2021-10-01 .. 2024-12-01; the client sends the recorded one. */
function apiVersionOf(file: string): string {
  const match = /api-version=([0-9-]+(?:-preview)?)/.exec(readFileSync(file, "utf8"));
  return match?.[1] ?? "2024-12-01";
}

describe("playback of the real service recordings (@webpubsub/test-recorder)", () => {
  // The paging recording starts with a token request made by a newer official client with a different query, which
  // the recorder (rightly) refuses to match; that recording is covered by playback.test.ts.
  const supported = scenarios.filter((s) => !s.foreignEntries);
  for (const scenario of supported) {
    it(scenario.name, async (ctx) => {
      const file = join(root, scenario.file);
      const recorder = await createRecorder(ctx, { mode: "playback", recordingPath: file, failOnUnusedEntries: true });
      try {
        const options = recorder.configureClientOptions({
          apiVersion: apiVersionOf(file),
          retryOptions: { maxRetries: 0 },
          ...(scenario.reverseProxy ? { reverseProxyEndpoint: "https://rp-endpoint" } : {}),
        });
        const credential = scenario.entra
          ? recorder.credential({
              getToken: async () => ({ token: "entra", expiresOnTimestamp: Date.now() + 3600_000 }),
            })
          : new AzureKeyCredential("sanitized-key-sanitized-key-sanitized");
        const client = new WebPubSubServiceClient("https://endpoint", credential, scenario.hub, options);
        await scenario.run(client);
      } finally {
        await recorder.stop();
      }
    });
  }
});
