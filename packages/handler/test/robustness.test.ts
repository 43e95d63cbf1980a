// Body limits, malformed bodies, throwing and async handlers, timeouts, and option validation.
import { afterEach, describe, expect, it, vi } from "vitest";
import { HandlerTimeoutError, WebPubSubEventHandler, type WebPubSubEventHandlerOptions } from "../src/index.ts";
import { CONNECT, CONNECTED, DISCONNECTED, eventRequest, make, USER_MESSAGE } from "./helpers.ts";

/** A body stream without Content-Length that records how much was pulled from it. */
function countingStream(total: number, chunk = 100) {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= total) {
        controller.close();
        return;
      }
      const size = Math.min(chunk, total - pulled);
      pulled += size;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
  });
  return { stream, pulled: () => pulled };
}

function streamingRequest(type: string, stream: ReadableStream<Uint8Array>, contentType = "text/plain") {
  const base = eventRequest({ type, contentType, body: null });
  return new Request(base.url, { method: "POST", headers: base.headers, body: stream, duplex: "half" } as RequestInit);
}

describe("body limits", () => {
  const echo = {
    handleUserEvent: (req: { data: unknown }, res: { success(d: unknown, t: "text"): void }) =>
      res.success(String(String(req.data).length), "text"),
  };

  it("413 from Content-Length before reading, user code not called", async () => {
    let calls = 0;
    const { handler } = make({
      maxBodyBytes: 10,
      handleUserEvent: (_r, res) => {
        calls++;
        res.success();
      },
    });
    const response = await handler.handle(
      eventRequest({ type: USER_MESSAGE, contentType: "text/plain", body: "x".repeat(11) }),
    );
    expect(response!.status).toBe(413);
    expect(calls).toBe(0);
  });

  it("413 while streaming a body without Content-Length, stopping early", async () => {
    const { handler } = make({ maxBodyBytes: 1000, ...echo } as WebPubSubEventHandlerOptions);
    const { stream, pulled } = countingStream(1_000_000);
    const response = await handler.handle(streamingRequest(USER_MESSAGE, stream));
    expect(response!.status).toBe(413);
    expect(pulled()).toBeLessThan(5000);
  });

  it("accepts a body of exactly maxBodyBytes", async () => {
    const { handler } = make({ maxBodyBytes: 1000, ...echo } as WebPubSubEventHandlerOptions);
    const { stream } = countingStream(1000, 300);
    const response = await handler.handle(streamingRequest(USER_MESSAGE, stream));
    expect(response!.status).toBe(200);
    expect(await response!.text()).toBe("1000");
  });

  it("applies to system events too", async () => {
    const { handler } = make({ maxBodyBytes: 50, handleConnect: (_r, res) => res.success() });
    const body = JSON.stringify({ claims: { sub: ["x".repeat(100)] } });
    expect((await handler.handle(eventRequest({ type: CONNECT, body })))!.status).toBe(413);
  });
});

/** A body stream the test feeds by hand: nothing arrives until `push`, and it ends at `end`. */
function controlledStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel() {
      cancelled = true;
    },
  });
  return {
    stream,
    push: (text: string) => controller.enqueue(new TextEncoder().encode(text)),
    end: () => controller.close(),
    cancelled: () => cancelled,
  };
}

/** Starts handling and reports whether the answer has come yet, without waiting for it. */
function track(pending: Promise<Response | undefined>) {
  let answer: Response | undefined;
  const settled = pending.then((r) => {
    answer = r;
    return r;
  });
  return { answered: () => answer !== undefined, response: settled };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("body read timeout (bodyTimeoutInMs, default 30 s)", () => {
  it.each([
    ["a user event", USER_MESSAGE, "text/plain"],
    ["a connect event", CONNECT, "application/json"],
    ["a system event", CONNECTED, "application/json"],
  ])(
    "%s whose body has not arrived in 30 s gets 408 with Connection: close at 30 s, not before",
    async (_n, type, ct) => {
      vi.useFakeTimers();
      let calls = 0;
      const { handler, errors } = make({
        handleUserEvent: (_r, res) => {
          calls++;
          res.success();
        },
        handleConnect: (_r, res) => {
          calls++;
          res.success();
        },
        onConnected: () => {
          calls++;
        },
      });
      const body = controlledStream();
      body.push("{");
      const pending = track(handler.handle(streamingRequest(type, body.stream, ct)));
      await vi.advanceTimersByTimeAsync(29_999);
      expect(pending.answered()).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(pending.answered()).toBe(true);
      const response = (await pending.response)!;
      expect(response.status).toBe(408);
      expect(response.headers.get("connection")).toBe("close");
      expect(await response.text()).toBe("Request Timeout");
      expect(body.cancelled()).toBe(true);
      expect(calls).toBe(0);
      expect(errors).toEqual([]);
      expect(vi.getTimerCount()).toBe(0);
    },
  );

  it("is a deadline, not an idle timeout: a body trickling in at 1 byte per second is cut at bodyTimeoutInMs", async () => {
    vi.useFakeTimers();
    const { handler } = make({ bodyTimeoutInMs: 5000, handleUserEvent: (_r, res) => res.success() });
    let sent = 0;
    const trickle = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((r) => setTimeout(r, 1000));
        sent++;
        controller.enqueue(new Uint8Array([0x61]));
      },
    });
    const pending = track(handler.handle(streamingRequest(USER_MESSAGE, trickle)));
    await vi.advanceTimersByTimeAsync(4999);
    expect(pending.answered()).toBe(false);
    expect(sent).toBe(4);
    await vi.advanceTimersByTimeAsync(1);
    expect((await pending.response)!.status).toBe(408);
  });

  it("a body that completes just before the deadline is handled normally, and leaves no timer behind", async () => {
    vi.useFakeTimers();
    const { handler } = make({
      bodyTimeoutInMs: 1000,
      handleUserEvent: (req, res) => res.success(`got ${String(req.data)}`, "text"),
    });
    const body = controlledStream();
    body.push("ab");
    const pending = track(handler.handle(streamingRequest(USER_MESSAGE, body.stream)));
    await vi.advanceTimersByTimeAsync(999);
    body.push("c");
    body.end();
    const response = (await pending.response)!;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("got abc");
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("malformed bodies", () => {
  it("400 for malformed JSON in connect, system events and JSON user events", async () => {
    const { handler, errors } = make({
      handleConnect: (_r, res) => res.success(),
      handleUserEvent: (_r, res) => res.success(),
      onDisconnected: () => {},
      onGroupJoined: () => {},
    });
    for (const request of [
      eventRequest({ type: CONNECT, body: "{not json" }),
      eventRequest({ type: CONNECT, body: "[1,2]" }),
      eventRequest({ type: DISCONNECTED, body: "{" }),
      eventRequest({ type: USER_MESSAGE, contentType: "application/json", body: "{'a':1}" }),
      eventRequest({ type: USER_MESSAGE, contentType: "application/json", body: "" }),
      eventRequest({ type: "azure.webpubsub.gp.joined", body: '{"group":1}' }),
    ]) {
      const response = await handler.handle(request);
      expect(response!.status).toBe(400);
    }
    expect(errors).toEqual([]);
  });

  it("an empty system event body counts as {}", async () => {
    let called = false;
    const { handler } = make({
      onConnected: () => {
        called = true;
      },
    });
    expect((await handler.handle(eventRequest({ type: CONNECTED, body: "" })))!.status).toBe(200);
    expect(called).toBe(true);
  });

  it("400 for a request without ce-connectionId", async () => {
    const { handler } = make({ handleConnect: (_r, res) => res.success() });
    const request = eventRequest({ type: CONNECT });
    request.headers.delete("ce-connectionid");
    expect((await handler.handle(request))!.status).toBe(400);
  });
});

describe("failing handlers", () => {
  const secret = "db password is hunter2";

  it.each([
    [
      "throws",
      () => {
        throw new Error(secret);
      },
    ],
    [
      "rejects",
      async () => {
        throw new Error(secret);
      },
    ],
  ])("a connect handler that %s answers 500 with nothing leaked, and is reported", async (_n, fn) => {
    const { handler, errors } = make({ handleConnect: fn });
    const response = await handler.handle(eventRequest({ type: CONNECT }));
    expect(response!.status).toBe(500);
    const text = await response!.text();
    expect(text).toBe("Internal Server Error");
    expect(text).not.toContain("hunter2");
    expect([...response!.headers.keys()].join()).not.toContain("hunter2");
    expect((errors[0] as Error).message).toBe(secret);
  });

  // Rule: onError's info.eventName is the event's name (ConnectionContext.eventName: the user event's name, "joined"
  // / "left" for group events), whether the handler failed or the request failed before it ran.
  it.each([
    [USER_MESSAGE, "message"],
    ["azure.webpubsub.gp.joined", "joined"],
    [CONNECT, "connect"],
  ])("a %s whose body fails while read is reported as %j, like a failing handler", async (type, name) => {
    const infos: unknown[] = [];
    const fail = () => {
      throw new Error("handler failed");
    };
    const handler = new WebPubSubEventHandler("hub", {
      onError: (_e, info) => infos.push(info),
      handleUserEvent: fail,
      onGroupJoined: fail,
      handleConnect: fail,
    });
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("the caller went away"));
      },
    });
    const failedBody = await handler.handle(streamingRequest(type, broken, "application/json"));
    expect(failedBody!.status).toBe(500);
    const body = type === CONNECT ? "{}" : type === USER_MESSAGE ? '"x"' : '{"group":"g"}';
    const failedHandler = await handler.handle(eventRequest({ type, body, contentType: "application/json" }));
    // a non-blocking event is answered 200 whatever its handler does
    expect(failedHandler!.status).toBe(type === "azure.webpubsub.gp.joined" ? 200 : 500);
    expect(infos).toEqual([
      { eventName: name, connectionId: "conn1" },
      { eventName: name, connectionId: "conn1" },
    ]);
  });

  it("a user event handler that throws after answering keeps the answer, and the error is reported", async () => {
    let reported!: (error: unknown) => void;
    const report = new Promise<unknown>((r) => {
      reported = r;
    });
    const handler = new WebPubSubEventHandler("hub", {
      onError: (e) => reported(e),
      handleUserEvent: async (_r, res) => {
        res.success("ok", "text");
        throw new Error("late");
      },
    });
    const response = await handler.handle(eventRequest({ type: USER_MESSAGE, contentType: "text/plain", body: "x" }));
    expect(response!.status).toBe(200);
    expect(await response!.text()).toBe("ok");
    expect(String(await report)).toBe("Error: late");
  });

  it("answering twice throws", async () => {
    let second: unknown;
    const { handler } = make({
      handleConnect: (_r, res) => {
        res.success();
        try {
          res.fail(401);
        } catch (e) {
          second = e;
        }
      },
    });
    expect((await handler.handle(eventRequest({ type: CONNECT })))!.status).toBe(204);
    expect(String(second)).toMatch(/already been answered/);
  });

  // Rule: a failing error reporter never crashes the process: onError is typed `=> void`, so an async reporter
  // (`async (e) => await telemetry.send(e)`) type-checks, and its rejection must be handled like a synchronous throw,
  // not left as an unhandled rejection (which ends a Node process by default).
  it("an async error reporter that rejects does not leave an unhandled rejection, and the answer stands", async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", record);
    try {
      const handler = new WebPubSubEventHandler("hub", {
        handleConnect: () => {
          throw new Error("x");
        },
        onError: async () => {
          throw new Error("reporter failed");
        },
      });
      expect((await handler.handle(eventRequest({ type: CONNECT })))!.status).toBe(500);
      // Node reports unhandled rejections once the microtask queue is empty: by the next macrotask at the latest
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("unhandledRejection", record);
    }
    expect(unhandled).toEqual([]);
  });

  it("a throwing error reporter does not break the answer", async () => {
    const handler = new WebPubSubEventHandler("hub", {
      handleConnect: () => {
        throw new Error("x");
      },
      onError: () => {
        throw new Error("reporter");
      },
    });
    expect((await handler.handle(eventRequest({ type: CONNECT })))!.status).toBe(500);
  });
});

describe("async handlers and timeouts", () => {
  it("awaits async handlers that answer after awaiting", async () => {
    const { handler } = make({
      handleUserEvent: async (req, res) => {
        await new Promise((r) => setTimeout(r, 20));
        res.success(`late ${String(req.data)}`, "text");
      },
    });
    const response = await handler.handle(eventRequest({ type: USER_MESSAGE, contentType: "text/plain", body: "x" }));
    expect(await response!.text()).toBe("late x");
  });

  it("an async handler that resolves without answering accepts with defaults (keeping state)", async () => {
    const { handler } = make({
      handleConnect: async (_req, res) => {
        res.setState("k", "v");
      },
      handleUserEvent: async () => {},
    });
    const connect = await handler.handle(eventRequest({ type: CONNECT }));
    expect(connect!.status).toBe(204);
    expect(connect!.headers.get("ce-connectionstate")).toBe(btoa('{"k":"v"}'));
    const user = await handler.handle(eventRequest({ type: USER_MESSAGE, contentType: "text/plain", body: "x" }));
    expect(user!.status).toBe(200);
  });

  it("a callback-style handler may answer later", async () => {
    const { handler } = make({
      handleConnect: (_req, res) => {
        setTimeout(() => res.success({ userId: "later" }), 10);
      },
    });
    const response = await handler.handle(eventRequest({ type: CONNECT }));
    expect(await response!.json()).toEqual({ userId: "later" });
  });

  it("a blocking handler that does not answer within timeoutInMs gets 504 then, not before, an aborted signal and a HandlerTimeoutError report (named so, not like @webpubsub/async's TimeoutError)", async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    let lateError: unknown;
    let finish!: () => void;
    const finished = new Promise<void>((r) => {
      finish = r;
    });
    const { handler, errors } = make({
      timeoutInMs: 50,
      handleConnect: (req, res) => {
        signal = req.context.signal;
        signal.addEventListener("abort", () => {
          try {
            res.success();
          } catch (e) {
            lateError = e;
          }
          finish();
        });
      },
    });
    const pending = track(handler.handle(eventRequest({ type: CONNECT })));
    await vi.advanceTimersByTimeAsync(49);
    expect(pending.answered()).toBe(false);
    expect(signal!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await pending.response)!.status).toBe(504);
    await finished;
    expect(signal!.aborted).toBe(true);
    expect(errors[0]).toBeInstanceOf(HandlerTimeoutError);
    expect((errors[0] as Error).name).toBe("HandlerTimeoutError");
    expect(String(errors[0])).toMatch(/^HandlerTimeoutError: The "connect" handler did not finish within 50 ms/);
    // the late answer is dropped: the handler cannot know it came too late, so it must not throw (see below)
    expect(lateError).toBeUndefined();
  });

  // Rule: an answer (or state change) from user code that comes after the event was closed without it (the caller went
  // away: 503; the timeout: 504; the handler failed: 500) is dropped, not thrown. A callback-style handler (which the
  // README invites: "may answer later from a callback") answers from a timer or an I/O callback, where a throw is an
  // uncaught exception that ends the process: a caller disconnecting mid-event could crash the server.
  it("a callback answer after the caller went away (503) is dropped without throwing; a second answer of its own still throws", async () => {
    let answer!: () => void;
    let running!: () => void;
    const started = new Promise<void>((r) => {
      running = r;
    });
    const { handler } = make({
      handleUserEvent: (_req, res) => {
        answer = () => {
          res.setState("late", true);
          res.success("late", "text");
        };
        running();
      },
    });
    const caller = new AbortController();
    const base = eventRequest({ type: USER_MESSAGE, contentType: "text/plain", body: "x" });
    const pending = handler.handle(new Request(base, { signal: caller.signal }));
    await started;
    caller.abort();
    expect((await pending)!.status).toBe(503);
    expect(() => answer()).not.toThrow();

    let second: unknown;
    const twice = make({
      handleUserEvent: (_req, res) => {
        res.success();
        try {
          res.success();
        } catch (e) {
          second = e;
        }
      },
    });
    const again = eventRequest({ type: USER_MESSAGE, contentType: "text/plain", body: "x" });
    expect((await twice.handler.handle(again))!.status).toBe(200);
    expect(String(second)).toBe("Error: This event has already been answered");
  });

  it("a non-blocking handler that runs too long still gets 200, and is reported", async () => {
    let signal: AbortSignal | undefined;
    const { handler, errors } = make({
      timeoutInMs: 30,
      onConnected: (req) => {
        signal = req.context.signal;
        return new Promise(() => {});
      },
    });
    const response = await handler.handle(eventRequest({ type: CONNECTED }));
    expect(response!.status).toBe(200);
    expect(signal!.aborted).toBe(true);
    expect(errors[0]).toBeInstanceOf(HandlerTimeoutError);
  });

  it("stops waiting (503) when the request is aborted, and the handler's signal aborts", async () => {
    let signal: AbortSignal | undefined;
    let running!: () => void;
    const started = new Promise<void>((r) => {
      running = r;
    });
    const { handler } = make({
      handleConnect: (req) => {
        signal = req.context.signal;
        running();
      },
    });
    const caller = new AbortController();
    const base = eventRequest({ type: CONNECT });
    const pending = handler.handle(new Request(base, { signal: caller.signal }));
    await started;
    caller.abort();
    expect((await pending)!.status).toBe(503);
    expect(signal!.aborted).toBe(true);
  });

  it("non-blocking handlers are awaited before the 200", async () => {
    let done = false;
    const { handler } = make({
      onDisconnected: async () => {
        await new Promise((r) => setTimeout(r, 20));
        done = true;
      },
    });
    await handler.handle(eventRequest({ type: DISCONNECTED, body: '{"reason":""}' }));
    expect(done).toBe(true);
  });
});

describe("option validation", () => {
  it.each([
    ["bad hub", () => new WebPubSubEventHandler("1hub"), TypeError, /hub/],
    ["non-object options", () => new WebPubSubEventHandler("hub", "x" as never), TypeError, /options/],
    [
      "non-function handler",
      () => new WebPubSubEventHandler("hub", { handleConnect: "x" as never }),
      TypeError,
      /options.handleConnect/,
    ],
    [
      "accessKeys not array",
      () => new WebPubSubEventHandler("hub", { accessKeys: "k" as never }),
      TypeError,
      /options.accessKeys/,
    ],
    [
      "empty key",
      () => new WebPubSubEventHandler("hub", { accessKeys: ["a", ""] }),
      TypeError,
      /options.accessKeys\[1\]/,
    ],
    [
      "connection string without key",
      () => new WebPubSubEventHandler("hub", { connectionString: "Endpoint=http://x" }),
      TypeError,
      /AccessKey/,
    ],
    [
      "verifySignature without keys",
      () => new WebPubSubEventHandler("hub", { verifySignature: true }),
      TypeError,
      /verifySignature/,
    ],
    ["timeout 0", () => new WebPubSubEventHandler("hub", { timeoutInMs: 0 }), RangeError, /options.timeoutInMs/],
    [
      "timeout fraction",
      () => new WebPubSubEventHandler("hub", { timeoutInMs: 1.5 }),
      TypeError,
      /options.timeoutInMs/,
    ],
    [
      "body timeout 0",
      () => new WebPubSubEventHandler("hub", { bodyTimeoutInMs: 0 }),
      RangeError,
      /options.bodyTimeoutInMs/,
    ],
    [
      "body timeout not a number",
      () => new WebPubSubEventHandler("hub", { bodyTimeoutInMs: "30" as never }),
      TypeError,
      /options.bodyTimeoutInMs/,
    ],
    [
      "body limit negative",
      () => new WebPubSubEventHandler("hub", { maxBodyBytes: -1 }),
      RangeError,
      /options.maxBodyBytes/,
    ],
    [
      "origin with path",
      () => new WebPubSubEventHandler("hub", { allowedOrigins: ["a.com/x"] }),
      TypeError,
      /options.allowedOrigins\[0\]/,
    ],
    ["path with query", () => new WebPubSubEventHandler("hub", { path: "/a?b" }), TypeError, /options.path/],
  ])("%s fails fast", (_name, build, type, message) => {
    expect(build).toThrow(type);
    expect(build).toThrow(message);
  });

  it("accepts both a connection string and extra keys", async () => {
    const handler = new WebPubSubEventHandler("hub", {
      connectionString: "Endpoint=https://x.webpubsub.azure.com;AccessKey=primary;Version=1.0;",
      accessKeys: ["secondary"],
    });
    expect((await handler.handle(eventRequest({ type: CONNECT })))!.status).toBe(401);
  });
});
