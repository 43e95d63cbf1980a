// No caller's or peer's value is echoed whole into an error or a log line: the responders' and the options' checks, the
// default error reporter and HandlerTimeoutError show a value through core's shown/shownValue (a string quoted up to its first 64 characters, a number as written, an object by
// type), name the problem, and still show a short value whole.
import { thrownMessage } from "@webpubsub/test-kit";
import { describe, expect, it, vi } from "vitest";
import { WebPubSubEventHandler, type WebPubSubEventHandlerOptions } from "../src/index.ts";
import { CONNECT, eventRequest, make, USER_MESSAGE } from "./helpers.ts";

const HUGE = `${"a".repeat(64)}${"b".repeat(99_936)}`;
const HUGE_SHOWN = `"${"a".repeat(64)}"...`;

/** The message of the error the handler reported while answering one request. */
async function reported(options: WebPubSubEventHandlerOptions, request: Request): Promise<string> {
  const { handler, errors } = make(options);
  await handler.handle(request);
  expect(errors).toHaveLength(1);
  return (errors[0] as Error).message;
}

const connect = (subprotocols: string[] = []) =>
  eventRequest({ type: CONNECT, body: JSON.stringify({ claims: {}, query: {}, headers: {}, subprotocols }) });
const userEvent = () => eventRequest({ type: USER_MESSAGE, contentType: "text/plain", body: "hi" });

const cases: [string, (value: string) => Promise<string>, string][] = [
  [
    "connect fail code",
    (v) => reported({ handleConnect: (_q, res) => res.fail(v as never) }, connect()),
    "connect fail code must be",
  ],
  [
    "user event fail code",
    (v) => reported({ handleUserEvent: (_q, res) => res.fail(v as never) }, userEvent()),
    "user event fail code must be",
  ],
  [
    "success dataType",
    (v) => reported({ handleUserEvent: (_q, res) => res.success("x", v as never) }, userEvent()),
    "success dataType must be",
  ],
  [
    "setState name",
    (v) => reported({ handleConnect: (_q, res) => res.setState(v, 1n) }, connect()),
    "must be JSON-serializable",
  ],
  [
    "offered subprotocols",
    (v) => reported({ handleConnect: (_q, res) => res.success({ subprotocol: "mine" }) }, connect([v])),
    "must be one the client offered",
  ],
  [
    "allowedEndpoints URL",
    async (v) => await thrownMessage(() => new WebPubSubEventHandler("hub", { allowedEndpoints: [`http://[${v}`] })),
    "Invalid URL in options.allowedEndpoints[0]",
  ],
  [
    "allowedOrigins host",
    async (v) => await thrownMessage(() => new WebPubSubEventHandler("hub", { allowedOrigins: [`h/${v}`] })),
    "options.allowedOrigins[0] must be a host",
  ],
];

describe("handler errors show an outside value bounded", () => {
  it.each(cases)("%s: a 100,000-character value is shown by its first 64 characters", async (_name, call, problem) => {
    const message = await call(HUGE);
    expect(message).toContain(problem);
    expect(message.length).toBeLessThan(300);
    expect(message).toContain(HUGE_SHOWN.slice(1, 40));
    expect(message).toMatch(/"\.\.\./);
  });

  it.each(cases)("%s: a short value is shown whole", async (_name, call, problem) => {
    const message = await call("zq");
    expect(message).toContain(problem);
    expect(message).toMatch(/zq"/);
  });

  it("a numeric fail code is shown as written", async () => {
    expect(await reported({ handleConnect: (_q, res) => res.fail(418 as never) }, connect())).toBe(
      "connect fail code must be 400, 401, 403 or 500, got 418",
    );
  });
});

describe("the default error reporter and HandlerTimeoutError show the request's values bounded", () => {
  const userEventFrom = (value: string) =>
    eventRequest({
      type: `azure.webpubsub.user.${value}`,
      eventName: value,
      connectionId: value,
      contentType: "text/plain",
      body: "hi",
    });

  async function logged(value: string): Promise<string> {
    const lines: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
      lines.push(String(args[0]));
    });
    try {
      const handler = new WebPubSubEventHandler("hub", {
        handleUserEvent: () => {
          throw new Error("boom");
        },
      });
      expect((await handler.handle(userEventFrom(value)))?.status).toBe(500);
    } finally {
      spy.mockRestore();
    }
    expect(lines).toHaveLength(1);
    return lines[0] as string;
  }

  it("a handler that throws is logged with its event name and connection id by their first 64 characters", async () => {
    const line = await logged(HUGE);
    expect(line).toBe(`[@webpubsub/handler] ${HUGE_SHOWN} handler failed (connection ${HUGE_SHOWN}):`);
  });

  it("a short event name and connection id are logged whole", async () => {
    expect(await logged("zq")).toBe('[@webpubsub/handler] "zq" handler failed (connection "zq"):');
  });

  it("a handler that times out is reported with its event name by its first 64 characters; a short one whole", async () => {
    const timedOut = async (value: string) => {
      const errors: unknown[] = [];
      const handler = new WebPubSubEventHandler("hub", {
        timeoutInMs: 1,
        onError: (e) => errors.push(e),
        handleUserEvent: () => new Promise<void>(() => {}),
      });
      expect((await handler.handle(userEventFrom(value)))?.status).toBe(504);
      expect(errors).toHaveLength(1);
      return (errors[0] as Error).message;
    };
    expect(await timedOut(HUGE)).toBe(`The ${HUGE_SHOWN} handler did not finish within 1 ms`);
    expect(await timedOut("zq")).toBe('The "zq" handler did not finish within 1 ms');
  });
});
