// Typed calls of the generated routes: request shape per content type, and how responses are classified.
import { describe, expect, it } from "vitest";
import {
  AzureKeyCredential,
  createWebPubSubRestClient,
  errorDetails,
  isUnexpected,
  responseError,
  toRestError,
} from "../src/index.ts";
import { type FakeReply, fakeHttpClient } from "./helpers/fake-http.ts";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

function setup(reply: (url: URL) => FakeReply = () => ({ status: 202 })) {
  const { client: httpClient, seen } = fakeHttpClient((req) => reply(new URL(req.url)));
  const client = createWebPubSubRestClient("https://h.example", new AzureKeyCredential(KEY), {
    httpClient,
    retryOptions: { maxRetries: 0 },
  });
  return { client, seen };
}

describe("request serialization", () => {
  it("sends JSON by default, text and bytes when asked", async () => {
    const { client, seen } = setup();
    const send = client.path("/api/hubs/{hub}/groups/{group}/:send", "chat", "g 1");
    await send.post({ body: "hello" });
    await send.post({ contentType: "text/plain", body: "hello" });
    await send.post({ contentType: "application/octet-stream", body: new Uint8Array([0, 1, 255]) });
    await send.post({ body: { text: "hi" }, queryParameters: { filter: "userId eq 'a'" } });
    expect(seen.map((s) => s.headers["content-type"])).toEqual([
      "application/json",
      "text/plain",
      "application/octet-stream",
      "application/json",
    ]);
    expect(seen[0]!.body).toBe('"hello"');
    expect(seen[1]!.body).toBe("hello");
    expect([...(seen[2]!.body as Uint8Array)]).toEqual([0, 1, 255]);
    expect(seen[3]!.body).toBe('{"text":"hi"}');
    expect(new URL(seen[0]!.url).pathname).toBe("/api/hubs/chat/groups/g%201/:send");
    expect(new URL(seen[3]!.url).searchParams.get("filter")).toBe("userId eq 'a'");
  });

  it("picks application/octet-stream for untyped binary bodies sent without a content type", async () => {
    const { client, seen } = setup();
    const untyped = client.pathUnchecked("/api/hubs/{hub}/:send", "chat");
    await untyped.post({ body: new Uint8Array([7]) });
    const typed = client.path("/api/hubs/{hub}/:send", "chat") as unknown as { post(o: unknown): Promise<unknown> };
    await typed.post({ body: new Uint8Array([7]).buffer });
    await typed.post({ body: new Blob(["x"]) });
    expect(seen.map((s) => s.headers["content-type"])).toEqual([
      "application/octet-stream",
      "application/octet-stream",
      "application/octet-stream",
    ]);
  });

  it("repeats multi-valued query parameters and omits empty ones", async () => {
    const { client, seen } = setup(() => ({ status: 200, body: { token: "t" } }));
    await client.path("/api/hubs/{hub}/:generateToken", "chat").post({
      queryParameters: {
        userId: "u",
        role: ["webpubsub.sendToGroup", "webpubsub.joinLeaveGroup.g1"],
        group: [],
        clientType: "MQTT",
      },
    });
    const params = new URL(seen[0]!.url).searchParams;
    expect(params.getAll("role")).toEqual(["webpubsub.sendToGroup", "webpubsub.joinLeaveGroup.g1"]);
    expect(params.has("group")).toBe(false);
    expect(params.get("clientType")).toBe("MQTT");
  });

  it("posts the addToGroups body as JSON and honours a per-client api-version", async () => {
    const { client: httpClient, seen } = fakeHttpClient(() => ({ status: 200 }));
    const client = createWebPubSubRestClient("https://h.example", new AzureKeyCredential(KEY), {
      httpClient,
      apiVersion: "2024-01-01",
    });
    await client
      .path("/api/hubs/{hub}/:addToGroups", "chat")
      .post({ body: { groups: ["a"], filter: "userId eq 'u'" } });
    expect(seen[0]!.url).toBe("https://h.example/api/hubs/chat/:addToGroups?api-version=2024-01-01");
    expect(JSON.parse(seen[0]!.body as string)).toEqual({ groups: ["a"], filter: "userId eq 'u'" });
  });
});

describe("isUnexpected", () => {
  it("accepts every success code the spec lists, old and new", async () => {
    for (const status of [202, 204]) {
      const { client } = setup(() => ({ status }));
      const res = await client.path("/api/hubs/{hub}/:send", "chat").post({ body: 1 });
      expect(isUnexpected(res)).toBe(false);
    }
    const { client } = setup(() => ({ status: 200 }));
    expect(isUnexpected(await client.path("/api/hubs/{hub}/:send", "chat").post({ body: 1 }))).toBe(true);
  });

  it("treats 404 of an existence check as an answer, and 404 elsewhere as an error", async () => {
    const { client } = setup((url) => ({
      status: 404,
      headers: {
        "x-ms-error-code": url.pathname.includes("/users/") ? "Warning.User.NotExisted" : "Error.Connection.NotExisted",
      },
    }));
    const exists = await client.path("/api/hubs/{hub}/users/{userId}", "chat", "nobody").head();
    expect(isUnexpected(exists)).toBe(false);
    expect(exists.status).toBe("404");
    expect(errorDetails(exists).code).toBe("Warning.User.NotExisted");
    const add = await client.path("/api/hubs/{hub}/groups/{group}/connections/{connectionId}", "chat", "g", "c").put();
    expect(isUnexpected(add)).toBe(true);
  });

  it("narrows to the error type whose body and header carry the service error", async () => {
    const { client } = setup(() => ({
      status: 400,
      headers: { "x-ms-error-code": "Error.BadRequest" },
      body: { code: "Error.BadRequest", message: "Invalid syntax for 'x'", target: "filter" },
    }));
    const res = await client
      .path("/api/hubs/{hub}/:send", "chat")
      .post({ contentType: "text/plain", body: "x", queryParameters: { filter: "x" } });
    if (!isUnexpected(res)) throw new Error("expected an error response");
    expect(res.body.message).toBe("Invalid syntax for 'x'");
    expect(res.headers["x-ms-error-code"]).toBe("Error.BadRequest");
    const err = toRestError(res);
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe("Error.BadRequest");
    expect(err.message).toContain("Invalid syntax");
  });

  it("toRestError keeps the real status and leaves code undefined when the service sent none", async () => {
    const { client } = setup(() => ({ status: 502, body: "bad gateway" }));
    const res = await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "text/plain", body: "x" });
    if (!isUnexpected(res)) throw new Error("expected an error response");
    const err = toRestError(res, "sendToAll");
    expect(err.statusCode).toBe(502);
    expect(err.code).toBeUndefined();
    expect(err.message).toBe("sendToAll failed with status 502: bad gateway");
    expect(err.response?.status).toBe(502);
  });

  // Rule: the service's message and code are relayed into a RestError's message up to 1,024 and 128 characters (a
  // peer's answer is never echoed unbounded); the whole body stays in details and response.bodyAsText.
  it.each([
    [1024, 128, true],
    [1025, 129, false],
  ])(
    "toRestError, a %i-character message and a %i-character code (relayed whole: %s)",
    async (size, codeSize, whole) => {
      const message = "m".repeat(size);
      const code = "c".repeat(codeSize);
      const { client } = setup(() => ({ status: 400, headers: { "x-ms-error-code": code }, body: { message } }));
      const res = await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "text/plain", body: "x" });
      if (!isUnexpected(res)) throw new Error("expected an error response");
      const err = toRestError(res, "sendToAll");
      const relayed = whole
        ? `sendToAll failed with status 400 (${code}): ${message}`
        : `sendToAll failed with status 400 (${"c".repeat(128)}…(1 more characters)): ${"m".repeat(1024)}…(1 more characters)`;
      expect(err.message).toBe(relayed);
      expect(err.code).toBe(code);
      expect((err.details as { message: string }).message).toBe(message);
      expect(err.response?.bodyAsText).toContain(message);
    },
  );

  it("toRestError relays a 1 MB plain-text answer cut to 1,024 characters", async () => {
    const body = "x".repeat(1_000_000);
    const { client } = setup(() => ({ status: 502, body }));
    const res = await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "text/plain", body: "x" });
    if (!isUnexpected(res)) throw new Error("expected an error response");
    const err = toRestError(res, "sendToAll");
    expect(err.message.length).toBeLessThan(1100);
    expect(err.message).toContain("…(998976 more characters)");
    expect(err.details).toBe(body);
  });

  it("responseError attaches the answer, and sets code only when given", async () => {
    const { client } = setup(() => ({ status: 200, headers: { "x-ms-request-id": "r1" }, body: { token: "" } }));
    const res = await client.path("/api/hubs/{hub}/:generateToken", "chat").post();
    const err = responseError(res, "getClientAccessToken: no token.");
    expect(err.message).toBe("getClientAccessToken: no token.");
    expect(err.statusCode).toBe(200);
    expect(err.code).toBeUndefined();
    expect(err.request).toBe(res.request);
    expect(err.response?.status).toBe(200);
    expect(err.response?.headers.get("x-ms-request-id")).toBe("r1");
    expect(err.response?.bodyAsText).toBe('{"token":""}');
    expect(responseError(res, "m", "Error.Code").code).toBe("Error.Code");
  });

  it("matches routes behind an endpoint with a path prefix", async () => {
    const { client: httpClient } = fakeHttpClient(() => ({ status: 204 }));
    const client = createWebPubSubRestClient("https://h.example/prefix", new AzureKeyCredential(KEY), { httpClient });
    const res = await client
      .path("/api/hubs/{hub}/connections/{connectionId}", "chat", "c1")
      .delete({ queryParameters: { reason: "bye" } });
    expect(res.request.url).toContain("/prefix/api/hubs/chat/connections/c1?");
    expect(isUnexpected(res)).toBe(false);
  });
});
