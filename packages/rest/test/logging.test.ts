// Logging options of the REST client: request and response lines reach the given logger, secrets redacted.
import { describe, expect, it } from "vitest";
import { AzureKeyCredential, createWebPubSubRestClient } from "../src/index.ts";
import { fakeHttpClient } from "./helpers/fake-http.ts";

describe("logging options", () => {
  it("sends request and response lines to the given logger, with the Authorization header redacted", async () => {
    const lines: string[] = [];
    const logger = Object.assign((...args: unknown[]) => lines.push(args.join(" ")), { enabled: true });
    const { client: httpClient } = fakeHttpClient(() => ({ status: 202 }));
    const client = createWebPubSubRestClient("https://h.example", new AzureKeyCredential("k".repeat(44)), {
      httpClient,
      loggingOptions: { logger: logger as never, additionalAllowedQueryParameters: ["api-version"] },
    });
    await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "text/plain", body: "secret text" });
    const log = lines.join("\n");
    expect(log).toContain("https://h.example/api/hubs/chat/:send?api-version=2024-12-01");
    expect(log).toMatch(/"authorization": "REDACTED"/i);
    expect(log).not.toMatch(/Bearer ey/);
    expect(log).not.toContain("secret text");
    expect(log).toMatch(/Response status code: 202/);
  });
});
