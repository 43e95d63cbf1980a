// Constructing the client: fromConnectionString, the official constructor, and fromEnvironment's variables and
// errors.
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { createHttpHeaders, type PipelineRequest } from "@azure/core-rest-pipeline";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AzureKeyCredential, WebPubSubServiceClient } from "../src/index.ts";
import { KEY } from "./helpers/key-client.ts";

const credential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: "t", expiresOnTimestamp: Date.now() + 60_000 }),
};

describe("fromConnectionString", () => {
  it("applies Port, adds https:// when there is no scheme, and keeps the hub", () => {
    const a = WebPubSubServiceClient.fromConnectionString(
      `Endpoint=http://localhost;Port=8080;AccessKey=${KEY};Version=1.0;`,
      "hub",
    );
    expect(a.endpoint).toBe("http://localhost:8080");
    expect(a.hubName).toBe("hub");
    const b = WebPubSubServiceClient.fromConnectionString(`endpoint=contoso.example;accesskey=${KEY}`, "hub");
    expect(b.endpoint).toBe("https://contoso.example");
  });

  it("names the missing key and never echoes the access key", () => {
    expect(() => WebPubSubServiceClient.fromConnectionString(`AccessKey=${KEY};`, "hub")).toThrow(/Endpoint/);
    let message = "";
    try {
      WebPubSubServiceClient.fromConnectionString("Endpoint=https://x;Version=1.0;", "hub");
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/AccessKey/);
    expect(() => WebPubSubServiceClient.fromConnectionString("", "hub")).toThrow(/connectionString/);
    try {
      WebPubSubServiceClient.fromConnectionString(`Endpoint=https://x;AccessKey=${KEY}`, "bad hub");
    } catch (e) {
      expect((e as Error).message).not.toContain(KEY);
    }
  });

  it("also accepts the official (connectionString, hub, options) constructor", () => {
    const c = new WebPubSubServiceClient(`Endpoint=https://x;AccessKey=${KEY}`, "hub", { apiVersion: "2024-01-01" });
    expect(c.apiVersion).toBe("2024-01-01");
  });
});

describe("fromEnvironment", () => {
  it("uses the connection string and hub variables", async () => {
    const c = await WebPubSubServiceClient.fromEnvironment({
      env: { AZURE_WEBPUBSUB_CONNECTION_STRING: `Endpoint=https://x;AccessKey=${KEY}`, AZURE_WEBPUBSUB_HUB: "chat" },
    });
    expect([c.endpoint, c.hubName]).toEqual(["https://x", "chat"]);
  });

  it("says which variable is missing", async () => {
    await expect(
      WebPubSubServiceClient.fromEnvironment({
        env: { AZURE_WEBPUBSUB_CONNECTION_STRING: `Endpoint=https://x;AccessKey=${KEY}` },
      }),
    ).rejects.toThrow(/AZURE_WEBPUBSUB_HUB/);
    await expect(WebPubSubServiceClient.fromEnvironment({ env: { AZURE_WEBPUBSUB_HUB: "chat" } })).rejects.toThrow(
      /AZURE_WEBPUBSUB_CONNECTION_STRING nor AZURE_WEBPUBSUB_ENDPOINT/,
    );
    await expect(
      WebPubSubServiceClient.fromEnvironment({
        env: { AZURE_WEBPUBSUB_HUB: "chat", AZURE_WEBPUBSUB_ENDPOINT: "nope" },
      }),
    ).rejects.toThrow(/AZURE_WEBPUBSUB_ENDPOINT/);
  });

  it("with nothing set, names the connection string or endpoint first, and the missing hub after it", async () => {
    await expect(WebPubSubServiceClient.fromEnvironment({ env: {} })).rejects.toThrow(
      /^Neither AZURE_WEBPUBSUB_CONNECTION_STRING nor AZURE_WEBPUBSUB_ENDPOINT is set: .*; AZURE_WEBPUBSUB_HUB \(the hub name, or options\.hub\) is not set either\.$/,
    );
    // With the hub given, the message does not mention it.
    await expect(WebPubSubServiceClient.fromEnvironment({ env: {}, hub: "chat" })).rejects.toThrow(
      /^Neither AZURE_WEBPUBSUB_CONNECTION_STRING nor AZURE_WEBPUBSUB_ENDPOINT is set: [^;]*\.$/,
    );
  });

  // The first import of @azure/identity (a large module graph) is real work: a timeout that holds on a busy machine.
  it("uses the endpoint with a token credential (options.credential, or DefaultAzureCredential)", {
    timeout: 60_000,
  }, async () => {
    const c = await WebPubSubServiceClient.fromEnvironment({
      env: { AZURE_WEBPUBSUB_ENDPOINT: "https://contoso.example/", AZURE_WEBPUBSUB_HUB: "chat" },
      credential,
    });
    expect(c.endpoint).toBe("https://contoso.example");
    // @azure/identity is installed as a dev dependency, so the lazy import succeeds.
    const d = await WebPubSubServiceClient.fromEnvironment({
      env: { AZURE_WEBPUBSUB_ENDPOINT: "https://contoso.example", AZURE_WEBPUBSUB_HUB: "chat" },
    });
    expect(d.hubName).toBe("chat");
  });

  it("takes options.hub over AZURE_WEBPUBSUB_HUB", async () => {
    const c = await WebPubSubServiceClient.fromEnvironment({
      hub: "other",
      env: { AZURE_WEBPUBSUB_CONNECTION_STRING: `Endpoint=https://x;AccessKey=${KEY}`, AZURE_WEBPUBSUB_HUB: "chat" },
    });
    expect(c.hubName).toBe("other");
  });

  it("names the variable when a value read from the environment is malformed", async () => {
    const cs = `Endpoint=https://x;AccessKey=${KEY}`;
    await expect(
      WebPubSubServiceClient.fromEnvironment({
        env: { AZURE_WEBPUBSUB_CONNECTION_STRING: cs, AZURE_WEBPUBSUB_HUB: "1bad" },
      }),
    ).rejects.toThrow(/^AZURE_WEBPUBSUB_HUB/);
    await expect(
      WebPubSubServiceClient.fromEnvironment({
        hub: "1bad",
        env: { AZURE_WEBPUBSUB_CONNECTION_STRING: cs, AZURE_WEBPUBSUB_HUB: "ok" },
      }),
    ).rejects.toThrow(/^options.hub/);
    for (const bad of ["garbage", "Endpoint=ftp://x;AccessKey=k", `AccessKey=${KEY}`]) {
      const error = await WebPubSubServiceClient.fromEnvironment({
        env: { AZURE_WEBPUBSUB_CONNECTION_STRING: bad, AZURE_WEBPUBSUB_HUB: "chat" },
      }).catch((e: unknown) => e as Error);
      expect(error, bad).toBeInstanceOf(TypeError);
      expect((error as Error).message, bad).toMatch(
        /^AZURE_WEBPUBSUB_CONNECTION_STRING is not a valid connection string/,
      );
    }
    await expect(
      WebPubSubServiceClient.fromEnvironment({
        env: { AZURE_WEBPUBSUB_ENDPOINT: "https://contoso.example", AZURE_WEBPUBSUB_HUB: "bad-hub" },
        credential: { getToken: async () => null },
      }),
    ).rejects.toThrow(/^AZURE_WEBPUBSUB_HUB/);
  });
});

describe("constructor arguments and options, named exactly", () => {
  const key = new AzureKeyCredential(KEY);
  const refusal = (make: () => unknown): string => {
    try {
      make();
    } catch (error) {
      return (error as Error).message;
    }
    return "no error";
  };

  it("refuses a connection string that is not a string, saying what one looks like", () => {
    expect(refusal(() => new WebPubSubServiceClient(5 as never, "hub"))).toBe(
      "connectionString must be a string such as Endpoint=https://...;AccessKey=...;Version=1.0;",
    );
  });

  it("names the hub argument when the hub is invalid", () => {
    expect(refusal(() => new WebPubSubServiceClient("https://x", key, "1hub"))).toMatch(/^hub "1hub" is not a valid/);
  });

  it("refuses userAgentOptions that are not an object, and a proxy with an empty host", () => {
    expect(refusal(() => new WebPubSubServiceClient("https://x", key, "hub", { userAgentOptions: 5 as never }))).toBe(
      "options.userAgentOptions must be an object when given, got number 5.",
    );
    expect(
      refusal(() => new WebPubSubServiceClient("https://x", key, "hub", { proxyOptions: { host: "" } as never })),
    ).toBe("options.proxyOptions.host must be a non-empty string (the proxy's URL or host).");
    expect(
      new WebPubSubServiceClient("https://x", key, "hub", { proxyOptions: { host: "p" } as never }),
    ).toBeInstanceOf(WebPubSubServiceClient);
  });

  // Rule: a Blob is turned into a Node stream only for the default (Node) HTTP client; a custom httpClient gets the
  // Blob itself, as it would on any other runtime.
  it("hands a custom httpClient a Blob body as the Blob", async () => {
    const bodies: unknown[] = [];
    const client = new WebPubSubServiceClient("https://x", key, "hub", {
      httpClient: {
        sendRequest: async (request: PipelineRequest) => {
          bodies.push(request.body);
          return { request, status: 202, headers: createHttpHeaders() };
        },
      },
    });
    const blob = new Blob(["b"]);
    await client.sendToAll(blob);
    expect(bodies).toEqual([blob]);
    expect(bodies[0]).toBeInstanceOf(Blob);
  });
});

describe("fromEnvironment reads the process environment", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("uses process.env when options.env is not given", async () => {
    vi.stubEnv("AZURE_WEBPUBSUB_CONNECTION_STRING", `Endpoint=https://from-process.example;AccessKey=${KEY}`);
    vi.stubEnv("AZURE_WEBPUBSUB_HUB", "fromprocess");
    const client = await WebPubSubServiceClient.fromEnvironment();
    expect([client.endpoint, client.hubName]).toEqual(["https://from-process.example", "fromprocess"]);
  });

  it("takes an empty AZURE_WEBPUBSUB_HUB as not set", async () => {
    const cs = `Endpoint=https://x;AccessKey=${KEY}`;
    for (const hub of ["", undefined]) {
      await expect(
        WebPubSubServiceClient.fromEnvironment({
          env: { AZURE_WEBPUBSUB_CONNECTION_STRING: cs, AZURE_WEBPUBSUB_HUB: hub },
        }),
      ).rejects.toThrow(new TypeError("AZURE_WEBPUBSUB_HUB is not set: set it to the hub name, or pass options.hub."));
    }
    await expect(WebPubSubServiceClient.fromEnvironment({ env: { AZURE_WEBPUBSUB_HUB: "" } })).rejects.toThrow(
      /; AZURE_WEBPUBSUB_HUB \(the hub name, or options\.hub\) is not set either\.$/,
    );
  });
});
