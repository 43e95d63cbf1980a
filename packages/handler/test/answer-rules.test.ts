// The rules of the answers user code gives through the response objects (responders.ts), seen as the service sees
// them: status, headers (content-type, ce-connectionState) and body; and what is refused, with which error.
import { decodeConnectionState, encodeConnectionState } from "@webpubsub/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type ConnectResponseHandler, MqttV311ConnectReturnCode, type UserEventResponseHandler } from "../src/index.ts";
import { CONNECT, eventRequest, MQTT_HEADERS, make, USER_MESSAGE } from "./helpers.ts";

/** Answers a WebSocket connect (or an MQTT one, with `mqttBody`) with `answer` and returns the response and reports. */
async function connect(answer: (res: ConnectResponseHandler) => void, mqttBody?: unknown) {
  const { handler, errors } = make({ handleConnect: (_req, res) => answer(res) });
  const request =
    mqttBody === undefined
      ? eventRequest({ type: CONNECT })
      : eventRequest({ type: CONNECT, headers: MQTT_HEADERS, body: JSON.stringify(mqttBody) });
  return { response: (await handler.handle(request))!, errors };
}

/** Answers a user event carrying `state` with `answer` and returns the response and reports. */
async function userEvent(answer: (res: UserEventResponseHandler) => void, state?: Record<string, unknown>) {
  const { handler, errors } = make({ handleUserEvent: (_req, res) => answer(res) });
  const headers = state === undefined ? undefined : { "ce-connectionstate": encodeConnectionState(state) };
  const request = eventRequest({ type: USER_MESSAGE, contentType: "text/plain", body: "hi", headers });
  return { response: (await handler.handle(request))!, errors };
}

/** The state a response sends back, or undefined without a ce-connectionState header. */
function sentState(response: Response): Record<string, unknown> | undefined {
  const header = response.headers.get("ce-connectionstate");
  return header === null ? undefined : decodeConnectionState(header);
}

const PROPERTY_SHAPE = "must be an array of { name: string, value: string }";
// user properties the service cannot take: not an array, or an entry (after a valid one) that is not a plain
// { name: string, value: string } object
const good = { name: "a", value: "b" };
const badUserProperties: [string, unknown][] = [
  ["a string", "a=b"],
  ["with a null entry", [good, null]],
  ["with a string entry", [good, "a=b"]],
  ["with a numeric name", [good, { name: 1, value: "b" }]],
  ["with a numeric value", [good, { name: "a", value: 2 }]],
  ["with no value", [good, { name: "a" }]],
  ["with a function entry carrying a name and a value", [good, Object.assign(() => "b", { value: "b" })]],
];

describe("connect success", () => {
  // Rule: an accepting answer the service could not read is refused before it is sent (500, reported naming the field).
  it.each<[string, unknown, string]>([
    ["a string", "alice", "connect success response must be an object"],
    ["an array", ["alice"], "connect success response must be an object"],
    ["an empty userId", { userId: "" }, "success(userId) must be a non-empty string"],
    ["a numeric userId", { userId: 7 }, "success(userId) must be a non-empty string"],
    ["groups as a string", { groups: "g1" }, "success(groups) must be an array of strings"],
    ["a numeric group", { groups: ["g1", 2] }, "success(groups) must be an array of strings"],
    ["roles as a string", { roles: "admin" }, "success(roles) must be an array of strings"],
    ["a numeric role", { roles: ["admin", 2] }, "success(roles) must be an array of strings"],
    ["a numeric subprotocol", { subprotocol: 1 }, "success(subprotocol) must be a string"],
    ["mqtt null", { mqtt: null }, "success(mqtt) must be an object"],
    ["mqtt a number", { mqtt: 5 }, "success(mqtt) must be an object"],
    ...badUserProperties.map(([name, userProperties]): [string, unknown, string] => [
      `mqtt.userProperties ${name}`,
      { mqtt: { userProperties } },
      `success(mqtt.userProperties) ${PROPERTY_SHAPE}`,
    ]),
  ])("refuses %s (500, reported)", async (_name, answer, message) => {
    const { response, errors } = await connect((res) => res.success(answer as never));
    expect(response.status).toBe(500);
    expect(errors).toEqual([new TypeError(message)]);
  });

  it("success(null) accepts with the defaults (204), as success() does", async () => {
    const { response, errors } = await connect((res) => res.success(null as never));
    expect(response.status).toBe(204);
    expect(errors).toEqual([]);
  });

  it("an MQTT answer sends its user properties, and an empty mqtt object as such", async () => {
    const userProperties = [{ name: "a", value: "b" }];
    const withProperties = await connect((res) => res.success({ mqtt: { userProperties } }), { mqtt: {} });
    expect(withProperties.response.status).toBe(200);
    expect(await withProperties.response.json()).toEqual({ mqtt: { userProperties } });
    const empty = await connect((res) => res.success({ mqtt: {} }), { mqtt: {} });
    expect(await empty.response.json()).toEqual({ mqtt: {} });
  });

  // Rule: the chosen subprotocol must be one the client offered, when it offered any; a client that offered none
  // leaves the choice to the handler.
  it.each([[undefined], [[]]])("a client that offered %j subprotocols takes any the handler picks", async (offered) => {
    const { handler, errors } = make({ handleConnect: (_req, res) => res.success({ subprotocol: "mine" }) });
    const body = JSON.stringify(offered === undefined ? {} : { subprotocols: offered });
    const response = (await handler.handle(eventRequest({ type: CONNECT, body })))!;
    expect(errors).toEqual([]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ subprotocol: "mine" });
  });

  it("a subprotocol the client did not offer is refused naming every offered one", async () => {
    const { handler, errors } = make({ handleConnect: (_req, res) => res.success({ subprotocol: "mine" }) });
    const body = JSON.stringify({ subprotocols: ["a", "b"] });
    expect((await handler.handle(eventRequest({ type: CONNECT, body })))!.status).toBe(500);
    expect(errors).toEqual([new TypeError('success(subprotocol) must be one the client offered ("a, b")')]);
  });
});

describe("connect refusals", () => {
  // Rule: fail's detail is a string or nothing; without one the refusal has no body and no content type.
  it.each<[string, unknown]>([
    ["WebSocket", undefined],
    ["MQTT", { mqtt: { protocolVersion: 5 } }],
  ])("%s: a non-string fail detail is refused (500, reported)", async (_name, mqttBody) => {
    const { response, errors } = await connect((res) => res.fail(401, 42 as never), mqttBody);
    expect(response.status).toBe(500);
    expect(errors).toEqual([new TypeError("fail detail must be a string")]);
  });

  it("WebSocket: fail without a detail answers the status with an empty body and no content type", async () => {
    const { response } = await connect((res) => res.fail(401));
    expect(response.status).toBe(401);
    expect(response.headers.has("content-type")).toBe(false);
    expect(await response.text()).toBe("");
  });

  it("MQTT: fail for a connect without mqtt details answers code 1 (unknown protocol version) with the status", async () => {
    const { response, errors } = await connect((res) => res.fail(403), { subprotocols: ["mqtt"] });
    expect(errors).toEqual([]);
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await response.json()).toEqual({ mqtt: { code: MqttV311ConnectReturnCode.UnacceptableProtocolVersion } });
  });

  // Rule: an MQTT 3.1.1 return code travels with the HTTP status the service expects for it.
  it.each([
    [MqttV311ConnectReturnCode.UnacceptableProtocolVersion, 400],
    [MqttV311ConnectReturnCode.IdentifierRejected, 400],
    [MqttV311ConnectReturnCode.ServerUnavailable, 503],
    [MqttV311ConnectReturnCode.BadUsernameOrPassword, 401],
    [MqttV311ConnectReturnCode.NotAuthorized, 401],
  ])("MQTT 3.1.1: failWith code %i answers HTTP %i", async (code, status) => {
    const { response, errors } = await connect((res) => res.failWith({ mqtt: { code, reason: "no" } }), {
      mqtt: { protocolVersion: 4 },
    });
    expect(errors).toEqual([]);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ mqtt: { code, reason: "no" } });
  });

  // Rule: a failWith answer the service could not read is refused (500, reported naming the field).
  it.each<[string, unknown, string]>([
    ["null", null, "failWith response must be an object"],
    ["a number", 401, "failWith response must be an object"],
    ["a string", "no", "failWith response must be an object"],
    ["a numeric mqtt.reason", { mqtt: { code: 0x87, reason: 1 } }, "failWith mqtt.reason must be a string"],
    ...badUserProperties.map(([name, userProperties]): [string, unknown, string] => [
      `mqtt.userProperties ${name}`,
      { mqtt: { code: 0x87, userProperties } },
      `failWith mqtt.userProperties ${PROPERTY_SHAPE}`,
    ]),
  ])("MQTT: failWith %s is refused", async (_name, answer, message) => {
    const { response, errors } = await connect((res) => res.failWith(answer as never), { mqtt: {} });
    expect(response.status).toBe(500);
    expect(errors).toEqual([new TypeError(message)]);
  });
});

describe("user event replies", () => {
  // Rule: the reply's content type follows dataType (binary is the default), and no data is an empty body; only
  // success(null, "json") sends the JSON text null.
  it.each<[string, unknown, "binary" | "text" | "json" | undefined, string, string]>([
    ["bytes as binary", new Uint8Array([104, 105]), "binary", "application/octet-stream", "hi"],
    ["a string as binary", "hi", "binary", "application/octet-stream", "hi"],
    ["null", null, undefined, "application/octet-stream", ""],
    ["null as binary", null, "binary", "application/octet-stream", ""],
    ["null as text", null, "text", "text/plain; charset=utf-8", ""],
    ["undefined as json", undefined, "json", "application/json; charset=utf-8", ""],
    ["null as json", null, "json", "application/json; charset=utf-8", "null"],
  ])("success with %s", async (_name, data, dataType, contentType, body) => {
    const { response, errors } = await userEvent((res) => res.success(data as never, dataType));
    expect(errors).toEqual([]);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(contentType);
    expect(await response.text()).toBe(body);
  });

  it.each<[string, unknown, "binary" | "text" | "json" | undefined, string]>([
    [
      "an object as binary",
      { a: 1 },
      undefined,
      "success data must be a string or bytes (ArrayBuffer / ArrayBufferView) unless dataType is json",
    ],
    ["a function as json", () => 1, "json", "success data must be JSON-serializable for dataType json"],
    ["a symbol as json", Symbol("s"), "json", "success data must be JSON-serializable for dataType json"],
  ])("success with %s is refused (500, reported)", async (_name, data, dataType, message) => {
    const { response, errors } = await userEvent((res) => res.success(data as never, dataType));
    expect(response.status).toBe(500);
    expect(errors).toEqual([new TypeError(message)]);
  });

  // Rule: fail takes an integer HTTP error status, 400 to 599 both included, and a string detail or none.
  it.each([400, 599])("fail(%i) answers that status", async (code) => {
    const { response, errors } = await userEvent((res) => res.fail(code));
    expect(errors).toEqual([]);
    expect(response.status).toBe(code);
    expect(response.headers.has("content-type")).toBe(false);
    expect(await response.text()).toBe("");
  });

  it.each<[unknown, string]>([
    [399, "399"],
    [600, "600"],
    [400.5, "400.5"],
    ["400", '"400"'],
  ])("fail(%j) is refused (500, reported naming the code)", async (code, shown) => {
    const { response, errors } = await userEvent((res) => res.fail(code as number));
    expect(response.status).toBe(500);
    expect(errors).toEqual([new RangeError(`user event fail code must be an HTTP error status 400-599, got ${shown}`)]);
  });

  it("a non-string fail detail is refused (500, reported)", async () => {
    const { response, errors } = await userEvent((res) => res.fail(400, { why: "no" } as never));
    expect(response.status).toBe(500);
    expect(errors).toEqual([new TypeError("fail detail must be a string")]);
  });

  it("state changes travel with a fail answer too", async () => {
    const { response } = await userEvent((res) => {
      res.setState("tries", 3);
      res.fail(429, "slow down");
    });
    expect(response.status).toBe(429);
    expect(sentState(response)).toEqual({ tries: 3 });
  });
});

describe("connection state changes", () => {
  // Rule: a state has a non-empty string name and a JSON-serializable value; anything else is refused, naming it.
  it.each<[string, (res: UserEventResponseHandler) => void, string]>([
    ["an empty name", (res) => res.setState("", 1), "setState name must be a non-empty string"],
    ["a numeric name", (res) => res.setState(1 as never, 1), "setState name must be a non-empty string"],
    ["a function value", (res) => res.setState("f", () => 1), 'setState value for "f" must be JSON-serializable'],
    ["a symbol value", (res) => res.setState("s", Symbol("s")), 'setState value for "s" must be JSON-serializable'],
  ])("setState with %s is refused (500, reported)", async (_name, change, message) => {
    const { response, errors } = await userEvent((res) => {
      change(res);
      res.success();
    });
    expect(response.status).toBe(500);
    expect(errors).toEqual([new TypeError(message)]);
  });

  it("a value JSON.stringify throws on is refused with that error as the cause", async () => {
    const { errors } = await userEvent((res) => res.setState("big", 1n));
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('setState value for "big" must be JSON-serializable');
    expect((errors[0] as Error).cause).toBeInstanceOf(TypeError);
    expect(String((errors[0] as Error).cause)).toMatch(/BigInt/);
  });

  it("clearStates alone sends the empty state", async () => {
    const { response } = await userEvent(
      (res) => {
        res.clearStates();
        res.success();
      },
      { a: 1 },
    );
    expect(sentState(response)).toEqual({});
  });

  it("connect: clearStates drops the state the connect carried", async () => {
    const { handler } = make({
      handleConnect: (_req, res) => {
        res.clearStates();
        res.success();
      },
    });
    const headers = { "ce-connectionstate": encodeConnectionState({ a: 1 }) };
    const response = (await handler.handle(eventRequest({ type: CONNECT, headers })))!;
    expect(sentState(response)).toEqual({});
  });

  it("a state set by the handler can be removed or cleared again in the same answer", async () => {
    const removed = await userEvent((res) => {
      res.setState("a", 1);
      res.setState("b", 2);
      res.setState("a", undefined);
      res.success();
    });
    expect(sentState(removed.response)).toEqual({ b: 2 });
    const cleared = await userEvent((res) => {
      res.setState("a", 1);
      res.clearStates();
      res.success();
    });
    expect(sentState(cleared.response)).toEqual({});
  });

  // Rule: req.context.states is the state that is sent, and a state set with setState stays an ordinary property of it
  // (the typing invites `states.calledTime++`): updating it in place before the answer is what the service gets.
  it("a state set with setState can be updated in place through req.context.states, and the update is sent", async () => {
    const { handler, errors } = make({
      handleUserEvent: (req, res) => {
        res.setState("calledTime", 1);
        req.context.states.calledTime++;
        res.success();
      },
    });
    const request = eventRequest({ type: USER_MESSAGE, contentType: "text/plain", body: "hi" });
    const response = (await handler.handle(request))!;
    expect(errors).toEqual([]);
    expect(sentState(response)).toEqual({ calledTime: 2 });
  });

  // Rule: once user code answered, a state change is a programming error and throws (the answer stands).
  it.each<[string, (res: UserEventResponseHandler) => void]>([
    ["setState", (res) => res.setState("late", 1)],
    ["clearStates", (res) => res.clearStates()],
  ])("%s after the answer throws, and the answer is sent unchanged", async (_name, change) => {
    let thrown: unknown;
    const { response } = await userEvent(
      (res) => {
        res.success("ok", "text");
        try {
          change(res);
        } catch (error) {
          thrown = error;
        }
      },
      { a: 1 },
    );
    expect(thrown).toEqual(new Error("This event has already been answered"));
    expect(response.status).toBe(200);
    expect(sentState(response)).toBeUndefined();
  });
});

describe("answers and the timeout", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  // Rule: a state change after the event was closed without an answer (here the 504) is dropped: it neither throws
  // nor changes the states the handler sees.
  it("a state change after the timeout is dropped, not applied", async () => {
    vi.useFakeTimers();
    let res!: ConnectResponseHandler;
    let states!: Record<string, unknown>;
    const { handler } = make({
      timeoutInMs: 50,
      handleConnect: (req, r) => {
        res = r;
        states = req.context.states;
      },
    });
    const headers = { "ce-connectionstate": encodeConnectionState({ a: 1 }) };
    const pending = handler.handle(eventRequest({ type: CONNECT, headers }));
    await vi.advanceTimersByTimeAsync(50);
    expect((await pending)!.status).toBe(504);
    res.setState("late", 1);
    res.clearStates();
    expect(states).toEqual({ a: 1 });
  });

  // Rule: an event closed before its timeout (answered by user code, or its caller gone) keeps that answer and is not
  // reported as timed out, even when the timeout falls due in the same turn of the event loop (before the wait for the
  // answer could clear it).
  it.each<[string, (res: ConnectResponseHandler, caller: AbortController) => void, number]>([
    ["an answer from user code", (res) => res.success({ userId: "u" }), 200],
    ["the caller going away", (_res, caller) => caller.abort(), 503],
  ])(
    "%s just before the timeout, in the same turn, is the answer and nothing is reported",
    async (_name, close, status) => {
      vi.useFakeTimers();
      const caller = new AbortController();
      let started!: () => void;
      const running = new Promise<void>((resolve) => {
        started = resolve;
      });
      const { handler, errors } = make({
        timeoutInMs: 50,
        handleConnect: (_req, res) => {
          setTimeout(() => close(res, caller), 49);
          started();
        },
      });
      const pending = handler.handle(new Request(eventRequest({ type: CONNECT }), { signal: caller.signal }));
      await running;
      // both timers fire in this one synchronous advance: the close at 49 ms, then the timeout at 50 ms
      vi.advanceTimersByTime(50);
      expect((await pending)!.status).toBe(status);
      expect(errors).toEqual([]);
    },
  );
});
