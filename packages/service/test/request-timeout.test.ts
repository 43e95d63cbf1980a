// Attempts cut short by requestOptions.timeout: an idempotent one is sent again, a send never. The one test of the
// package that waits on a real clock (two 3 s timeouts), kept in its own file so that the mutation run can leave it
// out (tools/mutation/vitest/service-unit.config.ts); retry-policy.test.ts checks the same rule on fake timers.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { WebPubSubServiceClient } from "../src/index.ts";
import { type CaptureServer, startCaptureServer } from "./helpers/capture-server.ts";
import { clientOf } from "./helpers/key-client.ts";

let server: CaptureServer;
let client: WebPubSubServiceClient;

beforeAll(async () => {
  server = await startCaptureServer();
  client = clientOf(server, {
    retryOptions: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 5 },
  });
});
afterAll(() => server.close());

const status = (s: number) => ({ status: s });

// The held answers never come in time; the timeout is long enough that the request reaches the server first even on
// a busy machine (a 100 ms timeout could fire before the request was even written, and its late arrival then
// took the answer scripted for the next request).
it("retries an idempotent attempt cut short by requestOptions.timeout, but never a send", {
  timeout: 60_000,
}, async () => {
  server.script.push({ status: 200, delayMs: 30_000 }, status(200));
  await client.addConnectionToGroup("g", "c", { requestOptions: { timeout: 3000 } });
  expect(server.requests.map((r) => r.method)).toEqual(["PUT", "PUT"]);
  server.requests.length = 0;
  server.script.length = 0;
  server.script.push({ status: 202, delayMs: 30_000 }, status(202));
  await expect(client.sendToAll("m", { requestOptions: { timeout: 3000 } })).rejects.toThrow(/abort/i);
  expect(server.requests).toHaveLength(1);
});
