// Which failures are retried, and how service errors surface.
import { createServer } from "node:net";
import { Readable } from "node:stream";
import { isRestError, type RestError } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WebPubSubServiceClient } from "../src/index.ts";
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
beforeEach(() => {
  server.requests.length = 0;
  server.script.length = 0;
});

const status = (s: number, headers?: Record<string, string>) => ({ status: s, headers });

async function caught(p: Promise<unknown>): Promise<RestError> {
  try {
    await p;
  } catch (e) {
    expect(isRestError(e), String(e)).toBe(true);
    return e as RestError;
  }
  throw new Error("expected a RestError");
}

describe("retries", () => {
  it("never resends a message after a 5xx or a timeout-like failure", async () => {
    for (const code of [500, 502, 503, 504]) {
      server.requests.length = 0;
      server.script.length = 0;
      server.script.push(status(code), status(202));
      const error = await caught(client.sendToAll("m"));
      expect(error.statusCode).toBe(code);
      expect(server.requests).toHaveLength(1);
    }
    server.script.length = 0;
  });

  it("resends a message the service throttled (429, not processed), honouring Retry-After", async () => {
    server.script.push(status(429, { "retry-after-ms": "1" }), status(202));
    await client.sendToUser("u", "m");
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.body.toString()).toBe("m");
  });

  it("retries idempotent operations on transient failures, up to maxRetries", async () => {
    server.script.push(status(503), status(500), status(200));
    await client.addUserToGroup("g", "u");
    expect(server.requests.map((r) => r.method)).toEqual(["PUT", "PUT", "PUT"]);
    server.requests.length = 0;
    server.script.push(status(502), status(502), status(502), status(200));
    const error = await caught(client.grantPermission("c", "sendToGroup"));
    expect(error.statusCode).toBe(502);
    expect(server.requests).toHaveLength(3);
    server.script.length = 0;
    server.requests.length = 0;
    server.script.push(status(504), { status: 404, headers: { "x-ms-error-code": "Warning.Group.NotExisted" } });
    expect(await client.groupExists("g")).toBe(false);
    expect(server.requests).toHaveLength(2);
  });

  it("does not retry client errors", async () => {
    server.script.push(status(400), status(200));
    await caught(client.removeUserFromAllGroups("u"));
    expect(server.requests).toHaveLength(1);
  });

  it("never retries a one-shot stream, even on 429", async () => {
    server.script.push(status(429, { "retry-after-ms": "1" }), status(202));
    const error = await caught(client.sendToAll(Readable.from([Buffer.from("x")])));
    expect(error.statusCode).toBe(429);
    expect(server.requests).toHaveLength(1);
  });

  it("resends a send when the connection was refused (nothing reached the service)", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    let attempts = 0;
    const refused = clientOf(
      { endpoint: `http://127.0.0.1:${port}` },
      {
        retryOptions: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 2 },
        additionalPolicies: [
          {
            position: "perCall",
            policy: {
              name: "count",
              sendRequest: (req, next) => {
                attempts++;
                return next(req);
              },
            },
          },
        ],
      },
    );
    const error = await caught(refused.sendToAll("m"));
    expect(error.code).toBe("ECONNREFUSED");
    expect(attempts).toBe(3);
  });

  it("stops waiting when aborted", async () => {
    const slow = clientOf(server, {
      retryOptions: { maxRetries: 5, retryDelayInMs: 10_000, maxRetryDelayInMs: 10_000 },
    });
    server.script.push(status(503), status(503));
    const controller = new AbortController();
    const pending = slow.closeAllConnections({ abortSignal: controller.signal });
    await server.requestCount(1);
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    expect(server.requests).toHaveLength(1);
  });
});

describe("errors", () => {
  it("surfaces service failures as RestError with x-ms-error-code in code", async () => {
    server.script.push({
      status: 404,
      headers: { "content-type": "application/json", "x-ms-error-code": "Info.Connection.NotExisted" },
      body: JSON.stringify({ code: "Info.Connection.NotExisted", message: "Connection `xxx` is not found." }),
    });
    const error = await caught(client.grantPermission("xxx", "joinLeaveGroup", { targetName: "x" }));
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe("Info.Connection.NotExisted");
    expect(error.message).toContain("Connection `xxx` is not found.");
    expect(error.details).toMatchObject({ code: "Info.Connection.NotExisted" });
  });

  it("uses the problem+json body when the header is absent", async () => {
    server.script.push({
      status: 400,
      headers: { "content-type": "application/problem+json" },
      body: JSON.stringify({ code: "Error.BadRequest", message: "Invalid syntax for 'x'", target: "filter" }),
    });
    const error = await caught(client.sendToAll("m", { filter: "x" }));
    expect([error.statusCode, error.code]).toEqual([400, "Error.BadRequest"]);
  });

  it("maps existence checks: 200 true, the service's NotExisted/NotGranted 404s false, anything else throws", async () => {
    const notThere = (code: string) => status(404, { "x-ms-error-code": code });
    server.script.push(
      status(200),
      notThere("Warning.User.NotExisted"),
      notThere("Warning.Group.NotExisted"),
      notThere("Warning.Connection.NotExisted"),
      notThere("Info.Permission.NotGranted"),
      notThere("Info.Connection.NotExisted"),
      status(403),
    );
    expect(await client.connectionExists("c")).toBe(true);
    expect(await client.userExists("u")).toBe(false);
    expect(await client.groupExists("g")).toBe(false);
    expect(await client.connectionExists("c")).toBe(false);
    expect(await client.checkPermission("c", "sendToGroup")).toBe(false);
    expect(await client.hasPermission("c", "sendToGroup", { targetName: "g" })).toBe(false);
    const error = await caught(client.checkPermission("c", "sendToGroup"));
    expect(error.statusCode).toBe(403);
  });

  it("treats a 404 without the service's error code (a misrouted proxy) as an error, not as false", async () => {
    server.script.push(status(404), status(404, { "x-ms-error-code": "Error.Other" }));
    const error = await caught(client.userExists("u"));
    expect([error.statusCode, error.code]).toEqual([404, undefined]);
    const other = await caught(client.groupExists("g"));
    expect([other.statusCode, other.code]).toEqual([404, "Error.Other"]);
  });

  it("leaves code undefined when the service sent none, instead of inventing one", async () => {
    server.script.push(status(400));
    const error = await caught(client.sendToAll("m"));
    expect(error.statusCode).toBe(400);
    expect(error.code).toBeUndefined();
    expect(error.message).toMatch(/^sendToAll failed with status 400/);
    expect(error.message).not.toMatch(/HTTP 400/);
  });

  it("rejects a 200 from :generateToken without a token, keeping the real status", async () => {
    const entra = new WebPubSubServiceClient(
      server.endpoint,
      { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 600_000 }) },
      "hub",
    );
    server.script.push({ status: 200, headers: { "content-type": "application/json" }, body: "{}" });
    const error = await caught(entra.getClientAccessToken());
    expect(error.statusCode).toBe(200);
    expect(error.code).toBeUndefined();
    expect(error.message).toMatch(/getClientAccessToken: the service answered 200 without a non-empty `token`/);
  });

  it("rejects a listing page whose member has no connectionId, naming what is missing", async () => {
    const json = (body: unknown) => ({
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    server.script.push(json({ value: [{ connectionId: "c1" }, { userId: "u" }] }), json({ nextLink: "x" }));
    const error = await caught(client.listConnectionsInGroup("g").next());
    expect(error.statusCode).toBe(200);
    expect(error.message).toMatch(/without a `connectionId` string in value\[1\]/);
    const noValue = await caught(client.listConnectionsInGroup("g").next());
    expect(noValue.message).toMatch(/without a `value` array/);
  });

  it("accepts 200, 202 and 204 as success for every operation", async () => {
    server.script.push(status(204), status(200), status(202));
    await client.sendToAll("a");
    await client.closeConnection("c");
    await client.addConnectionsToGroups(["g"], "userId eq 'a'");
    expect(server.requests).toHaveLength(3);
  });

  it("reports health: true on 2xx, false on 503", async () => {
    server.script.push(status(200), status(503));
    expect(await client.getServiceStatus()).toBe(true);
    expect(await client.getServiceStatus()).toBe(false);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["HEAD /api/health", "HEAD /api/health"]);
  });
});
