import { decodeConnectionState, encodeConnectionState, verifyConnectionSignature } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import { buildConnectBody } from "../src/upstream/index.ts";
import { upstreamHarness } from "./helpers/upstream.ts";
import {
  allEvents,
  connectBody,
  KEY1,
  KEY2,
  makeContext,
  makeInvoker,
  ORIGIN,
  type Responder,
} from "./upstream-fixtures/handler-server.ts";

const { defer, handler, invokerFor } = upstreamHarness();

function json(status: number, body: unknown, headers: Record<string, string> = {}): Responder {
  return (_req, res) => {
    res.statusCode = status;
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  };
}

describe("connect event", () => {
  it("sends a binary-mode CloudEvent with every ce-* header", async () => {
    const hs = await handler((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    const { invoker } = invokerFor(hs);
    const state = encodeConnectionState({ a: 1 });
    const ctx = makeContext({ subprotocol: "json.webpubsub.azure.v1", connectionState: state });
    const before = Date.now();
    expect(await invoker.connect(ctx, connectBody())).toEqual({ kind: "accept" });
    const [req] = hs.events();
    expect(req!.url).toBe("/api/chat/connect");
    const h = req!.headers;
    expect(h["content-type"]).toBe("application/json; charset=utf-8");
    expect(h["webhook-request-origin"]).toBe(ORIGIN);
    expect(h["ce-specversion"]).toBe("1.0");
    expect(h["ce-awpsversion"]).toBe("1.0");
    expect(h["ce-type"]).toBe("azure.webpubsub.sys.connect");
    expect(h["ce-source"]).toBe(`/hubs/chat/client/${ctx.connectionId}`);
    expect(h["ce-id"]).toBe("0");
    const time = Date.parse(h["ce-time"] as string);
    expect(time).toBeGreaterThanOrEqual(before - 1000);
    expect(h["ce-time"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(h["ce-userid"]).toBe("alice");
    expect(h["ce-connectionid"]).toBe(ctx.connectionId);
    expect(h["ce-hub"]).toBe("chat");
    expect(h["ce-eventname"]).toBe("connect");
    expect(h["ce-subprotocol"]).toBe("json.webpubsub.azure.v1");
    expect(h["ce-connectionstate"]).toBe(state);
    const sig = h["ce-signature"] as string;
    expect(sig.split(",")).toHaveLength(2);
    expect(await verifyConnectionSignature(sig, ctx.connectionId, [KEY1])).toBe(true);
    expect(await verifyConnectionSignature(sig, ctx.connectionId, [KEY2])).toBe(true);
    expect(await verifyConnectionSignature(sig, ctx.connectionId, ["another-key"])).toBe(false);
  });

  it("omits ce-userId, ce-subprotocol and ce-connectionState when there are none", async () => {
    const hs = await handler((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    const { invoker } = invokerFor(hs);
    await invoker.connect(makeContext({ userId: null, connectionState: "" }), connectBody());
    const h = hs.events()[0]!.headers;
    expect(h["ce-userid"]).toBeUndefined();
    expect(h["ce-subprotocol"]).toBeUndefined();
    expect(h["ce-connectionstate"]).toBeUndefined();
    expect(h["ce-connectionid"]).toBeDefined();
  });

  it("sends non-ASCII user ids as UTF-8 bytes", async () => {
    const hs = await handler((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    const { invoker } = invokerFor(hs);
    await invoker.connect(makeContext({ userId: "zoë-€" }), connectBody());
    const raw = hs.events()[0]!.headers["ce-userid"] as string; // node decodes header bytes as Latin-1
    expect(Buffer.from(raw, "latin1").toString("utf8")).toBe("zoë-€");
  });

  it("sends the body of protocol.md 5.5: arrays of strings, no access_token, no Authorization", async () => {
    const hs = await handler((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    const { invoker } = invokerFor(hs);
    await invoker.connect(
      makeContext(),
      connectBody({
        claims: { sub: "alice", role: ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"], exp: 1700000000, n: null },
        query: { room: "lobby", access_token: "secret.jwt.token", tags: ["a", "b"] },
        headers: { "user-agent": "test", authorization: "Bearer secret", cookie: ["a=1", "b=2"] },
        subprotocols: ["json.webpubsub.azure.v1", "json.reliable.webpubsub.azure.v1"],
      }),
    );
    const body = JSON.parse(hs.events()[0]!.text);
    expect(body).toEqual({
      claims: {
        sub: ["alice"],
        role: ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"],
        exp: ["1700000000"],
      },
      query: { room: ["lobby"], tags: ["a", "b"] },
      headers: { "user-agent": ["test"], cookie: ["a=1", "b=2"] },
      subprotocols: ["json.webpubsub.azure.v1", "json.reliable.webpubsub.azure.v1"],
      clientCertificates: [],
    });
    expect(hs.events()[0]!.text).not.toMatch(/secret/);
  });

  it("builds the body from URLSearchParams too, dropping ACCESS_TOKEN in any case, and handles __proto__ keys", () => {
    const body = buildConnectBody({
      claims: { __proto__x: "y", obj: { a: 1 } },
      query: new URLSearchParams("a=1&a=2&ACCESS_TOKEN=t&__proto__=p"),
      headers: { Authorization: "x", "X-A": "1" },
      subprotocols: [],
      clientCertificates: [],
    });
    expect(JSON.stringify(body)).toBe(
      JSON.stringify({
        claims: { __proto__x: ["y"], obj: ['{"a":1}'] },
        query: { a: ["1", "2"], ["__proto__"]: ["p"] },
        headers: { "X-A": ["1"] },
        subprotocols: [],
        clientCertificates: [],
      }),
    );
    expect(Object.getPrototypeOf(body.query)).toBeNull();
  });

  it("accepts with overrides from a 200 JSON answer, and takes the initial connection state", async () => {
    const state = encodeConnectionState({ role: "admin" });
    const hs = await handler(
      json(
        200,
        {
          userId: "bob",
          groups: ["g1", "g2", "g1"],
          roles: ["webpubsub.sendToGroup"],
          subprotocol: "json.webpubsub.azure.v1",
        },
        { "ce-connectionState": state },
      ),
    );
    const { invoker } = invokerFor(hs);
    const r = await invoker.connect(makeContext(), connectBody({ subprotocols: ["json.webpubsub.azure.v1"] }));
    expect(r).toEqual({
      kind: "accept",
      userId: "bob",
      groups: ["g1", "g2"],
      roles: ["webpubsub.sendToGroup"],
      subprotocol: "json.webpubsub.azure.v1",
      connectionState: state,
    });
    expect(decodeConnectionState((r as { connectionState: string }).connectionState)).toEqual({ role: "admin" });
  });

  it("keeps the token's groups on groups: [], clears roles on roles: [], ignores empty userId and subprotocol", async () => {
    const hs = await handler(json(200, { userId: "", groups: [], roles: [], subprotocol: "" }));
    const { invoker } = invokerFor(hs);
    expect(await invoker.connect(makeContext(), connectBody())).toEqual({ kind: "accept", roles: [] });
  });

  it("accepts with defaults on 200 with an empty body", async () => {
    const hs = await handler((_req, res) => {
      res.end();
    });
    const { invoker } = invokerFor(hs);
    expect(await invoker.connect(makeContext(), connectBody())).toEqual({ kind: "accept" });
  });

  it.each([
    ["not JSON", "nope", /not JSON/],
    ["an array", [], /not a JSON object/],
    ["a numeric userId", { userId: 5 }, /userId must be a string/],
    ["groups of numbers", { groups: [1] }, /groups must be an array of strings/],
    ["a blank group", { groups: ["  "] }, /1\.\.1024 characters/],
    ["roles as a string", { roles: "r" }, /roles must be an array/],
    [
      "a subprotocol the client did not offer",
      { subprotocol: "json.webpubsub.azure.v1" },
      /not one the client offered/,
    ],
  ])("rejects with 500 on a 200 answer with %s", async (_, body, why) => {
    const hs = await handler(json(200, body));
    const { invoker } = invokerFor(hs);
    const r = await invoker.connect(makeContext(), connectBody());
    expect(r).toMatchObject({ kind: "reject", status: 500 });
    expect((r as { message: string }).message).toMatch(why);
  });

  it.each([400, 401, 403, 429])("rejects with the handler's %i and its message, without retrying", async (status) => {
    const hs = await handler((_req, res) => {
      res.statusCode = status;
      res.end("go away");
    });
    const { invoker } = invokerFor(hs);
    expect(await invoker.connect(makeContext(), connectBody())).toEqual({ kind: "reject", status, message: "go away" });
    expect(hs.events()).toHaveLength(1);
  });

  it("uses a default message for a 4xx without a body", async () => {
    const hs = await handler((_req, res) => {
      res.statusCode = 401;
      res.end();
    });
    const { invoker } = invokerFor(hs);
    expect(await invoker.connect(makeContext(), connectBody())).toEqual({
      kind: "reject",
      status: 401,
      message: "connect event handler answered 401",
    });
  });

  it("retries 5xx with the same ce-id, then rejects with 500", async () => {
    const hs = await handler((_req, res) => {
      res.statusCode = 503;
      res.end("busy");
    });
    const { invoker, logs } = invokerFor(hs);
    const r = await invoker.connect(makeContext(), connectBody());
    expect(r).toEqual({ kind: "reject", status: 500, message: "connect event handler answered 503: busy" });
    expect(hs.events()).toHaveLength(4);
    expect(new Set(hs.events().map((e) => e.headers["ce-id"]))).toEqual(new Set(["0"]));
    expect(logs.filter((l) => /retrying in/.test(l))).toHaveLength(3);
  });

  it("accepts once a retried attempt succeeds", async () => {
    let calls = 0;
    const hs = await handler((_req, res) => {
      res.statusCode = ++calls < 3 ? 500 : 204;
      res.end();
    });
    const { invoker } = invokerFor(hs);
    expect(await invoker.connect(makeContext(), connectBody())).toEqual({ kind: "accept" });
    expect(calls).toBe(3);
  });

  it("rejects with 500 when the handler times out, without retrying", async () => {
    const hs = await handler(() => {
      /* never answers */
    });
    const { invoker, logs } = invokerFor(hs, { timeoutMs: 150 });
    const r = await invoker.connect(makeContext(), connectBody());
    expect(r).toEqual({ kind: "reject", status: 500, message: "connect event handler failed: timed out after 150 ms" });
    // on a busy machine the handler may record the request only after the timeout fired: wait for it, event-driven
    await hs.waitFor((req) => req.url === "/api/chat/connect");
    // no retry: the invoker logs each one before sending it, and connect() resolved after its last attempt
    expect(logs.filter((l) => /retrying/.test(l))).toEqual([]);
    expect(hs.events()).toHaveLength(1);
  });

  it("does not follow redirects: a 3xx rejects with 500", async () => {
    const hs = await handler((_req, res) => {
      res.statusCode = 307;
      res.setHeader("Location", "/elsewhere");
      res.end();
    });
    const { invoker } = invokerFor(hs);
    expect(await invoker.connect(makeContext(), connectBody())).toMatchObject({ kind: "reject", status: 500 });
    expect(hs.events().map((e) => e.url)).toEqual(["/api/chat/connect"]);
  });

  it("accepts without any request when no handler subscribes to connect", async () => {
    const hs = await handler(json(401, {}));
    const { invoker } = makeInvoker([allEvents(hs.base, { systemEvents: ["connected"] })]);
    defer(() => invoker.close());
    let ids = 0;
    const ctx = { ...makeContext(), nextEventId: () => ids++ };
    expect(await invoker.connect(ctx, connectBody())).toEqual({ kind: "accept" });
    expect(hs.requests).toHaveLength(0);
    expect(ids).toBe(0);
  });
});
