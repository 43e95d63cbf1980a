// Every argument rule, and proof that an invalid call sends nothing: the HTTP client fails the test if it is called.
import { Agent as HttpsAgent } from "node:https";
import { createHttpHeaders, type HttpClient, type PipelineRequest } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { AzureKeyCredential, WebPubSubServiceClient } from "../src/index.ts";
import { KEY } from "./helpers/key-client.ts";

const sent: string[] = [];
const httpClient: HttpClient = {
  sendRequest: async (request) => {
    sent.push(`${request.method} ${request.url}`);
    throw new Error(`a request left the process: ${request.method} ${request.url}`);
  },
};
const client = new WebPubSubServiceClient("https://example.webpubsub.azure.com", new AzureKeyCredential(KEY), "hub", {
  httpClient,
  retryOptions: { maxRetries: 0 },
});

type Call = [name: string, call: () => unknown, error: RegExp, kind?: typeof TypeError | typeof RangeError];

/** Public methods that return a promise report bad arguments by rejecting it, never by throwing synchronously. */
async function expectRejected([name, call, message, kind = TypeError]: Call): Promise<void> {
  let result: unknown;
  expect(() => {
    result = call();
  }, `${name} threw synchronously instead of returning a rejected promise`).not.toThrow();
  expect(result, name).toBeInstanceOf(Promise);
  await expect(result, name).rejects.toThrow(message);
  await expect(result, name).rejects.toBeInstanceOf(kind);
}

/** The calls that return an object directly (group(), the paged iterators) throw synchronously, by design. */
function expectThrown([name, call, message, kind = TypeError]: Call): void {
  expect(call, name).toThrow(message);
  expect(call, name).toThrow(kind);
}

const longGroup = "g".repeat(1025);
const any = (v: unknown) => v as never;

const calls: Call[] = [
  // ids
  ["sendToUser empty userId", () => client.sendToUser("", "m"), /userId must be a non-empty string/],
  ["sendToUser non-string userId", () => client.sendToUser(any(5), "m"), /userId/],
  ["sendToConnection empty id", () => client.sendToConnection("", "m"), /connectionId/],
  ["closeConnection empty id", () => client.closeConnection(""), /connectionId/],
  ["connectionExists empty id", () => client.connectionExists(""), /connectionId/],
  ["userExists empty id", () => client.userExists(""), /userId/],
  ["closeUserConnections empty id", () => client.closeUserConnections(""), /userId/],
  ["removeUserFromAllGroups empty id", () => client.removeUserFromAllGroups(""), /userId/],
  ["removeConnectionFromAllGroups empty id", () => client.removeConnectionFromAllGroups(""), /connectionId/],
  ["addUserToGroup empty user", () => client.addUserToGroup("g", ""), /userId/],
  ["addConnectionToGroup empty connection", () => client.addConnectionToGroup("g", ""), /connectionId/],
  ["group addUser empty", () => client.group("g").addUser(""), /userId/],
  ["group removeConnection empty", () => client.group("g").removeConnection(""), /connectionId/],
  // groups
  ["sendToGroup empty group", () => client.sendToGroup("", "m"), /groupName/],
  ["sendToGroup whitespace group", () => client.sendToGroup("   ", "m"), /groupName/],
  ["sendToGroup long group", () => client.sendToGroup(longGroup, "m"), /groupName/, TypeError],
  ["groupExists empty", () => client.groupExists(""), /groupName/],
  ["removeUserFromGroup long group", () => client.removeUserFromGroup(longGroup, "u"), /groupName/],
  ["closeGroupConnections empty group", () => client.closeGroupConnections(""), /groupName/],
  // TTL
  [
    "ttl 301",
    () => client.sendToAll("m", { messageTtlSeconds: 301 }),
    /messageTtlSeconds must be between 0 and 300/,
    RangeError,
  ],
  ["ttl -1", () => client.sendToUser("u", "m", { messageTtlSeconds: -1 }), /messageTtlSeconds/, RangeError],
  [
    "ttl 1.5",
    () => client.sendToConnection("c", "m", { messageTtlSeconds: 1.5 }),
    /messageTtlSeconds must be an integer/,
  ],
  ["ttl string", () => client.sendToGroup("g", "m", { messageTtlSeconds: any("5") }), /messageTtlSeconds/],
  // filters
  ["filter number", () => client.sendToAll("m", { filter: any(1) }), /options.filter must be an OData filter string/],
  ["filter empty", () => client.sendToUser("u", "m", { filter: " " }), /options.filter must not be empty/],
  [
    "addConnectionsToGroups missing filter",
    () => client.addConnectionsToGroups(["g"], any(undefined)),
    /filter is required/,
  ],
  ["removeConnectionsFromGroups filter type", () => client.removeConnectionsFromGroups(["g"], any({})), /filter/],
  [
    "sendToConnection filter unsupported",
    () => client.sendToConnection("c", "m", any({ filter: "x" })),
    /options.filter is not supported/,
  ],
  [
    "sendToUser excluded unsupported",
    () => client.sendToUser("u", "m", any({ excludedConnections: ["c"] })),
    /options.excludedConnections is not supported/,
  ],
  // arrays
  [
    "excludedConnections not array",
    () => client.sendToAll("m", { excludedConnections: any("c1") }),
    /excludedConnections must be an array/,
  ],
  [
    "excludedConnections empty item",
    () => client.sendToAll("m", { excludedConnections: ["c1", ""] }),
    /excludedConnections\[1\]/,
  ],
  ["close excluded item", () => client.closeAllConnections({ excluded: [any(3)] }), /options.excluded\[0\]/],
  [
    "addConnectionsToGroups empty groups",
    () => client.addConnectionsToGroups([], "x"),
    /groups must contain at least one/,
    RangeError,
  ],
  ["addConnectionsToGroups bad group", () => client.addConnectionsToGroups(["ok", ""], "x"), /groups\[1\]/],
  ["addConnectionsToGroups not array", () => client.addConnectionsToGroups(any("g"), "x"), /groups must be an array/],
  [
    "token roles not array",
    () => client.getClientAccessToken({ roles: any("webpubsub.sendToGroup") }),
    /options.roles must be an array/,
  ],
  ["token roles item", () => client.getClientAccessToken({ roles: [any(1)] }), /options.roles\[0\]/],
  ["token groups item", () => client.getClientAccessToken({ groups: ["a", longGroup] }), /options.groups\[1\]/],
  // token options
  [
    "token expiration 0",
    () => client.getClientAccessToken({ expirationTimeInMinutes: 0 }),
    /greater than 0/,
    RangeError,
  ],
  [
    "token expiration negative",
    () => client.getClientAccessToken({ expirationTimeInMinutes: -5 }),
    /expirationTimeInMinutes/,
    RangeError,
  ],
  [
    "token expiration under one second",
    () => client.getClientAccessToken({ expirationTimeInMinutes: 0.001 }),
    /options.expirationTimeInMinutes must give a lifetime of at least 1 second/,
    RangeError,
  ],
  [
    "token expiration past what a token's exp holds",
    () => client.getClientAccessToken({ expirationTimeInMinutes: 1e307 }),
    /options.expirationTimeInMinutes must be at most 2147483647 minutes/,
    RangeError,
  ],
  [
    "token expiration NaN",
    () => client.getClientAccessToken({ expirationTimeInMinutes: Number.NaN }),
    /expirationTimeInMinutes/,
  ],
  ["token empty userId", () => client.getClientAccessToken({ userId: "" }), /options.userId/],
  ["token protocol", () => client.getClientAccessToken({ clientProtocol: any("ws") }), /clientProtocol/],
  // permissions
  [
    "permission name",
    () => client.grantPermission("c", any("admin")),
    /permission must be "joinLeaveGroup" or "sendToGroup"/,
  ],
  ["permission targetName", () => client.checkPermission("c", "sendToGroup", { targetName: "" }), /options.targetName/],
  ["permission connection", () => client.revokePermission("", "sendToGroup"), /connectionId/],
  // messages and content types
  ["message undefined", () => client.sendToAll(any(undefined)), /message is required/],
  ["message function", () => client.sendToAll(any(() => 1)), /not supported/],
  ["content type", () => client.sendToAll("m", { contentType: any("text/html") }), /options.contentType/],
  ["text/plain object", () => client.sendToAll({ a: 1 }, { contentType: "text/plain" }), /message must be a string/],
  // paging
  // reason, options, signal
  ["reason type", () => client.closeConnection("c", { reason: any(5) }), /options.reason must be a string/],
  ["options type", () => client.sendToAll("m", any("text/plain")), /options must be an object/],
  ["abortSignal type", () => client.sendToAll("m", { abortSignal: any({}) }), /abortSignal/],
  [
    "closeConnection excluded unsupported",
    () => client.closeConnection("c", any({ excluded: ["x"] })),
    /options.excluded is not supported/,
  ],
];

const syncCalls: Call[] = [
  ["group() empty", () => client.group(""), /groupName/],
  ["listConnectionsInGroup empty group", () => client.listConnectionsInGroup(""), /groupName/],
  ["maxPageSize 0", () => client.listConnectionsInGroup("g", { maxPageSize: 0 }), /maxPageSize/, RangeError],
  ["maxPageSize 201", () => client.listConnectionsInGroup("g", { maxPageSize: 201 }), /maxPageSize/, RangeError],
  ["top 0", () => client.group("g").listConnections({ top: 0 }), /options.top/, RangeError],
];

describe("argument validation", () => {
  it.each(syncCalls.map((c) => [c[0], c] as const))("%s (throws synchronously: returns an object)", (_name, call) => {
    expectThrown(call);
  });

  it("lets .catch() handle a validation failure (no synchronous throw)", async () => {
    let caught: unknown;
    await client.sendToAll(any(undefined)).catch((e: unknown) => {
      caught = e;
    });
    expect(caught).toBeInstanceOf(TypeError);
    let caughtToken: unknown;
    await client.getClientAccessToken({ expirationTimeInMinutes: -1 }).catch((e: unknown) => {
      caughtToken = e;
    });
    expect(caughtToken).toBeInstanceOf(RangeError);
  });

  it.each(calls.map((c) => [c[0], c] as const))("%s", async (_name, call) => {
    await expectRejected(call);
  });

  it("sends no request for any invalid call", () => {
    expect(sent).toEqual([]);
  });

  it("validates token options before calling :generateToken with a token credential", async () => {
    const entra = new WebPubSubServiceClient(
      "https://example.webpubsub.azure.com",
      { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 60_000 }) },
      "hub",
      { httpClient, retryOptions: { maxRetries: 0 } },
    );
    await expectRejected([
      "entra fractional minutes",
      () => entra.getClientAccessToken({ expirationTimeInMinutes: 1.5 }),
      /whole number of minutes/,
      RangeError,
    ]);
    await expectRejected([
      "entra roles",
      () => entra.getClientAccessToken({ roles: [any(null)] }),
      /options.roles\[0\]/,
    ]);
    await expectRejected(["entra groups", () => entra.getClientAccessToken({ groups: [""] }), /options.groups\[0\]/]);
    expect(sent).toEqual([]);
  });

  it("validates the paged iterator's page size and fails fast on sync errors", async () => {
    const pages = client.listConnectionsInGroup("g").byPage({ maxPageSize: 500 });
    await expect(pages.next()).rejects.toThrow(RangeError);
    expect(sent).toEqual([]);
  });
});

/** Every public call with a path parameter, given `v` for that parameter (`[name, call]`). */
function pathParameterCalls(v: string): [string, () => unknown, RegExp][] {
  return [
    ["sendToUser userId", () => client.sendToUser(v, "m"), /userId/],
    ["userExists userId", () => client.userExists(v), /userId/],
    ["closeUserConnections userId", () => client.closeUserConnections(v), /userId/],
    ["removeUserFromAllGroups userId", () => client.removeUserFromAllGroups(v), /userId/],
    ["addUserToGroup userId", () => client.addUserToGroup("g", v), /userId/],
    ["removeUserFromGroup userId", () => client.removeUserFromGroup("g", v), /userId/],
    ["group().addUser userId", () => client.group("g").addUser(v), /userId/],
    ["group().removeUser userId", () => client.group("g").removeUser(v), /userId/],
    ["sendToConnection connectionId", () => client.sendToConnection(v, "m"), /connectionId/],
    ["connectionExists connectionId", () => client.connectionExists(v), /connectionId/],
    ["closeConnection connectionId", () => client.closeConnection(v), /connectionId/],
    ["removeConnectionFromAllGroups connectionId", () => client.removeConnectionFromAllGroups(v), /connectionId/],
    ["addConnectionToGroup connectionId", () => client.addConnectionToGroup("g", v), /connectionId/],
    ["removeConnectionFromGroup connectionId", () => client.removeConnectionFromGroup("g", v), /connectionId/],
    ["grantPermission connectionId", () => client.grantPermission(v, "sendToGroup"), /connectionId/],
    ["revokePermission connectionId", () => client.revokePermission(v, "sendToGroup"), /connectionId/],
    ["hasPermission connectionId", () => client.hasPermission(v, "sendToGroup"), /connectionId/],
    ["sendToGroup groupName", () => client.sendToGroup(v, "m"), /groupName/],
    ["groupExists groupName", () => client.groupExists(v), /groupName/],
    ["closeGroupConnections groupName", () => client.closeGroupConnections(v), /groupName/],
    ["addUserToGroup groupName", () => client.addUserToGroup(v, "u"), /groupName/],
    ["removeUserFromGroup groupName", () => client.removeUserFromGroup(v, "u"), /groupName/],
    ["addConnectionToGroup groupName", () => client.addConnectionToGroup(v, "c"), /groupName/],
    ["removeConnectionFromGroup groupName", () => client.removeConnectionFromGroup(v, "c"), /groupName/],
  ];
}

describe("dot segments in path parameters", () => {
  const dotMessage = (v: string) => new RegExp(`must not be "${v.replaceAll(".", "\\.")}": a path segment`);

  it.each([".", ".."])("%s as a user id, connection id or group name is refused before any request", async (v) => {
    for (const [name, call, argument] of pathParameterCalls(v)) {
      await expectRejected([name, call, argument]);
      await expectRejected([name, call, dotMessage(v)]);
    }
    for (const call of [() => client.group(v), () => client.listConnectionsInGroup(v)]) {
      expectThrown(["sync", call, /groupName must not be/]);
    }
    expect(sent).toEqual([]);
  });

  it("refuses exactly the dot segments: names with dots, slashes or encoded dots are sent as their own segment", async () => {
    const urls: string[] = [];
    const recording = new WebPubSubServiceClient(
      "https://example.webpubsub.azure.com",
      new AzureKeyCredential(KEY),
      "hub",
      {
        retryOptions: { maxRetries: 0 },
        httpClient: {
          sendRequest: async (request) => {
            urls.push(`${request.method} ${new URL(request.url).pathname}`);
            const status = request.method === "POST" ? 202 : 200;
            return { status, headers: createHttpHeaders(), request };
          },
        },
      },
    );
    for (const name of ["a..b", "...", ".a", "a.", "../x", "a/..", "%2e%2e", ". ."]) {
      await recording.sendToUser(name, "m");
      await recording.sendToGroup(name, "m");
      await recording.addConnectionToGroup(name, name);
    }
    // A group named ".." is still a valid permission target (a query value, not a path segment).
    await recording.grantPermission("c", "sendToGroup", { targetName: ".." });
    // A token may still carry such a user id: the service accepts it (only the REST path cannot address it).
    await expect(recording.getClientAccessToken({ userId: ".." })).resolves.toHaveProperty("token");
    expect(urls).toEqual([
      ...["a..b", "...", ".a", "a.", "..%2Fx", "a%2F..", "%252e%252e", ".%20."].flatMap((e) => [
        `POST /api/hubs/hub/users/${e}/:send`,
        `POST /api/hubs/hub/groups/${e}/:send`,
        `PUT /api/hubs/hub/groups/${e}/connections/${e}`,
      ]),
      "PUT /api/hubs/hub/permissions/sendToGroup/connections/c",
    ]);
  });
});

describe("constructor validation", () => {
  const key = new AzureKeyCredential(KEY);
  it("rejects bad endpoints, hubs, credentials and options, naming them", () => {
    expect(() => new WebPubSubServiceClient("not a url", key, "hub")).toThrow(/endpoint must be an absolute/);
    expect(() => new WebPubSubServiceClient("ftp://x", key, "hub")).toThrow(/endpoint must use http or https/);
    expect(() => new WebPubSubServiceClient("https://x", key, "1hub")).toThrow(/hub/);
    expect(() => new WebPubSubServiceClient("https://x", key, "bad-hub")).toThrow(/hub/);
    expect(() => new WebPubSubServiceClient("https://x", key, "h".repeat(129))).toThrow(/hub/);
    expect(() => new WebPubSubServiceClient("https://x", any({}), "hub")).toThrow(/credential must be/);
    expect(() => new WebPubSubServiceClient("https://x", new AzureKeyCredential("k"), "hub", any(5))).toThrow(
      /options/,
    );
    expect(() => new WebPubSubServiceClient("https://x", key, "hub", { apiVersion: "latest" })).toThrow(
      /options.apiVersion/,
    );
    expect(() => new WebPubSubServiceClient("https://x", key, "hub", { reverseProxyEndpoint: "nope" })).toThrow(
      /options.reverseProxyEndpoint/,
    );
    expect(() => new WebPubSubServiceClient("https://x", key, "hub", { retryOptions: { maxRetries: -1 } })).toThrow(
      /maxRetries/,
    );
    expect(
      () => new WebPubSubServiceClient("https://x", key, "hub", { retryOptions: { maxRetryDelayInMs: 2 ** 31 } }),
    ).toThrow(/options.retryOptions.maxRetryDelayInMs must be at most 2147483647 ms/);
    expect(() => new WebPubSubServiceClient("https://x", any({ key: "" }), "hub")).toThrow(
      /credential.key must be a non-empty access key/,
    );
    const entra = { getToken: async () => null };
    expect(() => new WebPubSubServiceClient("http://wps.contoso.com", entra, "hub")).toThrow(
      /uses plain http.*allowInsecureConnection: true/,
    );
    expect(
      new WebPubSubServiceClient("http://wps.contoso.com", entra, "hub", { allowInsecureConnection: true }),
    ).toBeDefined();
  });

  // Rule: bad input fails with a TypeError naming it before any side effect. The HTTP stack is created at the first
  // request (decision 0003) "with the options checked at construction": a malformed pipeline option must fail the
  // constructor, not every request later with the pipeline's own "Cannot read properties of undefined".
  it("refuses malformed HTTP stack options at construction, naming them; well-formed ones are accepted", () => {
    const make = (options: Record<string, unknown>) => () =>
      new WebPubSubServiceClient("https://x", key, "hub", any(options));
    const policy = { name: "p", sendRequest: (request: unknown, next: (r: unknown) => unknown) => next(request) };
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ additionalPolicies: "x" }, /^options.additionalPolicies must be an array/],
      [{ additionalPolicies: [{}] }, /^options.additionalPolicies\[0\].policy must be a pipeline policy/],
      [{ additionalPolicies: [{ policy: { name: "p" }, position: "perCall" }] }, /additionalPolicies\[0\].policy/],
      [{ additionalPolicies: [{ policy: null }] }, /additionalPolicies\[0\].policy/],
      [{ redirectOptions: null }, /^options.redirectOptions must be an object/],
      [{ additionalPolicies: [{ policy, position: "first" }] }, /additionalPolicies\[0\].position must be/],
      [{ httpClient: {} }, /^options.httpClient must be an HttpClient/],
      [{ httpClient: "x" }, /^options.httpClient must be an HttpClient/],
      [{ proxyOptions: "x" }, /^options.proxyOptions must be an object/],
      [{ proxyOptions: { port: 8080 } }, /^options.proxyOptions.host must be a non-empty string/],
      [{ tlsOptions: "x" }, /^options.tlsOptions must be an object/],
      [{ agent: "x" }, /^options.agent must be an object/],
      [{ tlsOptions: { ca: "pem" }, agent: new HttpsAgent() }, /^options.tlsOptions is not applied to .*options.agent/],
      [{ loggingOptions: 5 }, /^options.loggingOptions must be an object/],
      [{ userAgentOptions: { userAgentPrefix: 5 } }, /^options.userAgentOptions.userAgentPrefix must be a string/],
      [{ allowInsecureConnection: "yes" }, /^options.allowInsecureConnection must be a boolean/],
    ];
    for (const [options, message] of refused) {
      expect(make(options), JSON.stringify(options)).toThrow(message);
      expect(make(options), JSON.stringify(options)).toThrow(TypeError);
    }
    for (const options of [
      {
        additionalPolicies: [
          { policy, position: "perCall" },
          { policy, position: "perRetry" },
        ],
      },
      { additionalPolicies: [] },
      { httpClient },
      { proxyOptions: { host: "http://proxy.example", port: 8080 } },
      { tlsOptions: {}, agent: undefined, loggingOptions: {}, userAgentOptions: { userAgentPrefix: "app" } },
      { allowInsecureConnection: false },
    ]) {
      expect(make(options)(), JSON.stringify(Object.keys(options))).toBeInstanceOf(WebPubSubServiceClient);
    }
  });

  // Rule: what the HTTP stack (and @azure/web-pubsub) accepts is not refused: null for an option the stack skips, a
  // policy without a name, a policy without a position (perCall). Each client below sends through that policy.
  it.each([
    "tlsOptions",
    "agent",
    "proxyOptions",
    "telemetryOptions",
    "loggingOptions",
    "userAgentOptions",
    "tracingOptions",
    "httpClient",
    "allowInsecureConnection",
  ])("options.%s: null is taken as absent, and a nameless policy without a position runs per call", async (name) => {
    let calls = 0;
    const answer = {
      sendRequest: async (request: PipelineRequest) => {
        calls++;
        return { status: 202, headers: createHttpHeaders(), request };
      },
    };
    const client = new WebPubSubServiceClient(
      "https://x",
      key,
      "hub",
      any({ [name]: null, additionalPolicies: [{ policy: answer }], retryOptions: { maxRetries: 0 } }),
    );
    await client.sendToAll("hi", { contentType: "text/plain" });
    expect(calls).toBe(1);
  });

  it("accepts the hub name pattern's full alphabet", () => {
    const c = new WebPubSubServiceClient("https://x/", key, "a_B`,.[]9");
    expect(c.hubName).toBe("a_B`,.[]9");
    expect(c.endpoint).toBe("https://x");
    expect(c.apiVersion).toBe("2024-12-01");
  });
});
