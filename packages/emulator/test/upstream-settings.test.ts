// Event handler settings: one check (startEmulator options, the CLI's config file and the invoker all use it), how
// settings are matched to events, and the invoker's own options.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../src/cli.ts";
import { startEmulator } from "../src/index.ts";
import { redactUrl } from "../src/upstream/event-handler-settings.ts";
import {
  checkEventHandlerSettings,
  expandUrlTemplate,
  selectHandler,
  UpstreamInvoker,
  userEventPatternMatches,
} from "../src/upstream/index.ts";
import { makeInvoker } from "./upstream-fixtures/handler-server.ts";

describe("event handler settings", () => {
  it("accepts valid settings", () => {
    expect(() =>
      checkEventHandlerSettings({
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
    expect(() => checkEventHandlerSettings(settings, "eventHandler")).toThrow(TypeError);
    expect(() => checkEventHandlerSettings(settings, "eventHandler")).toThrow(message);
  });

  it("takes placeholders in the query of a template without a path, and refuses them in the host in any such form", () => {
    for (const urlTemplate of ["http://h?hub={hub}&event={event}", "http://h:80?e={Event}", "https://h#{hub}"]) {
      expect(() => checkEventHandlerSettings({ urlTemplate })).not.toThrow();
    }
    for (const urlTemplate of ["http://{hub}.h?x=1", "http://h.{event}", "http://u:{hub}@h/x", "http://{event}#x"]) {
      expect(() => checkEventHandlerSettings({ urlTemplate })).toThrow(
        "eventHandler.urlTemplate must not use {hub} or {event} in the host part",
      );
    }
  });

  it("names the argument and the rule in each refusal, the system events listed", () => {
    const refusal = (settings: unknown, argName?: string) => {
      try {
        checkEventHandlerSettings(settings, argName);
      } catch (e) {
        expect(e).toBeInstanceOf(TypeError);
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(refusal(null)).toBe("eventHandler must be an object with a urlTemplate");
    expect(refusal("http://h/x")).toBe("eventHandler must be an object with a urlTemplate");
    expect(refusal(["http://h/x"], "hubs.a.eventHandlers[0]")).toBe(
      "hubs.a.eventHandlers[0] must be an object with a urlTemplate",
    );
    expect(refusal({ urlTemplate: " \t" })).toBe("eventHandler.urlTemplate must be a non-empty string");
    expect(refusal({ urlTemplate: "mailto:a@h" })).toBe(
      'eventHandler.urlTemplate must use http or https, got "mailto:"',
    );
    expect(refusal({ urlTemplate: "http://h/x", systemEvents: {} })).toBe(
      'eventHandler.systemEvents must be an array of "connect", "connected", "disconnected"',
    );
    expect(refusal({ urlTemplate: "http://h/x", systemEvents: ["connected", "Connect"] })).toBe(
      'eventHandler.systemEvents[1] must be one of "connect", "connected", "disconnected" (lowercase)',
    );
    expect(refusal({ urlTemplate: "http://h/x", userEventPattern: "a, chat room" })).toBe(
      'eventHandler.userEventPattern must be "*", an event name, or a comma-separated list of event names',
    );
  });

  it("takes http and https templates, and checks them with the placeholders filled by a name", () => {
    expect(() => checkEventHandlerSettings({ urlTemplate: "https://h/{event}" })).not.toThrow();
    expect(() => checkEventHandlerSettings({ urlTemplate: "HTTP://h/{hub}" })).not.toThrow();
    // a name cannot stand for a port: the URL is not one once filled in
    expect(() => checkEventHandlerSettings({ urlTemplate: "http://h:{event}/x" })).toThrow(
      'eventHandler.urlTemplate must be an absolute http(s) URL, got "http://h:{event}/x"',
    );
  });

  it("leaves empty entries of a user event list out (a trailing comma), but needs one entry at least", () => {
    expect(() => checkEventHandlerSettings({ urlTemplate: "http://h/x", userEventPattern: "a,,b," })).not.toThrow();
    expect(userEventPatternMatches("a,,b,", "b")).toBe(true);
    expect(() => checkEventHandlerSettings({ urlTemplate: "http://h/x", userEventPattern: ",," })).toThrow(TypeError);
  });

  it("masks the code query parameter of a URL in logs, and leaves other URLs and non-URLs as they are", () => {
    expect(redactUrl("http://h/api?code=s3cret&x=1")).toBe("http://h/api?code=***&x=1");
    expect(redactUrl("http://h/api?x=1")).toBe("http://h/api?x=1");
    expect(redactUrl("not a url")).toBe("not a url");
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

describe("one rule for event handler settings: startEmulator options, the CLI's config file and the invoker", () => {
  const url = "http://127.0.0.1:9/{event}";
  // protocol.md 5.1: systemEvents are "connect", "connected", "disconnected"; userEventPattern is `*`, a single name,
  // or a comma list
  const cases: [string, Record<string, unknown>, boolean][] = [
    ["all three system events", { urlTemplate: url, systemEvents: ["connect", "connected", "disconnected"] }, true],
    ["a system event in another case", { urlTemplate: url, systemEvents: ["Connect"] }, false],
    ["an upper-case system event", { urlTemplate: url, systemEvents: ["CONNECTED"] }, false],
    ["a group event as a system event", { urlTemplate: url, systemEvents: ["joined"] }, false],
    ["the pattern *", { urlTemplate: url, userEventPattern: "*" }, true],
    ["a list with spaces", { urlTemplate: url, userEventPattern: " a , Chat.room-1_x ,*" }, true],
    ["an empty pattern", { urlTemplate: url, userEventPattern: "" }, false],
    ["a pattern of commas", { urlTemplate: url, userEventPattern: " , " }, false],
    ["a name no client can send (space)", { urlTemplate: url, userEventPattern: "chat room" }, false],
    ["a glob inside a name", { urlTemplate: url, userEventPattern: "chat*" }, false],
    ["a placeholder in the host, any case", { urlTemplate: "http://{Hub}.example.com/x" }, false],
    ["placeholders in the path, any case", { urlTemplate: "http://h/{HUB}/{Event}" }, true],
  ];

  it.each(cases)("%s: accepted by all three or by none", async (_name, settings, valid) => {
    const direct = (() => {
      try {
        checkEventHandlerSettings(settings, "eventHandler");
        return true;
      } catch (e) {
        expect(e).toBeInstanceOf(TypeError);
        return false;
      }
    })();
    expect(direct).toBe(valid);
    const hubs = { chat: { eventHandlers: [settings] } } as never;
    if (valid) {
      const emu = await startEmulator({ hubs });
      await emu.close();
    } else {
      await expect(startEmulator({ hubs })).rejects.toThrow(/hubs\.chat\.eventHandlers\[0\]\./);
    }
    const dir = mkdtempSync(join(tmpdir(), "emu-settings-"));
    const config = join(dir, "config.json");
    writeFileSync(config, JSON.stringify({ hubs }));
    if (valid) expect(parseArgs(["--config", config]).options.hubs).toEqual(hubs);
    else expect(() => parseArgs(["--config", config])).toThrow(UsageError);
  });

  it("matches system events exactly as spelled in the settings", () => {
    const handlers = [{ urlTemplate: url, systemEvents: ["connected" as const] }];
    expect(selectHandler(handlers, "connected")).toBe(handlers[0]);
    expect(selectHandler(handlers, "connect")).toBeUndefined();
    // settings that were never checked (a string instead of an array) subscribe to nothing rather than by substring
    expect(selectHandler([{ urlTemplate: url, systemEvents: "connected" as never }], "connected")).toBeUndefined();
  });
});
