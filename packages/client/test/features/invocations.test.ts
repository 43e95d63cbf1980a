// invokeEvent: the exact frames, the response mapping, and every way an invocation ends without a response.

import { getEventListeners } from "node:events";
import { describe, expect, it, vi } from "vitest";
import {
  InvocationError,
  WebPubSubClient,
  type WebPubSubClientProtocol,
  WebPubSubJsonReliableProtocol,
  WebPubSubProtobufProtocol,
} from "../../src/index.ts";
import { invokeEvent } from "../../src/invocations.ts";
import { FakeServer, nextEvent, URL1 } from "../fake-socket.ts";
import { recoverOn, started } from "./started.ts";

describe("invokeEvent", () => {
  it("writes an invoke frame and resolves with the response's payload", async () => {
    const { client, socket } = await started();
    const result = client.invokeEvent("echo", { q: 1 }, "json", { invocationId: "i1" });
    const frame = await socket.waitForFrame((f) => f.type === "invoke");
    expect(frame).toEqual({
      type: "invoke",
      invocationId: "i1",
      target: "event",
      event: "echo",
      dataType: "json",
      data: { q: 1 },
    });
    socket.push({ type: "invokeResponse", invocationId: "i1", success: true, dataType: "text", data: "pong" });
    expect(await result).toEqual({ invocationId: "i1", dataType: "text", data: "pong" });
    await client.stop();
  });

  it("a response without payload resolves with the id only; binary data follows binaryType", async () => {
    const { client, socket } = await started({ binaryType: "arraybuffer" });
    const empty = client.invokeEvent("e", "x", "text", { invocationId: "a" });
    const bytes = client.invokeEvent("e", new Uint8Array([1]), "binary", { invocationId: "b" });
    await socket.waitForFrame((f) => f.invocationId === "b");
    socket.push({ type: "invokeResponse", invocationId: "a", success: true });
    socket.push({ type: "invokeResponse", invocationId: "b", success: true, dataType: "binary", data: "eHl6" });
    expect(await empty).toStrictEqual({ invocationId: "a" }); // no dataType or data fields at all
    const b = await bytes;
    expect(b.data).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(b.data as ArrayBuffer)]).toEqual([120, 121, 122]);
    await client.stop();
  });

  it("generates distinct ids when none is given", async () => {
    const { client, socket } = await started();
    void client.invokeEvent("e", "1", "text").catch(() => {});
    void client.invokeEvent("e", "2", "text").catch(() => {});
    await socket.waitForFrame(() => socket.framesOf("invoke").length === 2);
    const [a, b] = socket.framesOf("invoke").map((f) => f.invocationId);
    expect(typeof a).toBe("string");
    expect(a).not.toBe(b);
    await client.stop();
  });

  it("a failed response rejects with InvocationError carrying the id and the service's error", async () => {
    const { client, socket } = await started();
    const result = client.invokeEvent("e", "x", "text", { invocationId: "f" });
    await socket.waitForFrame((f) => f.type === "invoke");
    socket.push({
      type: "invokeResponse",
      invocationId: "f",
      success: false,
      error: { name: "InternalServerError", message: "handler returned 500" },
    });
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvocationError);
    expect(error).toMatchObject({
      name: "InvocationError",
      invocationId: "f",
      errorDetail: { name: "InternalServerError", message: "handler returned 500" },
    });
    expect((error as Error).message).toBe(
      'The invocation failed: error "InternalServerError", message "handler returned 500"',
    );
    await client.stop();
  });

  it("the service's error name and message are shown in the message by their first 64 characters; errorDetail keeps them whole", async () => {
    const { client, socket } = await started();
    const result = client.invokeEvent("e", "x", "text", { invocationId: "h" });
    await socket.waitForFrame((f) => f.type === "invoke");
    const name = `${"n".repeat(64)}${"o".repeat(9_936)}`;
    const message = `${"m".repeat(64)}${"p".repeat(99_936)}`;
    socket.push({ type: "invokeResponse", invocationId: "h", success: false, error: { name, message } });
    const error = (await result.catch((e: unknown) => e)) as InvocationError;
    expect(error.message).toBe(`The invocation failed: error "${"n".repeat(64)}"..., message "${"m".repeat(64)}"...`);
    expect(error.errorDetail).toEqual({ name, message });
    await client.stop();
  });

  it("a pending invocation id is refused before anything is sent; it is free again once settled", async () => {
    const { client, socket } = await started();
    const first = client.invokeEvent("e", "x", "text", { invocationId: "dup" });
    await socket.waitForFrame((f) => f.type === "invoke");
    const second = await client.invokeEvent("e", "y", "text", { invocationId: "dup" }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(InvocationError);
    expect((second as InvocationError).invocationId).toBe("dup");
    expect(socket.framesOf("invoke")).toHaveLength(1);
    socket.push({ type: "invokeResponse", invocationId: "dup", success: true });
    await first;
    const third = client.invokeEvent("e", "z", "text", { invocationId: "dup" });
    await socket.waitForFrame(() => socket.framesOf("invoke").length === 2);
    socket.push({ type: "invokeResponse", invocationId: "dup", success: true });
    await third;
    await client.stop();
  });

  it("a response the client cannot decode (past the JSON bounds, or malformed) fails its invocation at once; other frames and other ids leave it waiting", async () => {
    const { client, socket } = await started();
    const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
    const response = (id: string, data: string) =>
      `{"type":"invokeResponse","invocationId":${JSON.stringify(id)},"success":true,"dataType":"json","data":${data}}`;
    const deep = client.invokeEvent("e", "x", "text", { invocationId: "deep" });
    const broken = client.invokeEvent("e", "x", "text", { invocationId: 'bro"ken' });
    const kept = client.invokeEvent("e", "x", "text", { invocationId: "kept" });
    await socket.waitForFrame(() => socket.framesOf("invoke").length === 3);
    socket.push(response("other", nested(65))); // no such invocation
    socket.push(`{"type":"message","from":"server","dataType":"json","data":${nested(65)},"invocationId":"kept"}`);
    socket.push(response("deep", nested(65)));
    socket.push('{"type":"invokeResponse","invocationId":"bro\\"ken","success":tru}');
    socket.push(response("kept", nested(64))); // within the bounds: decoded
    const text = "The invoke response could not be decoded: it is malformed or past the client's JSON bounds";
    for (const [failed, invocationId] of [
      [deep, "deep"],
      [broken, 'bro"ken'],
    ] as const) {
      const error = await failed.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvocationError);
      expect(error).toMatchObject({ message: text, invocationId });
    }
    expect((await kept).data).toEqual(JSON.parse(nested(64)));
    expect(client.state).toBe("Connected");
    await client.stop();
  });

  it("abort sends cancelInvocation and rejects with InvocationError; a late response is ignored", async () => {
    const { client, socket } = await started();
    const controller = new AbortController();
    const result = client.invokeEvent("slow", "x", "text", { invocationId: "c", abortSignal: controller.signal });
    await socket.waitForFrame((f) => f.type === "invoke");
    controller.abort(new Error("user gave up"));
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvocationError);
    expect((error as InvocationError).cause).toEqual(new Error("user gave up"));
    expect(socket.framesOf("cancelInvocation")).toEqual([{ type: "cancelInvocation", invocationId: "c" }]);
    socket.push({ type: "invokeResponse", invocationId: "c", success: true, dataType: "text", data: "late" });
    await client.stop();
  });

  it("an already aborted signal rejects without any frame", async () => {
    const { client, socket } = await started();
    const error = await client
      .invokeEvent("e", "x", "text", { abortSignal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvocationError);
    expect(socket.framesOf("invoke")).toEqual([]);
    expect(socket.framesOf("cancelInvocation")).toEqual([]);
    await client.stop();
  });

  it("across a reliable recovery a written invocation keeps waiting; its response on the resumed connection settles it", async () => {
    const { server, client, socket } = await started();
    const result = client.invokeEvent("e", "x", "text", { invocationId: "r" });
    await socket.waitForFrame((f) => f.type === "invoke");
    const recovered = nextEvent(client, "recovered");
    socket.serverClose(1006);
    const s2 = await recoverOn(server, 1);
    await recovered;
    expect(s2.framesOf("invoke")).toEqual([]); // not written twice: the session has it
    s2.push({ type: "invokeResponse", invocationId: "r", success: true, dataType: "text", data: "ok" });
    expect(await result).toEqual({ invocationId: "r", dataType: "text", data: "ok" });
    await client.stop();
  });

  it("an invocation issued while recovering is written once the session is resumed", async () => {
    const { server, client, socket } = await started();
    socket.serverClose(1006);
    expect(client.state).toBe("Recovering");
    const result = client.invokeEvent("e", "x", "text", { invocationId: "w" });
    const s2 = await recoverOn(server, 1);
    await s2.waitForFrame((f) => f.type === "invoke");
    s2.push({ type: "invokeResponse", invocationId: "w", success: true });
    expect(await result).toEqual({ invocationId: "w" });
    await client.stop();
  });

  it("when the session is lost (no recovery), a written invocation rejects with InvocationError", async () => {
    const { client, socket } = await started({ protocol: "json" });
    const result = client.invokeEvent("e", "x", "text", { invocationId: "lost" });
    await socket.waitForFrame((f) => f.type === "invoke");
    const disconnected = nextEvent(client, "disconnected");
    socket.serverClose(1006);
    await disconnected;
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvocationError);
    expect(error).toMatchObject({ invocationId: "lost", message: expect.stringMatching(/connection was lost/) });
    await client.stop();
  });

  it("stop() rejects pending invocations; a stopped client refuses new ones", async () => {
    const { client, socket } = await started();
    const result = client.invokeEvent("e", "x", "text", { invocationId: "s" });
    await socket.waitForFrame((f) => f.type === "invoke");
    await client.stop();
    await expect(result).rejects.toBeInstanceOf(InvocationError);
    await expect(client.invokeEvent("e", "x", "text")).rejects.toThrow(/call start\(\) first/);
  });

  it("bad arguments are TypeErrors naming the argument, before any frame", async () => {
    const { client, socket } = await started();
    await expect(client.invokeEvent("bad name!", "x", "text")).rejects.toThrow(/eventName/);
    await expect(client.invokeEvent("e", 1, "text")).rejects.toThrow(/content/);
    await expect(client.invokeEvent("e", "x", "text", { invocationId: "" })).rejects.toThrow(/options\.invocationId/);
    await expect(client.invokeEvent("e", "x", "text", { invocationId: "x".repeat(257) })).rejects.toThrow(
      /options\.invocationId/,
    );
    await expect(
      client.invokeEvent("e", "x", "text", { abortSignal: "soon" as unknown as AbortSignal }),
    ).rejects.toThrow(/options\.abortSignal/);
    expect(socket.framesOf("invoke")).toEqual([]);
    await client.stop();
  });

  it("a client on a protobuf subprotocol refuses invokeEvent with a TypeError naming it and the subprotocols that carry it", async () => {
    const server = new FakeServer();
    const client = new WebPubSubClient(URL1, {
      webSocketFactory: server.factory,
      protocol: WebPubSubProtobufProtocol(),
    });
    const error = await client.invokeEvent("e", "x", "text").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe(
      'invokeEvent needs a JSON subprotocol ("json" or "json.reliable"): the protobuf subprotocols have no such messages',
    );
    expect(server.sockets).toEqual([]);
  });

  it("content that cannot be encoded (a cycle) is a TypeError before anything is registered: the id stays free", async () => {
    const { client, socket } = await started();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(client.invokeEvent("e", cyclic, "json", { invocationId: "x" })).rejects.toThrow(TypeError);
    const ok = client.invokeEvent("e", { fine: true }, "json", { invocationId: "x" });
    await socket.waitForFrame((f) => f.type === "invoke");
    socket.push({ type: "invokeResponse", invocationId: "x", success: true });
    expect(await ok).toEqual({ invocationId: "x" });
    await client.stop();
  });

  // Rule: a protocol object's JSON-only encoder is handed the message itself (its fields readable), even though the
  // client encodes the message once, at the call.
  it("a custom protocol wrapping the JSON-only encoder sees the invoke message's fields", async () => {
    const base = WebPubSubJsonReliableProtocol();
    const seen: unknown[] = [];
    const protocol: WebPubSubClientProtocol = {
      ...base,
      enableJsonOnly: (codec) => {
        const encode = base.enableJsonOnly!(codec);
        return (message) => {
          seen.push((message as { invocationId?: unknown }).invocationId);
          return encode(message);
        };
      },
    };
    const { client, socket } = await started({ protocol });
    const result = client.invokeEvent("e", "x", "text", { invocationId: "i1" });
    const frame = await socket.waitForFrame((f) => f.type === "invoke");
    expect(frame).toMatchObject({ invocationId: "i1", event: "e", dataType: "text", data: "x" });
    expect(seen).toEqual(["i1"]);
    socket.push({ type: "invokeResponse", invocationId: "i1", success: true });
    await result;
    await client.stop();
  });

  it("content that cannot be encoded, issued while connecting, fails alone: the connection comes up and is announced", async () => {
    const { server, client, socket } = await started({ protocol: "json" });
    const disconnected = nextEvent(client, "disconnected");
    socket.serverClose(1006);
    await disconnected;
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad = invokeEvent(client, "e", cyclic, "json", { invocationId: "bad" }).catch((e: unknown) => e);
    const good = invokeEvent(client, "e", "fine", "text", { invocationId: "good" });
    const connected = nextEvent(client, "connected");
    const s2 = await server.socket(1);
    s2.connected("conn2", undefined);
    await connected;
    expect(await bad).toBeInstanceOf(TypeError);
    await s2.waitForFrame((f) => f.invocationId === "good");
    s2.push({ type: "invokeResponse", invocationId: "good", success: true });
    expect(await good).toEqual({ invocationId: "good" });
    await client.stop();
  });

  // Rule: client.invokeEvent takes its arguments at the call, although its module loads (a microtask or more) later:
  // what the caller changes right after the call is not sent, and the arguments it checks are those of the call.
  it("client.invokeEvent sends the content and options of the call: a buffer, an object or an options object changed right after it changes nothing", async () => {
    const { client, socket } = await started();
    const bytes = new Uint8Array([1, 2, 3]);
    const options = { invocationId: "b" };
    const binary = client.invokeEvent("e", bytes, "binary", options);
    bytes.set([9, 9, 9]);
    options.invocationId = "changed";
    const query = { page: 1, tags: ["a"] };
    const json = client.invokeEvent("e", query, "json", { invocationId: "j" });
    query.page = 2;
    query.tags.push("b");
    // valid at the call, invalid right after: sent; invalid at the call, valid right after: refused
    const valid = { invocationId: "v" };
    const sent = client.invokeEvent("e", "x", "text", valid);
    valid.invocationId = "";
    const invalid = { invocationId: "" };
    const refused = client.invokeEvent("e", "x", "text", invalid);
    invalid.invocationId = "fine";
    await socket.waitForFrame(() => socket.framesOf("invoke").length >= 3);
    expect(socket.framesOf("invoke").map((f) => [f.invocationId, f.data])).toEqual([
      ["b", "AQID"],
      ["j", { page: 1, tags: ["a"] }],
      ["v", "x"],
    ]);
    await expect(refused).rejects.toThrow(/options\.invocationId/);
    for (const invocationId of ["b", "j", "v"]) socket.push({ type: "invokeResponse", invocationId, success: true });
    await Promise.all([binary, json, sent]);
    await client.stop();
  });

  // Rule: JSON content is serialized once per call when invokeEvent's module is loaded (no copy before encoding), and
  // the frame is byte for byte what the codec writes.
  it("once its module is loaded, client.invokeEvent encodes JSON content within the call, serializing it once, into the same frame", async () => {
    const { client, socket } = await started();
    const first = client.invokeEvent("e", "load", "text", { invocationId: "first" }); // loads the module
    await socket.waitForFrame((f) => f.invocationId === "first");
    socket.push({ type: "invokeResponse", invocationId: "first", success: true });
    await first;
    let serialized = 0;
    let page = 1;
    const content = {
      toJSON: () => {
        serialized++;
        return { page, text: 'é\u2028"', list: [1, null, { deep: true }] };
      },
    };
    const stringify = vi.spyOn(JSON, "stringify");
    const parse = vi.spyOn(JSON, "parse");
    let result: Promise<unknown>;
    try {
      result = client.invokeEvent("ev", content, "json", { invocationId: "once" });
      // at the call, before any await: one JSON.stringify (the frame's), no copy through JSON.parse
      expect([serialized, stringify.mock.calls.length, parse.mock.calls.length]).toEqual([1, 1, 0]);
    } finally {
      stringify.mockRestore();
      parse.mockRestore();
    }
    page = 2; // changes nothing
    await socket.waitForFrame((f) => f.invocationId === "once");
    expect(serialized).toBe(1);
    expect(socket.sent.at(-1)).toBe(
      '{"type":"invoke","invocationId":"once","target":"event","event":"ev","dataType":"json","data":{"page":1,"text":"é\u2028\\"","list":[1,null,{"deep":true}]}}',
    );
    socket.push({ type: "invokeResponse", invocationId: "once", success: true });
    await result;
    await client.stop();
  });

  it("the request is what it was at the call: an object changed while the invocation waits for the connection is sent as it was", async () => {
    const { server, client, socket } = await started();
    const recovering = nextEvent(client, "recovering");
    socket.serverClose(1006);
    await recovering;
    const query = { page: 1 };
    const result = client.invokeEvent("e", query, "json", { invocationId: "q" });
    query.page = 2;
    const s2 = await recoverOn(server, 1);
    const frame = await s2.waitForFrame((f) => f.type === "invoke");
    expect(frame.data).toEqual({ page: 1 });
    s2.push({ type: "invokeResponse", invocationId: "q", success: true });
    await result;
    await client.stop();
  });

  // Rule: each way an invocation ends without a response is named in its InvocationError's message, with its id.
  describe("the InvocationError of an invocation that got no response names why", () => {
    const failure = async (promise: Promise<unknown>) => {
      const error = await promise.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvocationError);
      const { message, invocationId, cause } = error as InvocationError;
      return { message, invocationId, cause };
    };

    it("aborted before it was sent, aborted while pending, a pending id, the client stopping", async () => {
      const { client, socket } = await started();
      const early = new Error("early");
      expect(
        await failure(
          client.invokeEvent("e", "x", "text", { invocationId: "a", abortSignal: AbortSignal.abort(early) }),
        ),
      ).toEqual({ message: "The invocation was aborted before it was sent", invocationId: "a", cause: early });
      const controller = new AbortController();
      const aborted = client.invokeEvent("e", "x", "text", { invocationId: "b", abortSignal: controller.signal });
      await socket.waitForFrame((f) => f.invocationId === "b");
      const late = new Error("late");
      controller.abort(late);
      expect(await failure(aborted)).toEqual({ message: "The invocation was aborted", invocationId: "b", cause: late });
      const pending = client.invokeEvent("e", "x", "text", { invocationId: "c" });
      await socket.waitForFrame((f) => f.invocationId === "c");
      expect(await failure(client.invokeEvent("e", "y", "text", { invocationId: "c" }))).toEqual({
        message: "An invocation with this invocationId is still pending",
        invocationId: "c",
        cause: undefined,
      });
      const stopping = client.stop();
      expect(client.state).toBe("Stopping");
      expect(await failure(invokeEvent(client, "e", "x", "text", { invocationId: "d" }))).toEqual({
        message: "The client is Stopping: call start() first",
        invocationId: "d",
        cause: undefined,
      });
      expect(await failure(pending)).toEqual({
        message: "The client stopped before the invoke response arrived",
        invocationId: "c",
        cause: undefined,
      });
      await stopping;
      expect(await failure(invokeEvent(client, "e", "x", "text", { invocationId: "e" }))).toEqual({
        message: "The client is Stopped: call start() first",
        invocationId: "e",
        cause: undefined,
      });
    });

    it("a failed response without an error is an Unknown failure", async () => {
      const { client, socket } = await started();
      const result = client.invokeEvent("e", "x", "text", { invocationId: "u" });
      await socket.waitForFrame((f) => f.type === "invoke");
      socket.push({ type: "invokeResponse", invocationId: "u", success: false });
      const error = (await result.catch((e: unknown) => e)) as InvocationError;
      expect(error.message).toBe('The invocation failed: error "Unknown", message "The invocation failed"');
      expect(error.errorDetail).toEqual({ name: "Unknown", message: "The invocation failed" });
      await client.stop();
    });

    it("the start() that was connecting failed", async () => {
      const { server, client } = await started();
      await client.stop();
      const start = client.start();
      const invocation = invokeEvent(client, "e", "x", "text", { invocationId: "f" });
      (await server.socket(1)).serverClose(1006);
      await expect(start).rejects.toThrow();
      expect(await failure(invocation)).toEqual({
        message: "The client did not connect: start() failed",
        invocationId: "f",
        cause: undefined,
      });
    });
  });

  it("an invocation aborted before it was written (while recovering) writes no cancelInvocation and is never written", async () => {
    const { server, client, socket } = await started();
    const recovering = nextEvent(client, "recovering");
    socket.serverClose(1006);
    await recovering;
    const controller = new AbortController();
    const result = invokeEvent(client, "e", "x", "text", { invocationId: "n", abortSignal: controller.signal });
    controller.abort();
    await expect(result).rejects.toThrow("The invocation was aborted");
    const recovered = nextEvent(client, "recovered");
    const s2 = await recoverOn(server, 1);
    await recovered;
    expect([...socket.framesOf("cancelInvocation"), ...s2.framesOf("cancelInvocation")]).toEqual([]);
    expect([...socket.framesOf("invoke"), ...s2.framesOf("invoke")]).toEqual([]);
    await client.stop();
  });

  // Rule: an invocation holds the caller's signal only while it is pending: however it settles, its abort listener is
  // taken off, so one long-lived signal passed to many invocations gathers none.
  it("an invocation that settles (answered, failed, stopped, lost with its session, aborted) leaves no abort listener on the caller's signal", async () => {
    const signal = new AbortController().signal;
    const listeners = () => getEventListeners(signal, "abort").length;
    const { client, socket } = await started();
    const answered = client.invokeEvent("e", "x", "text", { invocationId: "ok", abortSignal: signal });
    const failed = client.invokeEvent("e", "x", "text", { invocationId: "no", abortSignal: signal });
    const stopped = client.invokeEvent("e", "x", "text", { invocationId: "stopped", abortSignal: signal });
    await socket.waitForFrame(() => socket.framesOf("invoke").length === 3);
    expect(listeners()).toBe(3);
    socket.push({ type: "invokeResponse", invocationId: "ok", success: true });
    await answered;
    expect(listeners()).toBe(2);
    socket.push({ type: "invokeResponse", invocationId: "no", success: false });
    await expect(failed).rejects.toBeInstanceOf(InvocationError);
    expect(listeners()).toBe(1);
    await client.stop();
    await expect(stopped).rejects.toThrow(/client stopped/);
    expect(listeners()).toBe(0);
    const other = await started({ protocol: "json" });
    const lost = other.client.invokeEvent("e", "x", "text", { invocationId: "lost", abortSignal: signal });
    await other.socket.waitForFrame((f) => f.type === "invoke");
    expect(listeners()).toBe(1);
    const disconnected = nextEvent(other.client, "disconnected");
    other.socket.serverClose(1006);
    await disconnected;
    await expect(lost).rejects.toThrow(/connection was lost/);
    expect(listeners()).toBe(0);
    await other.client.stop();
    const { client: third, socket: thirdSocket } = await started();
    const controller = new AbortController();
    const aborted = third.invokeEvent("e", "x", "text", { invocationId: "aborted", abortSignal: controller.signal });
    await thirdSocket.waitForFrame((f) => f.type === "invoke");
    controller.abort();
    await expect(aborted).rejects.toThrow("The invocation was aborted");
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    await third.stop();
  });
});
