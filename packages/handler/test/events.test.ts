// connect, user events and connection state through the fetch core.
import { decodeConnectionState, encodeConnectionState } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import {
  type ConnectRequest,
  type DisconnectedRequest,
  MqttV311ConnectReturnCode,
  MqttV500ConnectReasonCode,
  type UserEventRequest,
  type WebPubSubEventHandlerOptions,
} from "../src/index.ts";
import { CONNECT, DISCONNECTED, eventRequest, MQTT_HEADERS, make, USER_MESSAGE } from "./helpers.ts";

const connectBody = {
  claims: { sub: ["alice"], role: ["webpubsub.joinLeaveGroup"] },
  query: { room: ["lobby"] },
  headers: { "User-Agent": ["test"] },
  subprotocols: ["json.webpubsub.azure.v1", "json.reliable.webpubsub.azure.v1"],
  clientCertificates: [{ thumbprint: "abc", content: "-----BEGIN CERTIFICATE-----" }],
};

describe("connect", () => {
  it("gives the handler the full context and request", async () => {
    let seen: ConnectRequest | undefined;
    const { handler } = make({
      handleConnect: (req, res) => {
        seen = req;
        res.success();
      },
    });
    const response = await handler.handle(
      eventRequest({
        type: CONNECT,
        userId: "alice",
        body: JSON.stringify(connectBody),
        headers: { "ce-connectionstate": encodeConnectionState({ a: 1 }), "ce-subprotocol": "json.webpubsub.azure.v1" },
      }),
    );
    expect(response!.status).toBe(204);
    const { context, ...rest } = seen!;
    expect(rest).toEqual({ ...connectBody, queries: connectBody.query });
    expect(context).toMatchObject({
      hub: "hub",
      connectionId: "conn1",
      userId: "alice",
      eventName: "connect",
      type: CONNECT,
      origin: "a.com",
      subprotocol: "json.webpubsub.azure.v1",
      states: { a: 1 },
      clientProtocol: "default",
    });
    expect(context.signal).toBeInstanceOf(AbortSignal);
    expect(context.headers.get("ce-id")).toBe("1");
    expect(context.mqtt).toBeUndefined();
  });

  it("accepts with overrides as JSON (only the fields given; empty subprotocol omitted)", async () => {
    const { handler } = make({
      handleConnect: (_req, res) =>
        res.success({ userId: "bob", groups: ["g1"], roles: [], subprotocol: "json.webpubsub.azure.v1" }),
    });
    const response = await handler.handle(eventRequest({ type: CONNECT, body: JSON.stringify(connectBody) }));
    expect(response!.status).toBe(200);
    expect(response!.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await response!.json()).toEqual({
      userId: "bob",
      groups: ["g1"],
      roles: [],
      subprotocol: "json.webpubsub.azure.v1",
    });
    const empty = make({ handleConnect: (_req, res) => res.success({ subprotocol: "" }) });
    expect((await empty.handler.handle(eventRequest({ type: CONNECT })))!.status).toBe(204);
  });

  it("refuses a subprotocol the client did not offer (500, reported)", async () => {
    const { handler, errors } = make({ handleConnect: (_req, res) => res.success({ subprotocol: "mine" }) });
    const response = await handler.handle(eventRequest({ type: CONNECT, body: JSON.stringify(connectBody) }));
    expect(response!.status).toBe(500);
    expect(String(errors[0])).toMatch(/subprotocol\) must be one the client offered/);
  });

  // Rule: a connect answer the service would refuse is refused before it is sent, naming the problem: group names
  // follow the service's rule (core's checkGroupName: 1 to 1024 characters, not whitespace only), as the service
  // (and the emulator) refuse a connect answer with any other group and drop the client's connection.
  it("refuses groups that are not valid group names (500, reported naming the group), and accepts the longest valid one", async () => {
    const longest = "g".repeat(1024);
    for (const [group, problem] of [
      ["", "success(groups[1]) must be 1 to 1024 characters long, got 0"],
      ["   ", "success(groups[1]) must not be whitespace only"],
      [`${longest}g`, "success(groups[1]) must be 1 to 1024 characters long, got 1025"],
    ]) {
      const { handler, errors } = make({ handleConnect: (_req, res) => res.success({ groups: ["ok", group!] }) });
      expect((await handler.handle(eventRequest({ type: CONNECT })))!.status, problem).toBe(500);
      expect(errors).toEqual([new TypeError(problem)]);
    }
    const { handler } = make({ handleConnect: (_req, res) => res.success({ groups: ["ok", longest] }) });
    const accepted = await handler.handle(eventRequest({ type: CONNECT }));
    expect(await accepted!.json()).toEqual({ groups: ["ok", longest] });
  });

  it.each([400, 401, 403, 500] as const)("rejects with %i and a text reason", async (code) => {
    const { handler } = make({ handleConnect: (_req, res) => res.fail(code, "nope") });
    const response = await handler.handle(eventRequest({ type: CONNECT }));
    expect(response!.status).toBe(code);
    expect(await response!.text()).toBe("nope");
    expect(response!.headers.get("content-type")).toBe("text/plain; charset=utf-8");
  });

  it("refuses other reject statuses with a RangeError (500)", async () => {
    const { handler, errors } = make({ handleConnect: (_req, res) => res.fail(302 as 400) });
    expect((await handler.handle(eventRequest({ type: CONNECT })))!.status).toBe(500);
    expect(errors[0]).toBeInstanceOf(RangeError);
  });

  it("MQTT: context, request details, and status -> reason code for MQTT 5", async () => {
    let seen: ConnectRequest | undefined;
    const { handler } = make({
      handleConnect: (req, res) => {
        seen = req;
        res.fail(401, "who are you");
      },
    });
    const body = {
      subprotocols: ["mqtt"],
      mqtt: { protocolVersion: 5, username: "u", password: "cA==", userProperties: [] },
    };
    const response = await handler.handle(
      eventRequest({ type: CONNECT, headers: MQTT_HEADERS, body: JSON.stringify(body) }),
    );
    expect(response!.status).toBe(401);
    expect(await response!.json()).toEqual({
      mqtt: { code: MqttV500ConnectReasonCode.NotAuthorized, reason: "who are you" },
    });
    expect(seen!.context.clientProtocol).toBe("mqtt");
    expect(seen!.context.mqtt).toEqual({ physicalConnectionId: "phys1", sessionId: "sess1" });
    expect(seen!.mqtt).toEqual(body.mqtt);
  });

  it("MQTT: failWith a 5.0 reason code maps to its HTTP status", async () => {
    const cases: [number, number][] = [
      [MqttV500ConnectReasonCode.Banned, 403],
      [MqttV500ConnectReasonCode.QuotaExceeded, 429],
      [MqttV500ConnectReasonCode.ServerBusy, 503],
      [MqttV500ConnectReasonCode.MalformedPacket, 400],
      [MqttV500ConnectReasonCode.UnspecifiedError, 500],
    ];
    for (const [code, status] of cases) {
      const { handler } = make({
        handleConnect: (_req, res) =>
          res.failWith({ mqtt: { code: code as 0x8a, userProperties: [{ name: "a", value: "b" }] } }),
      });
      const response = await handler.handle(eventRequest({ type: CONNECT, headers: MQTT_HEADERS }));
      expect(response!.status).toBe(status);
      expect(await response!.json()).toEqual({ mqtt: { code, userProperties: [{ name: "a", value: "b" }] } });
    }
  });

  // Rule: failWith({ mqtt }) takes only a refusing CONNACK code of the client's own MQTT version when the connect names
  // it (3.1 and 3.1.1: return codes 1-5; 5.0: reason codes 0x80 and up), as the service documents for mqtt.code
  // (reference-mqtt-cloud-events, cloud-events-main.tsp): "Upstream webhook should select a valid integer value defined
  // the MQTT protocols according to the protocol versions of the clients. If Upstream webhook sets an invalid value,
  // clients will receive 'unspecified error' in the CONNACK packet." A code of the other version is refused (500,
  // reported naming it) instead of reaching the client as another answer than the one the app chose.
  it.each([
    [3, MqttV311ConnectReturnCode.BadUsernameOrPassword, MqttV500ConnectReasonCode.BadUserNameOrPassword],
    [4, MqttV311ConnectReturnCode.NotAuthorized, MqttV500ConnectReasonCode.NotAuthorized],
    [5, MqttV500ConnectReasonCode.NotAuthorized, MqttV311ConnectReturnCode.NotAuthorized],
  ])(
    "MQTT: failWith for protocol version %i accepts its own code %i and refuses the other version's %i",
    async (protocolVersion, own, other) => {
      const body = JSON.stringify({ subprotocols: ["mqtt"], mqtt: { protocolVersion } });
      const accepted = make({ handleConnect: (_req, res) => res.failWith({ mqtt: { code: own as 5 } }) });
      const answer = await accepted.handler.handle(eventRequest({ type: CONNECT, headers: MQTT_HEADERS, body }));
      expect(answer!.status).toBe(401);
      expect(await answer!.json()).toEqual({ mqtt: { code: own } });
      expect(accepted.errors).toEqual([]);

      const refused = make({ handleConnect: (_req, res) => res.failWith({ mqtt: { code: other as 5 } }) });
      const response = await refused.handler.handle(eventRequest({ type: CONNECT, headers: MQTT_HEADERS, body }));
      expect(response!.status).toBe(500);
      expect(refused.errors).toHaveLength(1);
      expect(refused.errors[0]).toBeInstanceOf(RangeError);
      expect(String(refused.errors[0])).toContain(`protocol version ${protocolVersion}`);
      expect(String(refused.errors[0])).toContain(`got ${other}`);
    },
  );

  it("MQTT: failWith refuses a code that refuses in no MQTT version (0 accepts, 0x8b is DISCONNECT only), naming it", async () => {
    for (const code of [0, 6, 0x7f, 0x8b, 0xa0, 4.5, "5", null]) {
      const { handler, errors } = make({ handleConnect: (_req, res) => res.failWith({ mqtt: { code: code as 5 } }) });
      const response = await handler.handle(eventRequest({ type: CONNECT, headers: MQTT_HEADERS }));
      expect(response!.status, String(code)).toBe(500);
      expect(errors, String(code)).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(RangeError);
      expect(String(errors[0])).toContain("a refusing CONNACK code of MQTT 3.1.1 or 5.0, got");
    }
  });

  it("MQTT: failWith refuses an mqtt answer that is not an object (500, reported naming it)", async () => {
    for (const mqtt of [null, 5]) {
      const { handler, errors } = make({ handleConnect: (_req, res) => res.failWith({ mqtt } as never) });
      const response = await handler.handle(eventRequest({ type: CONNECT, headers: MQTT_HEADERS }));
      expect(response!.status).toBe(500);
      expect(errors).toEqual([new TypeError("failWith mqtt must be an object")]);
    }
  });

  it("MQTT: failWith takes a code of either version when the connect does not name a known protocol version", async () => {
    for (const mqtt of [{ protocolVersion: 6 }, { protocolVersion: "5" }, null]) {
      for (const code of [MqttV311ConnectReturnCode.NotAuthorized, MqttV500ConnectReasonCode.NotAuthorized]) {
        const { handler, errors } = make({ handleConnect: (_req, res) => res.failWith({ mqtt: { code } }) });
        const body = JSON.stringify({ subprotocols: ["mqtt"], mqtt });
        const response = await handler.handle(eventRequest({ type: CONNECT, headers: MQTT_HEADERS, body }));
        expect(response!.status, JSON.stringify({ mqtt, code })).toBe(401);
        expect(errors).toEqual([]);
      }
    }
  });

  // Rule: failWith({ mqtt }) answers MQTT clients only (the official API: "Return failed response with MQTT response
  // properties"; the spec's MqttConnectEventFailureResponse belongs to the MQTT connect). For a WebSocket client it is
  // refused (500, reported) instead of answering statuses a WebSocket connect refusal never uses (429, 503) with a JSON
  // body the client would get as its error text; failWith({ code, detail }) still answers it.
  it("failWith({ mqtt }) is refused for a WebSocket client, failWith({ code, detail }) answers it", async () => {
    const refused = make({
      handleConnect: (_req, res) => res.failWith({ mqtt: { code: MqttV500ConnectReasonCode.QuotaExceeded } }),
    });
    const response = await refused.handler.handle(eventRequest({ type: CONNECT, body: JSON.stringify(connectBody) }));
    expect(response!.status).toBe(500);
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors[0]).toBeInstanceOf(TypeError);
    expect(String(refused.errors[0])).toMatch(/failWith\(\{ mqtt \}\) answers MQTT clients only/);

    const accepted = make({ handleConnect: (_req, res) => res.failWith({ code: 403, detail: "no" }) });
    const answer = await accepted.handler.handle(eventRequest({ type: CONNECT, body: JSON.stringify(connectBody) }));
    expect(answer!.status).toBe(403);
    expect(await answer!.text()).toBe("no");
  });

  it("disconnected carries the reason and MQTT details", async () => {
    let seen: DisconnectedRequest | undefined;
    const { handler } = make({
      onDisconnected: (req) => {
        seen = req;
      },
    });
    const body = { reason: "bye", mqtt: { initiatedByClient: true, disconnectPacket: { code: 0 } } };
    await handler.handle(eventRequest({ type: DISCONNECTED, headers: MQTT_HEADERS, body: JSON.stringify(body) }));
    expect(seen!.reason).toBe("bye");
    expect(seen!.mqtt).toEqual(body.mqtt);
    expect(seen!.context.clientProtocol).toBe("mqtt");
  });
});

describe("user events", () => {
  async function reply(
    fn: WebPubSubEventHandlerOptions["handleUserEvent"],
    init: Partial<Parameters<typeof eventRequest>[0]> = {},
  ) {
    const { handler, errors } = make({ handleUserEvent: fn });
    const response = await handler.handle(
      eventRequest({ type: USER_MESSAGE, contentType: "text/plain", body: "hi", ...init }),
    );
    return { response: response!, errors };
  }

  it("replies with binary from an ArrayBuffer or any typed array (the official package crashes here)", async () => {
    for (const data of [
      new Uint8Array([1, 2, 3]).buffer,
      new Uint8Array([1, 2, 3]),
      new DataView(new Uint8Array([9, 1, 2, 3]).buffer, 1),
    ]) {
      const { response } = await reply((_req, res) => res.success(data));
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/octet-stream");
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    }
  });

  it("replies JSON: a string as JSON text, any other value serialized", async () => {
    const { response } = await reply((_req, res) => res.success({ hello: ["world"] }, "json"));
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await response.json()).toEqual({ hello: ["world"] });
    const text = await reply((_req, res) => res.success('{"a":1}', "json"));
    expect(await text.response.text()).toBe('{"a":1}');
    const nul = await reply((_req, res) => res.success(null, "json"));
    expect(await nul.response.text()).toBe("null");
  });

  it("replies text, and an empty 200 for success() without data", async () => {
    const { response } = await reply((req, res) => res.success(`echo ${String(req.data)}`, "text"));
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await response.text()).toBe("echo hi");
    const empty = await reply((_req, res) => res.success());
    expect(empty.response.status).toBe(200);
    expect(await empty.response.text()).toBe("");
  });

  it("refuses non-byte, non-string data for binary/text and bad dataTypes (500)", async () => {
    for (const fn of [
      (_req: UserEventRequest, res: Parameters<NonNullable<WebPubSubEventHandlerOptions["handleUserEvent"]>>[1]) =>
        res.success({ a: 1 }),
      (_req: UserEventRequest, res: Parameters<NonNullable<WebPubSubEventHandlerOptions["handleUserEvent"]>>[1]) =>
        res.success("a", "xml" as "text"),
      (_req: UserEventRequest, res: Parameters<NonNullable<WebPubSubEventHandlerOptions["handleUserEvent"]>>[1]) =>
        res.fail(200),
    ]) {
      const { response, errors } = await reply(fn);
      expect(response.status).toBe(500);
      expect(errors).toHaveLength(1);
    }
  });

  it("fails with any 4xx/5xx and a detail", async () => {
    const { response } = await reply((_req, res) => res.fail(429, "slow down"));
    expect(response.status).toBe(429);
    expect(await response.text()).toBe("slow down");
  });

  it("decodes by content type: charset, +json, and unknown types as binary", async () => {
    let seen: UserEventRequest | undefined;
    const capture = (req: UserEventRequest, res: { success(): void }) => {
      seen = req;
      res.success();
    };
    await reply(capture, {
      contentType: "text/plain; charset=iso-8859-1",
      body: new Uint8Array([0x63, 0x61, 0x66, 0xe9]),
    });
    expect(seen).toMatchObject({ dataType: "text", data: "café" });
    await reply(capture, { contentType: "application/cloudevents+json", body: '{"x":1}' });
    expect(seen).toMatchObject({ dataType: "json", data: { x: 1 } });
    await reply(capture, { contentType: "image/png", body: new Uint8Array([1, 2]) });
    expect(seen).toMatchObject({ dataType: "binary", data: new Uint8Array([1, 2]), contentType: "image/png" });
    expect(seen!.context.eventName).toBe("message");
  });

  it("takes the event name from ce-eventname, or from ce-type", async () => {
    let name = "";
    const { handler } = make({
      handleUserEvent: (req, res) => {
        name = req.context.eventName;
        res.success();
      },
    });
    const request = eventRequest({ type: "azure.webpubsub.user.chat.v2", contentType: "text/plain", body: "x" });
    request.headers.delete("ce-eventname");
    await handler.handle(request);
    expect(name).toBe("chat.v2");
  });
});

describe("connection state", () => {
  it("reads the incoming state, sets and clears it on user events", async () => {
    const seen: Record<string, unknown>[] = [];
    const { handler } = make({
      handleUserEvent: (req, res) => {
        seen.push({ ...req.context.states });
        if (req.data === "clear") res.clearStates();
        else res.setState("count", Number(req.context.states.count ?? 0) + 1);
        res.setState("gone", undefined);
        res.success();
      },
    });
    let state: string | null = encodeConnectionState({ count: 1, gone: true });
    for (const body of ["inc", "inc", "clear"]) {
      const response = await handler.handle(
        eventRequest({
          type: USER_MESSAGE,
          contentType: "text/plain",
          body,
          headers: { "ce-connectionstate": state! },
        }),
      );
      state = response!.headers.get("ce-connectionstate");
      expect(state).not.toBeNull();
    }
    expect(seen).toEqual([{ count: 1, gone: true }, { count: 2 }, { count: 3 }]);
    expect(decodeConnectionState(state)).toEqual({});
  });

  it("sends no state header when the state did not change", async () => {
    const { handler } = make({ handleUserEvent: (_req, res) => res.success() });
    const response = await handler.handle(
      eventRequest({
        type: USER_MESSAGE,
        contentType: "text/plain",
        body: "x",
        headers: { "ce-connectionstate": encodeConnectionState({ a: 1 }) },
      }),
    );
    expect(response!.headers.has("ce-connectionstate")).toBe(false);
  });

  it.each(["", "not base64 !!", btoa("not json"), btoa("[1,2]"), btoa("42")])(
    "treats an invalid state header %j as empty state",
    async (header) => {
      let states: unknown;
      const { handler } = make({
        handleConnect: (req, res) => {
          states = req.context.states;
          res.success();
        },
      });
      const response = await handler.handle(eventRequest({ type: CONNECT, headers: { "ce-connectionstate": header } }));
      expect(response!.status).toBe(204);
      expect(states).toEqual({});
    },
  );

  it("refuses state values that cannot be JSON-encoded (500, reported)", async () => {
    const { handler, errors } = make({ handleConnect: (_req, res) => res.setState("big", 1n) });
    expect((await handler.handle(eventRequest({ type: CONNECT })))!.status).toBe(500);
    expect(errors[0]).toBeInstanceOf(TypeError);
  });

  it("connect sets the initial state", async () => {
    const { handler } = make({
      handleConnect: (_req, res) => {
        res.setState("room", "lobby");
        res.success({ userId: "u" });
      },
    });
    const response = await handler.handle(eventRequest({ type: CONNECT }));
    expect(decodeConnectionState(response!.headers.get("ce-connectionstate"))).toEqual({ room: "lobby" });
  });
});
