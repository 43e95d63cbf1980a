// fromEnvironment with only AZURE_WEBPUBSUB_ENDPOINT needs the optional peer @azure/identity; without it the error
// says what to install.
import { describe, expect, it, vi } from "vitest";
import { WebPubSubServiceClient } from "../src/index.ts";

vi.mock("@azure/identity", () => {
  throw new Error("Cannot find package '@azure/identity'");
});

describe("fromEnvironment without @azure/identity", () => {
  it("explains that the optional peer dependency is needed", async () => {
    await expect(
      WebPubSubServiceClient.fromEnvironment({
        env: { AZURE_WEBPUBSUB_ENDPOINT: "https://contoso.example", AZURE_WEBPUBSUB_HUB: "chat" },
      }),
    ).rejects.toThrow(/npm install @azure\/identity/);
  });

  it("does not need it when a connection string is set", async () => {
    const client = await WebPubSubServiceClient.fromEnvironment({
      env: {
        AZURE_WEBPUBSUB_CONNECTION_STRING: "Endpoint=https://x;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH",
        AZURE_WEBPUBSUB_ENDPOINT: "https://ignored.example",
        AZURE_WEBPUBSUB_HUB: "chat",
      },
    });
    expect(client.endpoint).toBe("https://x");
  });
});
