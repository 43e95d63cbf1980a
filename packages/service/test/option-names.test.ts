// No option is silently ignored: every official @azure/web-pubsub option is honoured or refused with an error naming
// it, an unknown option (a typo, another operation's option) is refused with its name, and nothing is sent then.
import { createHttpHeaders, type HttpClient, type PipelineRequest } from "@azure/core-rest-pipeline";
import { thrownMessage } from "@webpubsub/test-kit";
import { describe, expect, it } from "vitest";
import { WebPubSubServiceClient } from "../src/index.ts";

const CS = "Endpoint=https://contoso.example;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH;Version=1.0;";

function recording(): { client: WebPubSubServiceClient; sent: PipelineRequest[] } {
  const sent: PipelineRequest[] = [];
  const httpClient: HttpClient = {
    sendRequest: async (request) => {
      sent.push(request);
      return { request, status: 202, headers: createHttpHeaders() };
    },
  };
  return { client: new WebPubSubServiceClient(CS, "hub", { httpClient, retryOptions: { maxRetries: 0 } }), sent };
}

// Untyped options, as JavaScript callers (or a cast) pass them.
const opts = (o: Record<string, unknown>) => o as never;

describe("operation options", () => {
  it.each([
    [
      "a typo of contentType",
      (c: WebPubSubServiceClient) => c.sendToAll("x", opts({ contentTyp: "text/plain" })),
      /^options\["contentTyp"\] is not an option of WebPubSubServiceClient\.sendToAll/,
    ],
    [
      "an option of another operation",
      (c: WebPubSubServiceClient) => c.addUserToGroup("g", "u", opts({ reason: "r" })),
      /^options\["reason"\] is not an option of WebPubSubServiceClient\.addUserToGroup/,
    ],
    [
      "a group client's call",
      (c: WebPubSubServiceClient) => c.group("g").addUser("u", opts({ filter: "x" })),
      /^options\["filter"\] is not an option of WebPubSubGroupClient\.addUser/,
    ],
    [
      "the official serializerOptions",
      (c: WebPubSubServiceClient) => c.sendToAll("x", opts({ serializerOptions: {} })),
      /^options\.serializerOptions is not supported by WebPubSubServiceClient\.sendToAll: this API sends and receives JSON only/,
    ],
    [
      "the official reason of removeUserFromAllGroups (no such service parameter)",
      (c: WebPubSubServiceClient) => c.removeUserFromAllGroups("u", opts({ reason: "bye" })),
      /^options\.reason is not supported by WebPubSubServiceClient\.removeUserFromAllGroups: the service has no such parameter/,
    ],
    [
      "requestOptions.shouldDeserialize",
      (c: WebPubSubServiceClient) => c.sendToAll("x", opts({ requestOptions: { shouldDeserialize: false } })),
      /^options\.requestOptions\.shouldDeserialize is not supported/,
    ],
    [
      "requestOptions.allowInsecureConnection",
      (c: WebPubSubServiceClient) => c.sendToAll("x", opts({ requestOptions: { allowInsecureConnection: true } })),
      /^options\.requestOptions\.allowInsecureConnection is not supported.*client options/,
    ],
    [
      "an unknown requestOptions key",
      (c: WebPubSubServiceClient) => c.sendToAll("x", opts({ requestOptions: { timeOut: 5 } })),
      /^options\.requestOptions\["timeOut"\] is not an option/,
    ],
    [
      "onResponse that is not a function",
      (c: WebPubSubServiceClient) => c.sendToAll("x", opts({ onResponse: "log" })),
      /^options\.onResponse must be a function/,
    ],
    [
      "onUploadProgress that is not a function",
      (c: WebPubSubServiceClient) => c.sendToAll("x", opts({ requestOptions: { onUploadProgress: 1 } })),
      /^options\.requestOptions\.onUploadProgress must be a function/,
    ],
  ] as const)("refuses %s with its name, before sending anything", async (_name, call, message) => {
    const { client, sent } = recording();
    await expect(call(client)).rejects.toThrow(message);
    expect(sent).toHaveLength(0);
  });

  it("throws at once for the listing, which returns its iterator synchronously", () => {
    const { client, sent } = recording();
    expect(() => client.listConnectionsInGroup("g", opts({ maxpagesize: 2 }))).toThrow(
      /^options\["maxpagesize"\] is not an option of WebPubSubServiceClient\.listConnectionsInGroup/,
    );
    expect(sent).toHaveLength(0);
  });

  it("accepts every official option of the operations, with undefined values ignored as absent", async () => {
    const { client, sent } = recording();
    const common = {
      abortSignal: new AbortController().signal,
      tracingOptions: {},
      requestOptions: {
        customHeaders: { "x-a": "1" },
        timeout: 5000,
        onUploadProgress: () => {},
        onDownloadProgress: () => {},
      },
      onResponse: () => {},
    };
    await client.sendToAll("x", {
      ...common,
      contentType: "text/plain",
      filter: "userId ne 'a'",
      excludedConnections: ["c"],
      messageTtlSeconds: 5,
    });
    await client.sendToUser("u", "x", { ...common, filter: "userId ne 'a'", messageTtlSeconds: 5 });
    await client.sendToConnection("c", "x", { ...common, messageTtlSeconds: 5 });
    await client.closeConnection("c", { ...common, reason: "r" });
    await client.closeAllConnections({ ...common, reason: "r", excluded: ["c"] });
    await client.grantPermission("c", "sendToGroup", { ...common, targetName: "g" });
    await client.sendToAll("x", { filter: undefined, excludedConnections: undefined });
    expect(sent).toHaveLength(7);
    expect(sent[0]!.headers.get("x-a")).toBe("1");
  });
});

describe("the values of the options every operation takes", () => {
  it.each([
    [{ onResponse: null }, "options.onResponse must be a function when given, got null."],
    [{ onResponse: "log" }, "options.onResponse must be a function when given, got string."],
    [{ requestOptions: 5 }, "options.requestOptions must be an object when given, got number 5."],
    [{ requestOptions: null }, "options.requestOptions must be an object when given, got null."],
    // a string is refused as a whole, not read as an object whose keys are its character positions
    [{ requestOptions: "ab" }, 'options.requestOptions must be an object when given, got "ab".'],
    [
      { requestOptions: { customHeaders: "x-a: 1" } },
      'options.requestOptions.customHeaders must be an object when given, got "x-a: 1".',
    ],
    [
      { requestOptions: { onDownloadProgress: 1 } },
      "options.requestOptions.onDownloadProgress must be a function when given, got number.",
    ],
  ])("refuses %j with a TypeError naming it, before sending anything", async (options, message) => {
    const { client, sent } = recording();
    await expect(client.sendToAll("x", opts(options))).rejects.toThrow(new TypeError(message));
    expect(sent).toHaveLength(0);
  });

  it.each([-1, -0.001, Number.NaN, Number.POSITIVE_INFINITY, "5"])(
    "refuses the request timeout %s: it must be a finite number of milliseconds >= 0",
    async (timeout) => {
      const { client, sent } = recording();
      await expect(client.sendToAll("x", opts({ requestOptions: { timeout } }))).rejects.toThrow(
        new RangeError("options.requestOptions.timeout must be a number of milliseconds >= 0."),
      );
      expect(sent).toHaveLength(0);
    },
  );

  it("takes a request timeout of 0 (no time limit) or more", async () => {
    const { client, sent } = recording();
    await client.sendToAll("x", { requestOptions: { timeout: 0 } });
    await client.sendToAll("x", { requestOptions: { timeout: 1.5 } });
    expect(sent.map((r) => r.timeout)).toEqual([0, 1.5]);
  });

  it("takes an unknown option whose value is undefined as absent, in the options and in requestOptions", async () => {
    const { client, sent } = recording();
    await client.sendToAll("x", opts({ bogus: undefined, requestOptions: { bogus: undefined } }));
    expect(sent).toHaveLength(1);
    expect(new WebPubSubServiceClient(CS, "hub", opts({ bogus: undefined })).hubName).toBe("hub");
  });

  it("gives the reasons of the refused requestOptions in full", async () => {
    const { client } = recording();
    await expect(client.sendToAll("x", opts({ requestOptions: { shouldDeserialize: false } }))).rejects.toThrow(
      "options.requestOptions.shouldDeserialize is not supported by WebPubSubServiceClient.sendToAll: responses are always parsed as the API describes them; read the raw response with onResponse.",
    );
    await expect(client.sendToAll("x", opts({ requestOptions: { allowInsecureConnection: true } }))).rejects.toThrow(
      "options.requestOptions.allowInsecureConnection is not supported by WebPubSubServiceClient.sendToAll: plain http with a token credential is a client setting: pass allowInsecureConnection in the client options.",
    );
  });
});

describe("client options", () => {
  it("refuses an unknown client option with its name", () => {
    expect(() => new WebPubSubServiceClient(CS, "hub", opts({ retryOption: { maxRetries: 1 } }))).toThrow(
      /^options\["retryOption"\] is not an option of WebPubSubServiceClient/,
    );
  });

  it("refuses an unknown option of fromEnvironment with its name", async () => {
    await expect(
      WebPubSubServiceClient.fromEnvironment(opts({ env: { AZURE_WEBPUBSUB_CONNECTION_STRING: CS }, hubName: "x" })),
    ).rejects.toThrow(/^options\["hubName"\] is not an option of WebPubSubServiceClient/);
  });

  it("accepts every official client option (WebPubSubServiceClientOptions and the common Azure client options)", () => {
    const client = new WebPubSubServiceClient(CS, "hub", {
      reverseProxyEndpoint: "https://apim.example",
      loggingOptions: { additionalAllowedHeaderNames: ["x-a"], additionalAllowedQueryParameters: ["q"] },
      httpClient: { sendRequest: async (request) => ({ request, status: 200, headers: createHttpHeaders() }) },
      allowInsecureConnection: false,
      additionalPolicies: [],
      retryOptions: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 100 },
      proxyOptions: { host: "http://proxy.example", port: 8080 },
      agent: undefined,
      tlsOptions: {},
      redirectOptions: { maxRetries: 1 },
      userAgentOptions: { userAgentPrefix: "app" },
      telemetryOptions: { clientRequestIdHeaderName: "x-request-id" },
      apiVersion: "2024-12-01",
      tracingOptions: { enabled: true },
    });
    expect(client.hubName).toBe("hub");
  });

  it("honours telemetryOptions.clientRequestIdHeaderName (passed on to the pipeline)", async () => {
    const sent: PipelineRequest[] = [];
    const client = new WebPubSubServiceClient(CS, "hub", {
      telemetryOptions: { clientRequestIdHeaderName: "x-my-request-id" },
      httpClient: {
        sendRequest: async (request) => {
          sent.push(request);
          return { request, status: 202, headers: createHttpHeaders() };
        },
      },
    });
    await client.sendToAll("x");
    expect(sent[0]!.headers.get("x-my-request-id")).toBe(sent[0]!.requestId);
  });
});

describe("option names are looked up as the caller's own keys, and shown bounded", () => {
  it.each(["toString", "constructor", "hasOwnProperty", "__proto__"])(
    "%s (an Object.prototype name) is an unknown option, not a known or a refused one",
    async (key) => {
      const { client, sent } = recording();
      const options = Object.defineProperty({}, key, { value: () => {}, enumerable: true });
      const expected = `options[${JSON.stringify(key)}] is not an option of WebPubSubServiceClient.sendToAll; it would be ignored, so it is refused.`;
      await expect(client.sendToAll("x", opts(options))).rejects.toThrow(expected);
      await expect(
        client.sendToAll("x", opts({ requestOptions: Object.defineProperty({}, key, { value: 1, enumerable: true }) })),
      ).rejects.toThrow(`options.requestOptions[${JSON.stringify(key)}] is not an option`);
      expect(() => new WebPubSubServiceClient(CS, "hub", opts(options))).toThrow(
        `options[${JSON.stringify(key)}] is not an option of WebPubSubServiceClient;`,
      );
      expect(sent).toHaveLength(0);
    },
  );

  it("a known option passes and a refused official one is named with its reason", async () => {
    const { client, sent } = recording();
    await client.sendToAll("x", { filter: "userId ne 'a'" });
    expect(sent).toHaveLength(1);
    await expect(client.sendToAll("x", opts({ serializerOptions: {} }))).rejects.toThrow(
      /^options\.serializerOptions is not supported by WebPubSubServiceClient\.sendToAll: this API sends/,
    );
  });

  it("a 10,000-character unknown key is shown by its first 64 characters", async () => {
    const { client } = recording();
    const key = `${"k".repeat(64)}${"z".repeat(9_936)}`;
    const message = await thrownMessage(() => client.sendToAll("x", opts({ [key]: 1 })));
    expect(message).toBe(
      `options["${"k".repeat(64)}"...] is not an option of WebPubSubServiceClient.sendToAll; it would be ignored, so it is refused.`,
    );
    const clientMessage = await thrownMessage(() => new WebPubSubServiceClient(CS, "hub", opts({ [key]: 1 })));
    expect(clientMessage).toContain(`options["${"k".repeat(64)}"...] is not an option`);
    expect(clientMessage.length).toBeLessThan(200);
  });
});
