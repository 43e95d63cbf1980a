// The raw-response checks of @azure/web-pubsub's own public tests (hubs.spec.ts, groups.spec.ts: a test keeps the
// last `onResponse` argument and asserts its status), written in their style and run against the emulator: code
// migrating from the official client keeps reading `lastResponse.status`. Plus the rules around it: one call per
// request after retries, one per page of a listing, the error as third argument, none without a request.
import type { FullOperationResponse } from "@azure/core-client";
import { type RunningEmulator, startEmulator } from "@webpubsub/emulator";
import { afterAll, afterEach, assert, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RawResponse, RestError, WebPubSubServiceClient } from "../src/index.ts";
import { TestClient } from "./helpers/ws-client.ts";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, keepAliveIntervalMs: 0 });
});
afterAll(async () => {
  await emulator?.close();
});

describe("HubClient", () => {
  describe("Working with a hub", () => {
    let client: WebPubSubServiceClient;
    let lastResponse: FullOperationResponse | undefined;
    function onResponse(response: FullOperationResponse): void {
      lastResponse = response;
    }
    beforeEach(() => {
      lastResponse = undefined;
      client = new WebPubSubServiceClient(emulator.connectionString, "simplechat", { retryOptions: { maxRetries: 0 } });
    });

    it("can broadcast", async () => {
      await client.sendToAll("hello", { contentType: "text/plain", onResponse });
      assert.equal(lastResponse?.status, 202);

      await client.sendToAll({ x: 1, y: 2 }, { onResponse });
      assert.equal(lastResponse?.status, 202);

      const binaryMessage = new Uint8Array(10);
      await client.sendToAll(binaryMessage.buffer, { onResponse });
      assert.equal(lastResponse?.status, 202);
    });

    it("can broadcast with filter", async () => {
      await client.sendToAll("hello", {
        contentType: "text/plain",
        filter: "userId ne 'user1'",
        messageTtlSeconds: 60,
        onResponse,
      });
      assert.equal(lastResponse?.status, 202);
    });

    it("can send messages to a user", async () => {
      await client.sendToUser("brian", "hello", { contentType: "text/plain", onResponse });
      assert.equal(lastResponse?.status, 202);

      await client.sendToUser("brian", { x: 1, y: 2 }, { onResponse });
      assert.equal(lastResponse?.status, 202);

      const binaryMessage = new Uint8Array(10);
      await client.sendToUser("brian", binaryMessage.buffer, { onResponse });
      assert.equal(lastResponse?.status, 202);
    });

    it("can send to a user with filter", async () => {
      await client.sendToUser("vic", "hello", { contentType: "text/plain", filter: "userId ne 'user1'", onResponse });
      assert.equal(lastResponse?.status, 202);
    });

    it("can send messages to a connection", async () => {
      await client.sendToConnection("xxxx", "hello", { contentType: "text/plain", onResponse });
      assert.equal(lastResponse?.status, 202);

      await client.sendToConnection("xxxx", { x: 1, y: 2 }, { onResponse });
      assert.equal(lastResponse?.status, 202);

      const binaryMessage = new Uint8Array(10);
      await client.sendToConnection("xxxx", binaryMessage.buffer, { onResponse });
      assert.equal(lastResponse?.status, 202);
    });

    it("can manage users", async () => {
      const res = await client.userExists("foo", { onResponse });
      assert.ok(!res);
      assert.equal(lastResponse?.status, 404);
      await client.removeUserFromAllGroups("brian", { onResponse });
      assert.equal(lastResponse?.status, 204);
    });

    it("can manage connections", async () => {
      await client.removeConnectionFromAllGroups("xxx", { onResponse });
      assert.equal(lastResponse?.status, 204);
    });
  });
});

describe("client working with multiple groups", () => {
  let lastResponse: FullOperationResponse | undefined;
  let hubClient: WebPubSubServiceClient;
  function onResponse(response: FullOperationResponse): void {
    lastResponse = response;
  }
  beforeEach(() => {
    lastResponse = undefined;
    hubClient = new WebPubSubServiceClient(emulator.connectionString, "simplechat");
  });

  it("can join multiple groups with filter", async () => {
    await hubClient.addConnectionsToGroups(["group1", "group2"], "userId eq 'user 1'", { onResponse });
    assert.equal(lastResponse?.status, 200);
  });

  it("can leave multiple groups with filter", async () => {
    await hubClient.removeConnectionsFromGroups(["group1", "group2"], "userId eq 'user 1'", { onResponse });
    assert.equal(lastResponse?.status, 200);
  });

  it("can broadcast to groups", async () => {
    const client = hubClient.group("group");
    await client.sendToAll("hello", { contentType: "text/plain", onResponse });
    assert.equal(lastResponse?.status, 202);
  });
});

describe("onResponse", () => {
  const clients: TestClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  it("is called once per page of a listing, with each page's raw response and parsed body", async () => {
    const hub = new WebPubSubServiceClient(emulator.connectionString, "listing");
    const { url } = await hub.getClientAccessToken({ groups: ["group1"] });
    for (let i = 0; i < 5; i++) clients.push(await TestClient.connect(url));
    const pages: { status: number; body: unknown }[] = [];
    let members = 0;
    for await (const page of hub.listConnectionsInGroup("group1", { maxPageSize: 2 }).byPage()) {
      members += page.length;
    }
    const iterator = hub
      .group("group1")
      .listConnections({ maxPageSize: 2, onResponse: (raw, flat) => pages.push({ status: raw.status, body: flat }) });
    let seen = 0;
    for await (const _member of iterator) seen++;
    expect([members, seen]).toEqual([5, 5]);
    expect(pages.map((p) => p.status)).toEqual([200, 200, 200]);
    expect(pages.map((p) => (p.body as { value: unknown[] }).value.length)).toEqual([2, 2, 1]);
  });

  it("gets the thrown RestError as third argument when the answer is an error", async () => {
    const hub = new WebPubSubServiceClient(emulator.connectionString, "errors", { retryOptions: { maxRetries: 0 } });
    const calls: [RawResponse, unknown, unknown][] = [];
    const thrown = await hub
      .grantPermission("no-such-connection", "joinLeaveGroup", {
        targetName: "x",
        onResponse: (raw, flat, error) => calls.push([raw, flat, error]),
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(thrown).toBeInstanceOf(RestError);
    expect(calls).toHaveLength(1);
    expect(calls[0]![0].status).toBe(404);
    expect(calls[0]![0].request.method).toBe("PUT");
    expect(calls[0]![2]).toBe(thrown);
  });

  it("reports the answer after retries once, not every attempt", async () => {
    let attempts = 0;
    const hub = new WebPubSubServiceClient("Endpoint=https://retry.example;AccessKey=key;Version=1.0;", "hub", {
      retryOptions: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 1 },
      httpClient: {
        sendRequest: async (request) => {
          attempts++;
          const { createHttpHeaders } = await import("@azure/core-rest-pipeline");
          return { request, status: attempts < 3 ? 503 : 200, headers: createHttpHeaders() };
        },
      },
    });
    const statuses: number[] = [];
    expect(await hub.groupExists("g", { onResponse: (raw) => statuses.push(raw.status) })).toBe(true);
    expect(attempts).toBe(3);
    expect(statuses).toEqual([200]);
  });

  it("is not called when no request is made (a client token signed with the access key)", async () => {
    const hub = new WebPubSubServiceClient(emulator.connectionString, "tokens");
    let calls = 0;
    await hub.getClientAccessToken({ userId: "u", onResponse: () => calls++ });
    expect(calls).toBe(0);
  });

  it("is called for the health check, which now sends requestOptions.customHeaders too", async () => {
    const seen: string[] = [];
    const hub = new WebPubSubServiceClient(emulator.connectionString, "health");
    const healthy = await hub.getServiceStatus({
      requestOptions: { customHeaders: { "x-probe": "1" } },
      onResponse: (raw) => seen.push(`${raw.status} ${raw.request.headers.get("x-probe")}`),
    });
    expect(healthy).toBe(true);
    expect(seen).toEqual(["200 1"]);
  });
});
