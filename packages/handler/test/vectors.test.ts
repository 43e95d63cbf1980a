// Every case of the eventHandler section of the vendored vectors (fixtures/reference/vectors.json), run against the
// fetch core.
import { decodeConnectionState } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import {
  type ConnectRequest,
  type ConnectResponseHandler,
  MqttV311ConnectReturnCode,
  type UserEventRequest,
  type UserEventResponseHandler,
  WebPubSubEventHandler,
  type WebPubSubEventHandlerOptions,
} from "../src/index.ts";
import {
  CONNECT,
  CONNECTED,
  DISCONNECTED,
  eventRequest,
  loadEventHandlerVectors,
  MQTT_HEADERS,
  USER_MESSAGE,
} from "./helpers.ts";

const v = loadEventHandlerVectors() as {
  defaultPath: { hub: string; path: string };
  customPath: { path: string; expected: string };
  invalidAllowedEndpoints: { allowedEndpoints: string[]; throwsMessageStartsWith: string };
  preflight: Record<string, unknown>[];
  connect: Record<string, unknown>[];
  userEvent: Record<string, unknown>[];
  connected_disconnected: string;
  [key: string]: unknown;
};

const onError = () => {};
const make = (options: WebPubSubEventHandlerOptions = {}) => new WebPubSubEventHandler("hub", { onError, ...options });

describe("eventHandler vectors: construction", () => {
  it(`default path for hub ${v.defaultPath.hub} is ${v.defaultPath.path}`, () => {
    expect(new WebPubSubEventHandler(v.defaultPath.hub).path).toBe(v.defaultPath.path);
  });
  it(`custom path ${v.customPath.path} is normalized to ${v.customPath.expected}`, () => {
    expect(make({ path: v.customPath.path }).path).toBe(v.customPath.expected);
  });
  it("invalid allowedEndpoints throw", () => {
    const { allowedEndpoints, throwsMessageStartsWith } = v.invalidAllowedEndpoints;
    expect(() => make({ allowedEndpoints })).toThrow(TypeError);
    try {
      make({ allowedEndpoints });
    } catch (error) {
      expect((error as Error).message.startsWith(throwsMessageStartsWith)).toBe(true);
    }
  });
});

describe("eventHandler vectors: preflight (abuse protection)", () => {
  v.preflight.forEach((c, i) => {
    it(`preflight #${i}: ${JSON.stringify(c)}`, async () => {
      const allowedEndpoints = (c.allowedEndpoints ?? undefined) as string[] | undefined;
      const handler = make(allowedEndpoints ? { allowedEndpoints } : {});
      const request = new Request("http://localhost/api/webpubsub/hubs/hub/", {
        method: "OPTIONS",
        headers: c.headers as Record<string, string>,
      });
      const response = await handler.handle(request);
      if (c.handled === false) {
        expect(response).toBeUndefined();
        return;
      }
      expect(response).toBeDefined();
      expect(response!.status).toBe((c.status as number | undefined) ?? 200);
      const header = response!.headers.get("webhook-allowed-origin");
      if ("webhook-allowed-origin" in c) expect(header).toBe(c["webhook-allowed-origin"]);
      const same = c["webhook-allowed-origin(sameMembers)"] as string[] | undefined;
      if (same) expect(header!.split(/\s*,\s*/).sort()).toEqual([...same].sort());
    });
  });
});

type ConnectCase = () => Promise<{ response: Response | undefined; seen?: ConnectRequest }>;
const connectWith = async (
  handleConnect: ((req: ConnectRequest, res: ConnectResponseHandler) => void) | undefined,
  init: Partial<Parameters<typeof eventRequest>[0]> = {},
) => {
  let seen: ConnectRequest | undefined;
  const handler = make(
    handleConnect
      ? {
          handleConnect: (req, res) => {
            seen = req;
            handleConnect(req, res);
          },
        }
      : {},
  );
  const response = await handler.handle(eventRequest({ type: CONNECT, ...init }));
  return { response, seen };
};
const mqttBody = (protocolVersion: number) =>
  JSON.stringify({ subprotocols: ["mqtt"], mqtt: { protocolVersion, username: "u", password: "cA==" } });

const connectCases: Record<string, ConnectCase> = {
  "not CloudEvents request": async () => {
    const handler = make({ handleConnect: (_req, res) => res.success() });
    const response = await handler.handle(
      new Request("http://localhost/api/webpubsub/hubs/hub/", { method: "POST", body: "{}" }),
    );
    return { response };
  },
  "hub mismatch": () => connectWith((_req, res) => res.success(), { hub: "another" }),
  "no handler": () => connectWith(undefined),
  "mqtt, no handler": () => connectWith(undefined, { headers: MQTT_HEADERS, body: mqttBody(4) }),
  "fail(400)": () => connectWith((_req, res) => res.fail(400)),
  "mqtt + fail(400)": () => connectWith((_req, res) => res.fail(400), { headers: MQTT_HEADERS, body: mqttBody(4) }),
  "mqtt + failWith({mqtt:{code:BadUsernameOrPassword(4), reason:'Bad username or password'}})": () =>
    connectWith(
      (_req, res) =>
        res.failWith({
          mqtt: { code: MqttV311ConnectReturnCode.BadUsernameOrPassword, reason: "Bad username or password" },
        }),
      { headers: MQTT_HEADERS, body: mqttBody(4) },
    ),
  "mqtt + failWith({code:401, detail:'Auth failed'})": () =>
    connectWith((_req, res) => res.failWith({ code: 401, detail: "Auth failed" }), {
      headers: MQTT_HEADERS,
      body: mqttBody(4),
    }),
  "success({userId})": () => connectWith((_req, res) => res.success({ userId: "vic" })),
  "mqtt success({subprotocol:'mqtt', mqtt:{userProperties:[{name:'userId',value:'vic'}]}})": () =>
    connectWith(
      (_req, res) => res.success({ subprotocol: "mqtt", mqtt: { userProperties: [{ name: "userId", value: "vic" }] } }),
      { headers: MQTT_HEADERS, body: mqttBody(5) },
    ),
  "success() without body": () => connectWith((_req, res) => res.success()),
  "setState key1=val1,key2=val2,key1=['val3'],key3=''": () =>
    connectWith((_req, res) => {
      res.setState("key1", "val1");
      res.setState("key2", "val2");
      res.setState("key1", ["val3"]);
      res.setState("key3", "");
      res.success();
    }),
  "request ce-connectionstate = '' (invalid)": () =>
    connectWith((_req, res) => res.success(), { headers: { "ce-connectionstate": "" } }),
};

describe("eventHandler vectors: connect", () => {
  for (const c of v.connect) {
    const name = c.case as string;
    it(`connect: ${name}`, async () => {
      const run = connectCases[name];
      expect(run, `no test written for vector case "${name}"`).toBeDefined();
      const { response, seen } = await run!();
      if (c.handled === false) {
        expect(response).toBeUndefined();
        return;
      }
      expect(response).toBeDefined();
      if (c.status !== undefined) expect(response!.status).toBe(c.status);
      const text = await response!.text();
      if (c.body !== undefined) expect(text).toBe(c.body);
      if (name === "success({userId})") expect(JSON.parse(text)).toEqual({ userId: "vic" });
      const state = c["responseHeader ce-connectionState"];
      if (state !== undefined) {
        expect(response!.headers.get("ce-connectionstate")).toBe(state);
        expect(decodeConnectionState(state as string)).toEqual(c.decoded);
      }
      if (c["context.states"] !== undefined) expect(seen!.context.states).toEqual(c["context.states"]);
    });
  }
});

const bytesOf = (label: string): Uint8Array<ArrayBuffer> => {
  const range = /^bytes (\d+)\.\.(\d+)$/.exec(label);
  if (range) {
    const from = Number(range[1]);
    return Uint8Array.from({ length: Number(range[2]) - from + 1 }, (_, i) => from + i);
  }
  return new TextEncoder().encode(label);
};
const expectedData = (c: Record<string, unknown>): unknown => {
  if (!("data" in c)) return c.body;
  const m = typeof c.data === "string" ? /^Uint8Array\[(.*)\]$/.exec(c.data) : null;
  return m ? Uint8Array.from(m[1]!.split(",").map(Number)) : c.data;
};
const replies: Record<string, ((req: UserEventRequest, res: UserEventResponseHandler) => void) | undefined> = {
  "success('a')": (_req, res) => res.success("a"),
  "success('a','text')": (_req, res) => res.success("a", "text"),
  "success('a','json')": (_req, res) => res.success("a", "json"),
  "fail(500)": (_req, res) => res.fail(500),
  "no handler": undefined,
};

describe("eventHandler vectors: user events", () => {
  v.userEvent.forEach((c, i) => {
    if (c.response === undefined) {
      it(`#${i} decodes ${c["content-type"]} body ${JSON.stringify(c.body)} as ${c.dataType}`, async () => {
        let seen: UserEventRequest | undefined;
        const handler = make({
          handleUserEvent: (req, res) => {
            seen = req;
            res.success();
          },
        });
        const response = await handler.handle(
          eventRequest({
            type: USER_MESSAGE,
            contentType: c["content-type"] as string,
            body: c.dataType === "binary" ? bytesOf(c.body as string) : (c.body as string),
          }),
        );
        expect(response!.status).toBe(200);
        expect(seen!.dataType).toBe(c.dataType);
        expect(seen!.data).toEqual(expectedData(c));
        if (c.dataType === "binary") expect(seen!.data).toBeInstanceOf(Uint8Array);
      });
    } else {
      const name = c.response as string;
      it(`#${i} reply ${name}`, async () => {
        expect(name in replies, `no test written for vector reply "${name}"`).toBe(true);
        const reply = replies[name];
        const handler = make(reply ? { handleUserEvent: reply } : {});
        const response = await handler.handle(
          eventRequest({ type: USER_MESSAGE, contentType: "text/plain", body: "hi" }),
        );
        expect(response!.status).toBe(c.status);
        if (c["content-type"] !== undefined) expect(response!.headers.get("content-type")).toBe(c["content-type"]);
        if (name.startsWith("success('a'")) expect(await response!.text()).toBe("a");
      });
    }
  });
});

describe("eventHandler vectors: connected / disconnected", () => {
  it(`connected and disconnected: ${v.connected_disconnected}`, async () => {
    const calls: string[] = [];
    const handler = make({
      onConnected: () => {
        calls.push("connected");
        throw new Error("boom");
      },
      onDisconnected: async () => {
        calls.push("disconnected");
        throw new Error("boom");
      },
    });
    const connected = await handler.handle(eventRequest({ type: CONNECTED }));
    const disconnected = await handler.handle(eventRequest({ type: DISCONNECTED, body: '{"reason":"bye"}' }));
    expect(connected!.status).toBe(200);
    expect(disconnected!.status).toBe(200);
    expect(calls).toEqual(["connected", "disconnected"]);
    // and without handlers
    expect((await make().handle(eventRequest({ type: CONNECTED })))!.status).toBe(200);
    expect((await make().handle(eventRequest({ type: DISCONNECTED })))!.status).toBe(200);
  });
});

const groupKey = Object.keys(v).find((k) => k.startsWith("groupPresence"));
describe("eventHandler vectors: group presence", () => {
  it(`${groupKey}: ${String(groupKey ? v[groupKey] : "")}`, async () => {
    expect(groupKey).toBeDefined();
    const seen: unknown[] = [];
    const handler = make({
      onGroupJoined: (req) => {
        seen.push([
          "joined",
          req.group,
          req.context.connectionId,
          req.context.eventName,
          req.context.hub,
          req.context.userId,
        ]);
      },
      onGroupLeft: (req) => {
        seen.push([
          "left",
          req.group,
          req.context.connectionId,
          req.context.eventName,
          req.context.hub,
          req.context.userId,
        ]);
      },
    });
    for (const kind of ["joined", "left"]) {
      const response = await handler.handle(
        eventRequest({ type: `azure.webpubsub.gp.${kind}`, eventName: kind, body: '{"group":"g1"}' }),
      );
      expect(response!.status).toBe(200);
    }
    expect(seen).toEqual([
      ["joined", "g1", "conn1", "joined", "hub", "user"],
      ["left", "g1", "conn1", "left", "hub", "user"],
    ]);
  });
});
