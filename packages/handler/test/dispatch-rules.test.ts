// Which requests the handler takes, what it answers without user code (validation, refusals, events nobody
// handles), how user handlers' results and failures become answers and reports, and that an answered event leaves
// no timer or listener behind.
import { afterEach, describe, expect, it, vi } from "vitest";
import { type ConnectionContext, WebPubSubEventHandler, type WebPubSubEventHandlerOptions } from "../src/index.ts";
import { CONNECT, CONNECTED, DISCONNECTED, eventRequest, MQTT_HEADERS, USER_MESSAGE } from "./helpers.ts";

const GROUP_JOINED = "azure.webpubsub.gp.joined";
const GROUP_LEFT = "azure.webpubsub.gp.left";

function make(options: WebPubSubEventHandlerOptions = {}) {
  const errors: { error: unknown; info: unknown }[] = [];
  const handler = new WebPubSubEventHandler("hub", {
    onError: (error, info) => errors.push({ error, info }),
    ...options,
  });
  return { handler, errors };
}

/** A request whose body is a stream that records whether it was cancelled. */
function withRecordedBody(type: string, text = "{", headers: Record<string, string> = {}) {
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  const base = eventRequest({ type, body: null, headers });
  const request = new Request(base.url, {
    method: "POST",
    headers: base.headers,
    body: stream,
    duplex: "half",
  } as RequestInit);
  return { request, cancelled: () => cancelled };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("what the handler takes", () => {
  it("refuses, with a TypeError saying so, anything that is not a fetch Request", async () => {
    for (const bad of [null, undefined, 5, {}, { headers: {} }]) {
      await expect(make().handler.handle(bad as never)).rejects.toThrow("request must be a fetch API Request");
    }
  });

  it("falls through for other methods, non-CloudEvents POSTs, unknown event types and a missing ce-hub", async () => {
    const { handler } = make({ handleConnect: (_r, res) => res.success() });
    const base = eventRequest({ type: CONNECT });
    for (const method of ["PUT", "DELETE", "PATCH"]) {
      expect(
        await handler.handle(new Request(base.url, { method, headers: base.headers, body: "{}" })),
        method,
      ).toBeUndefined();
    }
    const noMarkers = eventRequest({ type: CONNECT });
    noMarkers.headers.delete("ce-specversion");
    noMarkers.headers.delete("ce-awpsversion");
    expect(await handler.handle(noMarkers)).toBeUndefined();
    expect(await handler.handle(eventRequest({ type: "azure.webpubsub.sys.unknown" }))).toBeUndefined();
    // even when it would be refused if it were ours
    expect(
      await handler.handle(eventRequest({ type: "azure.webpubsub.sys.unknown", connectionId: "" })),
    ).toBeUndefined();
    const noHub = eventRequest({ type: CONNECT });
    noHub.headers.delete("ce-hub");
    expect(await handler.handle(noHub)).toBeUndefined();
  });

  it("matches percent-encoded paths by their decoded form, keeps a malformed encoding as is, and skips unparsable URLs", async () => {
    const { handler } = make();
    expect((await handler.handle(eventRequest({ type: CONNECTED, path: "/api/webpubsub/hubs/%68ub/" })))?.status).toBe(
      200,
    );
    expect((await handler.handle(eventRequest({ type: CONNECTED, path: "/api/webpubsub/hubs/hub/%zz" })))?.status).toBe(
      200,
    );
    const like = {
      url: "http://[",
      method: "POST",
      headers: eventRequest({ type: CONNECTED }).headers,
    } as unknown as Request;
    expect(await handler.handle(like)).toBeUndefined();
  });
});

describe("abuse protection validation", () => {
  const validation = (method: string, headers: Record<string, string>) =>
    new Request("http://localhost/api/webpubsub/hubs/hub/", { method, headers });

  it("a blank origin is a missing origin: 400 for a CloudEvents OPTIONS, otherwise not ours", async () => {
    const { handler } = make();
    for (const blank of ["  ", "\u00a0"]) {
      const response = await handler.handle(
        validation("OPTIONS", { "webhook-request-origin": blank, "ce-awpsversion": "1.0" }),
      );
      expect(response!.status).toBe(400);
      expect(await response!.text()).toBe("Missing WebHook-Request-Origin header");
    }
    expect(await handler.handle(validation("GET", { "ce-awpsversion": "1.0" }))).toBeUndefined();
  });

  it("a GET that carries an event type is not a validation request; an OPTIONS is one either way", async () => {
    const { handler } = make();
    const headers = { "webhook-request-origin": "a.com", "ce-type": CONNECT };
    expect(await handler.handle(validation("GET", headers))).toBeUndefined();
    const options = await handler.handle(validation("OPTIONS", headers));
    expect(options!.status).toBe(200);
    expect(options!.headers.get("webhook-allowed-origin")).toBe("*");
  });
});

describe("refusals before any user code", () => {
  it("403 Forbidden for a missing origin when origins are restricted; 400 for a missing connection id", async () => {
    const { handler } = make({ allowedOrigins: ["a.com"], handleConnect: (_r, res) => res.success() });
    const noOrigin = eventRequest({ type: CONNECT });
    noOrigin.headers.delete("webhook-request-origin");
    const forbidden = await handler.handle(noOrigin);
    expect(forbidden!.status).toBe(403);
    expect(await forbidden!.text()).toBe("Forbidden");
    const missing = await handler.handle(eventRequest({ type: CONNECT, connectionId: "" }));
    expect(missing!.status).toBe(400);
    expect(await missing!.text()).toBe("Missing ce-connectionId header");
  });
});

describe("events nobody handles", () => {
  it("are accepted without reading the body (even a malformed one), which is released", async () => {
    for (const type of [CONNECTED, DISCONNECTED, GROUP_JOINED, GROUP_LEFT, USER_MESSAGE]) {
      const { handler, errors } = make();
      const { request, cancelled } = withRecordedBody(type);
      const response = await handler.handle(request);
      expect(response!.status, type).toBe(200);
      expect(cancelled(), type).toBe(true);
      expect(errors).toEqual([]);
    }
  });

  it("are accepted when they have no body at all", async () => {
    const { handler, errors } = make();
    const base = eventRequest({ type: CONNECTED, body: null });
    expect((await handler.handle(base))!.status).toBe(200);
    expect(errors).toEqual([]);
  });

  it("connect without a handler accepts with the token's defaults: 200, or 204 for MQTT, body unread", async () => {
    const { handler } = make();
    const plain = withRecordedBody(CONNECT);
    expect((await handler.handle(plain.request))!.status).toBe(200);
    expect(plain.cancelled()).toBe(true);
    const mqtt = withRecordedBody(CONNECT, "{", MQTT_HEADERS);
    expect((await handler.handle(mqtt.request))!.status).toBe(204);
  });
});

describe("group events", () => {
  it("groupJoined and groupLeft go to their own handler with the group name; a body without one is refused", async () => {
    const calls: [string, string, string][] = [];
    const { handler } = make({
      onGroupJoined: ({ context, group }) => void calls.push(["joined", group, context.connectionId]),
      onGroupLeft: ({ context, group }) => void calls.push(["left", group, context.connectionId]),
    });
    await handler.handle(eventRequest({ type: GROUP_JOINED, body: '{"group":"g1"}' }));
    await handler.handle(eventRequest({ type: GROUP_LEFT, body: '{"group":"g2"}' }));
    expect(calls).toEqual([
      ["joined", "g1", "conn1"],
      ["left", "g2", "conn1"],
    ]);
    const bad = await handler.handle(eventRequest({ type: GROUP_JOINED, body: '{"group":5}' }));
    expect(bad!.status).toBe(400);
    expect(await bad!.text()).toBe("Group event body must carry a group name");
  });
});

describe("failures and reports", () => {
  it("a body that fails while being read is a 500, reported with the event and connection", async () => {
    const { handler, errors } = make({ handleUserEvent: (_r, res) => res.success() });
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("connection reset"));
      },
    });
    const base = eventRequest({ type: USER_MESSAGE, body: null });
    const request = new Request(base.url, {
      method: "POST",
      headers: base.headers,
      body: failing,
      duplex: "half",
    } as RequestInit);
    const response = await handler.handle(request);
    expect(response!.status).toBe(500);
    expect(await response!.text()).toBe("Internal Server Error");
    expect(errors).toHaveLength(1);
    // the event's name, as a failing handler of this event is reported (not "user", which names another event)
    expect(errors[0]!.info).toStrictEqual({ eventName: "message", connectionId: "conn1" });
  });

  it("a throwing handler is reported with its event name and connection id", async () => {
    const { handler, errors } = make({
      handleConnect: () => {
        throw new Error("boom");
      },
    });
    expect((await handler.handle(eventRequest({ type: CONNECT })))!.status).toBe(500);
    expect(errors[0]!.info).toStrictEqual({ eventName: "connect", connectionId: "conn1" });
  });

  it("a callback-style handler that returns anything but a promise and answers later is not an error", async () => {
    // biome-ignore lint/suspicious/noThenProperty: a then that is not a function does not make a promise
    for (const returned of [undefined, null, "ignored", 5, {}, { then: 5 }, () => {}]) {
      const { handler, errors } = make({
        handleConnect: (_req, res) => {
          setTimeout(() => res.success({ userId: "later" }), 0);
          return returned as never;
        },
      });
      const response = await handler.handle(eventRequest({ type: CONNECT }));
      expect(response!.status, String(returned)).toBe(200);
      expect(await response!.json()).toEqual({ userId: "later" });
      expect(errors).toEqual([]);
    }
  });

  it("an async handler that answers and then resolves is not an error", async () => {
    const { handler, errors } = make({
      handleUserEvent: async (_req, res) => {
        res.success("done", "text");
      },
    });
    expect(
      await (await handler.handle(eventRequest({ type: USER_MESSAGE, body: "x", contentType: "text/plain" })))!.text(),
    ).toBe("done");
    await Promise.resolve();
    expect(errors).toEqual([]);
  });

  it("an async handler whose state can no longer be encoded when it resolves gets a 500 at once, and is reported", async () => {
    const value: Record<string, unknown> = {};
    const { handler, errors } = make({
      handleConnect: async (_req, res) => {
        res.setState("s", value);
        value.big = 1n;
      },
    });
    const response = await handler.handle(eventRequest({ type: CONNECT }));
    expect(response!.status).toBe(500);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.error).toBeInstanceOf(TypeError);
  });
});

describe("connection state names", () => {
  const sent = async (setter: (res: { setState(name: string, value: unknown): void }) => void) => {
    const { handler } = make({
      handleConnect: (_req, res) => {
        setter(res);
        res.success();
      },
    });
    const response = await handler.handle(eventRequest({ type: CONNECT }));
    const header = response!.headers.get("ce-connectionState");
    return header === null ? null : JSON.parse(Buffer.from(header, "base64").toString("utf8"));
  };

  it("a state named like an Object.prototype member is an ordinary state, sent as written", async () => {
    const value = { polluted: true };
    const state = await sent((res) => {
      res.setState("__proto__", value);
      res.setState("constructor", 1);
      res.setState("toString", "x");
    });
    expect(Object.keys(state)).toEqual(["__proto__", "constructor", "toString"]);
    expect(Object.getOwnPropertyDescriptor(state, "__proto__")?.value).toEqual(value);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("setting a state again replaces it, and undefined removes it, for those names too", async () => {
    const state = await sent((res) => {
      res.setState("__proto__", 1);
      res.setState("__proto__", 2);
      res.setState("constructor", 3);
      res.setState("constructor", undefined);
    });
    expect(Object.keys(state)).toEqual(["__proto__"]);
    expect(Object.getOwnPropertyDescriptor(state, "__proto__")?.value).toBe(2);
  });
});

describe("timers and signals", () => {
  it("an answered blocking event leaves no timer behind, and its signal never aborts", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let context: ConnectionContext | undefined;
    const { handler, errors } = make({
      timeoutInMs: 1000,
      handleConnect: (req, res) => {
        context = req.context;
        res.success();
      },
    });
    expect((await handler.handle(eventRequest({ type: CONNECT })))!.status).toBe(204);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(context!.signal.aborted).toBe(false);
    expect(errors).toEqual([]);
  });

  it("a finished non-blocking event leaves no timer behind, and its signal never aborts", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let context: ConnectionContext | undefined;
    const { handler, errors } = make({
      timeoutInMs: 1000,
      onConnected: (req) => {
        context = req.context;
      },
    });
    expect((await handler.handle(eventRequest({ type: CONNECTED })))!.status).toBe(200);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(context!.signal.aborted).toBe(false);
    expect(errors).toEqual([]);
  });

  it("a blocking handler that never answers gets 504 Gateway Timeout when its time is up", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    // the handler's clock starts once the body is read (the body has a timer of its own): wait for the call
    let called!: () => void;
    const started = new Promise<void>((r) => {
      called = r;
    });
    const { handler, errors } = make({ timeoutInMs: 1000, handleConnect: () => called() });
    const pending = handler.handle(eventRequest({ type: CONNECT }));
    await started;
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1000);
    const response = await pending;
    expect(response!.status).toBe(504);
    expect(await response!.text()).toBe("Gateway Timeout");
    expect(errors[0]!.info).toStrictEqual({ eventName: "connect", connectionId: "conn1" });
  });

  it("a caller that went away before its handler started gets 503 Service Unavailable at once, not at the timeout", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let signal: AbortSignal | undefined;
    const { handler } = make({
      timeoutInMs: 60_000,
      handleConnect: (req) => {
        signal = req.context.signal;
      },
    });
    const caller = new AbortController();
    const pending = handler.handle(new Request(eventRequest({ type: CONNECT }), { signal: caller.signal }));
    caller.abort();
    const response = await pending;
    expect(response!.status).toBe(503);
    expect(await response!.text()).toBe("Service Unavailable");
    expect(signal!.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
