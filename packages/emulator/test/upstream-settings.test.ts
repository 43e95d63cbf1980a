import { describe, expect, it } from "vitest";
import {
  expandUrlTemplate,
  selectHandler,
  UpstreamInvoker,
  userEventPatternMatches,
  validateEventHandlerSettings,
} from "../src/upstream/index.ts";
import { makeInvoker } from "./upstream-fixtures/handler-server.ts";

describe("event handler settings", () => {
  it("accepts valid settings", () => {
    expect(() =>
      validateEventHandlerSettings({
        urlTemplate: "http://localhost:3000/api/{hub}/{event}?code=x",
        userEventPattern: "a, b",
        systemEvents: ["connect", "disconnected"],
      }),
    ).not.toThrow();
  });

  it.each([
    [null, /eventHandler must be an object/],
    [{}, /urlTemplate must be a non-empty string/],
    [{ urlTemplate: "not a url" }, /absolute http\(s\) URL/],
    [{ urlTemplate: "ftp://host/x" }, /must use http or https/],
    [{ urlTemplate: "http://{hub}.example.com/x" }, /host part/],
    [{ urlTemplate: "http://h/x", userEventPattern: " , " }, /userEventPattern/],
    [{ urlTemplate: "http://h/x", userEventPattern: 3 }, /userEventPattern/],
    [{ urlTemplate: "http://h/x", systemEvents: "connect" }, /systemEvents must be an array/],
    [{ urlTemplate: "http://h/x", systemEvents: ["connect", "joined"] }, /systemEvents\[1\]/],
  ])("rejects %j with a TypeError naming the rule", (settings, message) => {
    expect(() => validateEventHandlerSettings(settings, "eventHandler")).toThrow(TypeError);
    expect(() => validateEventHandlerSettings(settings, "eventHandler")).toThrow(message);
  });

  it("matches user event patterns: *, a name, a comma list", () => {
    expect(userEventPatternMatches("*", "anything")).toBe(true);
    expect(userEventPatternMatches("chat", "chat")).toBe(true);
    expect(userEventPatternMatches("chat", "Chat")).toBe(false);
    expect(userEventPatternMatches("chat", "chat2")).toBe(false);
    expect(userEventPatternMatches("a, chat ,b", "chat")).toBe(true);
    expect(userEventPatternMatches("a,b", "c")).toBe(false);
    expect(userEventPatternMatches("a,*", "c")).toBe(true);
    expect(userEventPatternMatches(undefined, "c")).toBe(false);
  });

  it("picks the first matching handler in configuration order", () => {
    const handlers = [
      { urlTemplate: "http://h/one", userEventPattern: "a" },
      { urlTemplate: "http://h/two", userEventPattern: "*", systemEvents: ["connected" as const] },
      {
        urlTemplate: "http://h/three",
        userEventPattern: "b",
        systemEvents: ["connect" as const, "connected" as const],
      },
    ];
    expect(selectHandler(handlers, { user: "a" })?.urlTemplate).toBe("http://h/one");
    expect(selectHandler(handlers, { user: "b" })?.urlTemplate).toBe("http://h/two");
    expect(selectHandler(handlers, "connected")?.urlTemplate).toBe("http://h/two");
    expect(selectHandler(handlers, "connect")?.urlTemplate).toBe("http://h/three");
    expect(selectHandler(handlers, "disconnected")).toBeUndefined();
  });

  it("expands {hub} and {event} with URL encoding, placeholders case-insensitive", () => {
    expect(expandUrlTemplate("http://h/api/{hub}/{event}", "chat", "connect")).toBe("http://h/api/chat/connect");
    expect(expandUrlTemplate("http://h/{Event}?hub={HUB}", "h1", "a b/c")).toBe("http://h/a%20b%2Fc?hub=h1");
    expect(expandUrlTemplate("http://h/fixed", "chat", "x")).toBe("http://h/fixed");
  });
});

describe("UpstreamInvoker.hasHandler and options", () => {
  it("answers per hub and event", () => {
    const { invoker } = makeInvoker((hub) =>
      hub === "chat" ? [{ urlTemplate: "http://h/x", userEventPattern: "msg", systemEvents: ["connect"] }] : [],
    );
    expect(invoker.hasHandler("chat", "connect")).toBe(true);
    expect(invoker.hasHandler("chat", "connected")).toBe(false);
    expect(invoker.hasHandler("chat", { user: "msg" })).toBe(true);
    expect(invoker.hasHandler("chat", { user: "other" })).toBe(false);
    expect(invoker.hasHandler("other", "connect")).toBe(false);
  });

  it("logs and treats a throwing getHandlers as no handler", () => {
    const { invoker, logs } = makeInvoker(() => {
      throw new Error("config broken");
    });
    expect(invoker.hasHandler("chat", "connect")).toBe(false);
    expect(logs.join("\n")).toMatch(/config broken/);
  });

  it("rejects bad arguments before any side effect", () => {
    const { invoker } = makeInvoker([]);
    expect(() => invoker.hasHandler("", "connect")).toThrow(/hub must be a non-empty string/);
    expect(() => invoker.hasHandler("chat", "connecting" as never)).toThrow(TypeError);
    expect(() => invoker.hasHandler("chat", { user: "" })).toThrow(TypeError);
    let ids = 0;
    const ctx = { hub: "chat", connectionId: "c", userId: null, nextEventId: () => ids++ };
    expect(() => invoker.userEvent(ctx, "", { dataType: "text", data: "x" })).toThrow(/event must be/);
    expect(() => invoker.userEvent(ctx, "e", { dataType: "xml", data: "x" } as never)).toThrow(/payload.dataType/);
    expect(() => invoker.connected({ ...ctx, connectionId: "" })).toThrow(/ctx.connectionId/);
    expect(() => invoker.disconnected(ctx, 5 as never)).toThrow(/reason must be a string/);
    expect(ids).toBe(0);
  });

  it("validates its options", () => {
    const base = { getHandlers: () => [], accessKeys: ["k"], origin: "h:1", log: () => {} };
    expect(() => new UpstreamInvoker({ ...base, accessKeys: [] })).toThrow(/accessKeys/);
    expect(() => new UpstreamInvoker({ ...base, accessKeys: [""] })).toThrow(/accessKeys/);
    expect(() => new UpstreamInvoker({ ...base, origin: "" })).toThrow(/origin/);
    expect(() => new UpstreamInvoker({ ...base, getHandlers: 1 as never })).toThrow(/getHandlers/);
    expect(() => new UpstreamInvoker({ ...base, log: undefined as never })).toThrow(/log/);
    expect(() => new UpstreamInvoker({ ...base, timeoutMs: 0 })).toThrow(RangeError);
    expect(() => new UpstreamInvoker({ ...base, timeoutMs: Number.NaN })).toThrow(/timeoutMs/);
    expect(() => new UpstreamInvoker({ ...base, retryDelaysMs: [-1] })).toThrow(/retryDelaysMs\[0\]/);
    expect(() => new UpstreamInvoker({ ...base, retryDelaysMs: new Array(11).fill(1) })).toThrow(/at most 10/);
    expect(() => new UpstreamInvoker({ ...base, maxResponseBytes: 0 })).toThrow(/maxResponseBytes/);
    expect(() => new UpstreamInvoker(base)).not.toThrow();
  });
});
