import { describe, expect, it } from "vitest";
import { noContent, upstreamHarness } from "./helpers/upstream.ts";
import { allEvents, makeContext, makeInvoker, type Responder } from "./upstream-fixtures/handler-server.ts";

const { defer, handler, invokerFor } = upstreamHarness();

function reply(
  contentType: string | undefined,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Responder {
  return (_req, res) => {
    if (contentType !== undefined) res.setHeader("Content-Type", contentType);
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.end(body);
  };
}

describe("user events", () => {
  it("sends each data type with its Content-Type and body", async () => {
    const hs = await handler(noContent);
    const { invoker } = invokerFor(hs);
    const ctx = makeContext();
    await invoker.userEvent(ctx, "message", { dataType: "text", data: "héllo" });
    await invoker.userEvent(ctx, "chat", { dataType: "json", data: { a: [1, "x"] } });
    await invoker.userEvent(ctx, "bin", { dataType: "binary", data: new Uint8Array([0, 1, 255]) });
    await invoker.userEvent(ctx, "pb", { dataType: "protobuf", data: new Uint8Array([8, 1]) });
    await invoker.userEvent(ctx, "js", { dataType: "json", data: "just a string" });
    const [text, jsonReq, bin, pb, jsonString] = hs.events();
    expect(text!.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(text!.text).toBe("héllo");
    expect(text!.url).toBe("/api/chat/message");
    expect(text!.headers["ce-type"]).toBe("azure.webpubsub.user.message");
    expect(text!.headers["ce-eventname"]).toBe("message");
    expect(jsonReq!.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(jsonReq!.text).toBe('{"a":[1,"x"]}');
    expect(jsonReq!.headers["ce-type"]).toBe("azure.webpubsub.user.chat");
    expect(bin!.headers["content-type"]).toBe("application/octet-stream");
    expect([...bin!.body]).toEqual([0, 1, 255]);
    expect(pb!.headers["content-type"]).toBe("application/x-protobuf");
    expect([...pb!.body]).toEqual([8, 1]);
    expect(jsonString!.text).toBe('"just a string"');
    expect(hs.events().map((e) => e.headers["ce-id"])).toEqual(["0", "1", "2", "3", "4"]);
  });

  it("routes by {event} and the first matching handler", async () => {
    const a = await handler(noContent);
    const b = await handler(noContent);
    const { invoker } = makeInvoker([
      { urlTemplate: `${a.base}/a/{event}`, userEventPattern: "one,two" },
      { urlTemplate: `${b.base}/b/{event}`, userEventPattern: "*" },
    ]);
    defer(() => invoker.close());
    const ctx = makeContext();
    await invoker.userEvent(ctx, "two", { dataType: "text", data: "x" });
    await invoker.userEvent(ctx, "three", { dataType: "text", data: "x" });
    expect(a.events().map((e) => e.url)).toEqual(["/a/two"]);
    expect(b.events().map((e) => e.url)).toEqual(["/b/three"]);
  });

  it("answers no-handler without any request when no handler subscribes", async () => {
    const hs = await handler(noContent);
    const { invoker } = makeInvoker([allEvents(hs.base, { userEventPattern: "only" })]);
    defer(() => invoker.close());
    let ids = 0;
    const ctx = { ...makeContext(), nextEventId: () => ids++ };
    expect(await invoker.userEvent(ctx, "other", { dataType: "text", data: "x" })).toEqual({ kind: "no-handler" });
    expect(hs.requests).toHaveLength(0);
    expect(ids).toBe(0);
  });

  it.each([
    ["application/json; charset=utf-8", '{"ok":true}', { dataType: "json", data: { ok: true } }],
    ["text/plain; charset=utf-8", "hey ünïcode", { dataType: "text", data: "hey ünïcode" }],
    ["application/octet-stream", Buffer.from([1, 2, 3]), { dataType: "binary", data: new Uint8Array([1, 2, 3]) }],
    ["application/x-protobuf", Buffer.from([8, 2]), { dataType: "protobuf", data: new Uint8Array([8, 2]) }],
    [undefined, Buffer.from([9]), { dataType: "binary", data: new Uint8Array([9]) }],
  ])("turns a 200 %s body into the reply", async (contentType, body, expected) => {
    const hs = await handler(reply(contentType, body));
    const { invoker } = invokerFor(hs);
    const r = await invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" });
    expect(r.kind).toBe("ok");
    const got = (r as { reply: { dataType: string; data: unknown } }).reply;
    expect(got.dataType).toBe(expected.dataType);
    if (got.data instanceof Uint8Array) expect([...got.data]).toEqual([...(expected.data as Uint8Array)]);
    else expect(got.data).toEqual(expected.data);
  });

  it("has no reply on 204 or on 200 with an empty body, and leaves the state unchanged", async () => {
    let n = 0;
    const hs = await handler((_req, res) => {
      res.statusCode = n++ === 0 ? 204 : 200;
      res.setHeader("Content-Type", "text/plain");
      res.end();
    });
    const { invoker } = invokerFor(hs);
    expect(await invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" })).toEqual({ kind: "ok" });
    expect(await invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" })).toEqual({ kind: "ok" });
  });

  it("reports ce-connectionState: set, cleared (empty), and the last of repeated headers", async () => {
    const states: (string[] | undefined)[] = [["c3RhdGU="], [""], ["Zmlyc3Q=", "c2Vjb25k"]];
    let i = 0;
    const hs = await handler((_req, res) => {
      const s = states[i++];
      if (s !== undefined) res.setHeader("ce-connectionState", s);
      res.statusCode = 204;
      res.end();
    });
    const { invoker } = invokerFor(hs);
    const send = () => invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" });
    expect(await send()).toEqual({ kind: "ok", connectionState: "c3RhdGU=" });
    expect(await send()).toEqual({ kind: "ok", connectionState: null });
    expect(await send()).toEqual({ kind: "ok", connectionState: "c2Vjb25k" });
  });

  it("sends the current connection state and user id with each event", async () => {
    const hs = await handler(noContent);
    const { invoker } = invokerFor(hs);
    const ctx = makeContext({ connectionState: "czE=" });
    const first = invoker.userEvent(ctx, "e", { dataType: "text", data: "x" });
    ctx.connectionState = "czI="; // a later change does not alter an event already raised
    await first;
    await invoker.userEvent(ctx, "e", { dataType: "text", data: "x" });
    expect(hs.events().map((e) => e.headers["ce-connectionstate"])).toEqual(["czE=", "czI="]);
  });

  it("reports a non-2xx answer as an error with its status and body, retrying only 408/5xx", async () => {
    const statuses = [400, 404, 429, 408, 500, 502, 503];
    for (const status of statuses) {
      const hs = await handler((_req, res) => {
        res.statusCode = status;
        res.end("nope");
      });
      const { invoker } = invokerFor(hs);
      const r = await invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" });
      expect(r).toEqual({ kind: "error", status, message: `event handler for "e" answered ${status}: nope` });
      expect(hs.events()).toHaveLength(status === 408 || status >= 500 ? 4 : 1);
    }
  });

  it("reports invalid JSON in a reply as an error", async () => {
    const hs = await handler(reply("application/json", "{oops"));
    const { invoker } = invokerFor(hs);
    expect(await invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" })).toMatchObject({
      kind: "error",
      status: 200,
      message: expect.stringMatching(/invalid JSON/),
    });
  });

  it("reports a reply larger than maxResponseBytes as an error", async () => {
    const hs = await handler(reply("text/plain", "x".repeat(2000)));
    const { invoker } = invokerFor(hs, { maxResponseBytes: 1000 });
    expect(await invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" })).toMatchObject({
      kind: "error",
      message: expect.stringMatching(/exceeds the 1000-byte limit/),
    });
  });

  it("times out a slow handler without status", async () => {
    const hs = await handler(() => {});
    const { invoker } = invokerFor(hs, { timeoutMs: 100 });
    expect(await invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" })).toEqual({
      kind: "error",
      message: 'event handler for "e" failed: timed out after 100 ms',
      reason: "timeout",
    });
  });

  // rule: a caller's cancel signal aborts the HTTP request in flight (the handler sees its request go away) and the
  // result says "cancelled"; without a cancel the same slow handler is still waited for
  it("aborts the request when the caller cancels", async () => {
    let requestArrived!: () => void;
    const arrived = new Promise<void>((r) => {
      requestArrived = r;
    });
    let requestAborted!: () => void;
    const aborted = new Promise<void>((r) => {
      requestAborted = r;
    });
    const hs = await handler((req, res) => {
      res.on("close", () => requestAborted());
      requestArrived();
      void req;
    });
    const { invoker } = invokerFor(hs, { retryDelaysMs: [0, 0] });
    const cancel = new AbortController();
    const result = invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" }, cancel.signal);
    await arrived;
    cancel.abort();
    await aborted;
    expect(await result).toEqual({
      kind: "error",
      message: 'event handler for "e" failed: cancelled',
      reason: "cancelled",
    });
    // one request only: a cancelled call is not retried
    expect(hs.events()).toHaveLength(1);
  });

  it("does not send at all when the cancel signal is already aborted", async () => {
    const hs = await handler(noContent);
    const { invoker } = invokerFor(hs);
    const result = await invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" }, AbortSignal.abort());
    expect(result).toMatchObject({ kind: "error", reason: "cancelled" });
    expect(hs.events()).toHaveLength(0);
  });
});
