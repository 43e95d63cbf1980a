// How the handler reads an event request: the body limit (declared or streamed), bodies in several chunks or none,
// content types and charsets, JSON shapes, and the ConnectionContext built from the CloudEvents headers (absent or
// empty headers leave their fields out; MQTT only with both its headers or an `mqtt` connect body).
import { MAX_JSON_DEPTH, MAX_JSON_NODES, MAX_JSON_OBJECT_MEMBERS } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import type { ConnectionContext, WebPubSubEventHandlerOptions } from "../src/index.ts";
import { CONNECT, CONNECTED, DISCONNECTED, eventRequest, make, USER_MESSAGE } from "./helpers.ts";

/** A body stream that records whether it was cancelled; `chunks` are enqueued, then it closes (or never, if open). */
function recordingStream(chunks: Uint8Array[], open = false) {
  let cancelled = false;
  let pulls = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks[pulls++];
      if (next !== undefined) controller.enqueue(next);
      else if (!open) controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, cancelled: () => cancelled };
}

function withBody(type: string, body: ReadableStream<Uint8Array> | null, headers: Record<string, string> = {}) {
  const base = eventRequest({ type, contentType: "application/octet-stream", body: null, headers });
  return new Request(base.url, { method: "POST", headers: base.headers, body, duplex: "half" } as RequestInit);
}

/** A user event handler answering with what it received. */
const echo: WebPubSubEventHandlerOptions = {
  handleUserEvent: (req, res) => {
    const data = req.data instanceof Uint8Array ? [...req.data].join(",") : JSON.stringify(req.data);
    res.success(`${req.dataType}:${data}`, "text");
  },
};

describe("the body limit", () => {
  it("a declared Content-Length over the limit is refused at once, without waiting for the body, which is released", async () => {
    const { handler } = make({ maxBodyBytes: 1000, ...echo });
    const { stream, cancelled } = recordingStream([], true); // a body that would never end
    const response = await handler.handle(withBody(USER_MESSAGE, stream, { "content-length": "1001" }));
    expect(response!.status).toBe(413);
    expect(await response!.text()).toBe("Payload Too Large");
    expect(cancelled()).toBe(true);
  });

  // Rule: by default the limit is 1 MiB, the most the service puts in one message: a larger JSON body (the 4 MiB allowed
  // before) took JSON.parse 150-250 ms for arrays of small values ([[0,0,0],...], ["",...]), holding the event loop
  // past its 100 ms bound, while within 1 MiB the costliest shape accepted takes ~50 ms on a busy machine.
  it("by default a body of 1 MiB (the service's message limit) is read, one byte more is refused with 413", async () => {
    const { handler } = make({ handleUserEvent: (req, res) => res.success(String((req.data as Uint8Array).length)) });
    const at = await handler.handle(withBody(USER_MESSAGE, recordingStream([new Uint8Array(1024 * 1024)]).stream));
    expect(await at!.text()).toBe(String(1024 * 1024));
    const past = await handler.handle(
      withBody(USER_MESSAGE, recordingStream([new Uint8Array(1024 * 1024 + 1)]).stream),
    );
    expect(past!.status).toBe(413);
  });

  it("a declared Content-Length equal to the limit is read", async () => {
    const { handler } = make({ maxBodyBytes: 3, ...echo });
    const { stream } = recordingStream([Uint8Array.of(1, 2, 3)]);
    const response = await handler.handle(withBody(USER_MESSAGE, stream, { "content-length": "3" }));
    expect(await response!.text()).toBe("binary:1,2,3");
  });

  it("a Content-Length that is not a plain decimal number is not trusted: the body itself is measured", async () => {
    const { handler } = make({ maxBodyBytes: 100, ...echo });
    for (const declared of ["1e3", "0x200", "200abc"]) {
      const { stream } = recordingStream([Uint8Array.of(7)]);
      const response = await handler.handle(withBody(USER_MESSAGE, stream, { "content-length": declared }));
      expect(await response!.text(), declared).toBe("binary:7");
    }
  });

  it("a body that grows past the limit while streaming is refused with 413 and released", async () => {
    const { handler } = make({ maxBodyBytes: 4, ...echo });
    const { stream, cancelled } = recordingStream([Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5)], true);
    const response = await handler.handle(withBody(USER_MESSAGE, stream));
    expect(response!.status).toBe(413);
    expect(await response!.text()).toBe("Payload Too Large");
    expect(cancelled()).toBe(true);
  });
});

describe("bodies", () => {
  it("a body that arrives in several chunks is delivered whole, in order", async () => {
    const { handler } = make(echo);
    const { stream } = recordingStream([Uint8Array.of(1), Uint8Array.of(2, 3), Uint8Array.of(4)]);
    expect(await (await handler.handle(withBody(USER_MESSAGE, stream)))!.text()).toBe("binary:1,2,3,4");
  });

  it("an event without a body counts as an empty one", async () => {
    const seen: ConnectionContext[] = [];
    const { handler, errors } = make({ onConnected: ({ context }) => void seen.push(context) });
    expect((await handler.handle(withBody(CONNECTED, null)))!.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it("a system event body of only whitespace counts as an empty one", async () => {
    const seen: unknown[] = [];
    const { handler } = make({
      handleConnect: (req, res) => {
        seen.push(req.claims);
        res.success();
      },
    });
    expect((await handler.handle(eventRequest({ type: CONNECT, body: " \n\t " })))!.status).toBe(204);
    expect(seen).toEqual([undefined]);
  });

  it("a system event body must be a JSON object", async () => {
    const { handler } = make({ handleConnect: (_req, res) => res.success() });
    for (const body of ["null", "[]", "5", '"x"']) {
      const response = await handler.handle(eventRequest({ type: CONNECT, body }));
      expect(response!.status, body).toBe(400);
      expect(await response!.text()).toBe("Event body must be a JSON object");
    }
    const malformed = await handler.handle(eventRequest({ type: CONNECT, body: "{" }));
    expect(await malformed!.text()).toBe("Malformed JSON body");
  });
});

// Rule: JSON from a peer is checked against core's bounds (scanJsonText: nesting depth, nodes, members of one object)
// before JSON.parse, which takes hundreds of milliseconds over a MiB nested 500,000 levels deep: past a bound the event
// is refused with 400 and user code is not called; at the bound it is parsed and delivered.
describe("JSON bounds", () => {
  const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
  const members = (count: number) => `{${Array.from({ length: count }, (_, i) => `"k${i}":0`).join(",")}}`;
  const nodes = (count: number) =>
    `[${Array(count - 1)
      .fill("[]")
      .join(",")}]`;
  const cases: [string, string, string, string][] = [
    ["depth", nested(MAX_JSON_DEPTH), nested(MAX_JSON_DEPTH + 1), `nested more than ${MAX_JSON_DEPTH} levels deep`],
    [
      "members",
      members(MAX_JSON_OBJECT_MEMBERS),
      members(MAX_JSON_OBJECT_MEMBERS + 1),
      `holding an object with more than ${MAX_JSON_OBJECT_MEMBERS} members`,
    ],
    ["nodes", nodes(MAX_JSON_NODES), nodes(MAX_JSON_NODES + 1), `made of more than ${MAX_JSON_NODES} objects`],
  ];

  /** A handler counting the JSON user events it delivers, and a user event request with `body`. */
  const counting = () => {
    const seen = { calls: 0 };
    const { handler } = make({
      handleUserEvent: (_req, res) => {
        seen.calls++;
        res.success();
      },
    });
    return { handler, seen };
  };
  const request = (body: string) => eventRequest({ type: USER_MESSAGE, contentType: "application/json", body });

  it.each(cases)(
    "a JSON user event at the %s bound is delivered, one past it is refused with 400",
    async (_n, at, past, why) => {
      const { handler, seen } = counting();
      expect((await handler.handle(request(at)))!.status).toBe(200);
      expect(seen.calls).toBe(1);
      const refused = await handler.handle(request(past));
      expect(refused!.status).toBe(400);
      expect(await refused!.text()).toContain(`JSON body ${why}`);
      expect(seen.calls).toBe(1);
    },
  );

  // Rule: past MAX_JSON_NODES the count of objects, arrays and members allowed grows with the body, one per 4
  // characters: an ordinary array of small objects is delivered, the densest shapes ([[],[],...]) are refused.
  it("past 65,536 nodes the bound is one per 4 characters: 100,001 nodes in 400,004 characters pass, in 400,003 not", async () => {
    const { handler, seen } = counting();
    const dense = `[${Array(100_000).fill("[]").join(",")}]`; // 100,001 nodes, 300,001 characters
    expect((await handler.handle(request(dense.padEnd(400_004))))!.status).toBe(200);
    const refused = await handler.handle(request(dense.padEnd(400_003)));
    expect(refused!.status).toBe(400);
    expect(await refused!.text()).toBe("JSON body made of more than 100000 objects, arrays and members");
    const ordinary = JSON.stringify(Array.from({ length: 33_000 }, (_, i) => ({ id: i }))); // 66,001 nodes
    expect((await handler.handle(request(ordinary)))!.status).toBe(200);
    expect(seen.calls).toBe(2);
  });

  it("system event bodies are bounded too: connect and disconnected past a bound are refused, user code not called", async () => {
    const calls: string[] = [];
    const { handler } = make({
      handleConnect: (_req, res) => {
        calls.push("connect");
        res.success();
      },
      onDisconnected: () => void calls.push("disconnected"),
    });
    const body = (depth: number) => `{"claims":${nested(depth - 1)}}`;
    for (const type of [CONNECT, DISCONNECTED]) {
      const refused = await handler.handle(eventRequest({ type, body: body(MAX_JSON_DEPTH + 1) }));
      expect(refused!.status, type).toBe(400);
      expect(await refused!.text()).toBe(`JSON body nested more than ${MAX_JSON_DEPTH} levels deep`);
      expect((await handler.handle(eventRequest({ type, body: body(MAX_JSON_DEPTH) })))!.status, type).toBeLessThan(
        300,
      );
    }
    expect(calls).toEqual(["connect", "disconnected"]);
  });
});

describe("content types and charsets", () => {
  const userEvent = async (contentType: string, body: BodyInit) => {
    const { handler } = make(echo);
    return (await handler.handle(eventRequest({ type: USER_MESSAGE, contentType, body })))!.text();
  };

  it("the media type is matched without case, spaces or parameters", async () => {
    expect(await userEvent(" Application/JSON ; charset=UTF-8", '{"a":1}')).toBe('json:{"a":1}');
    expect(await userEvent("application/cloudevents+json", "[1]")).toBe("json:[1]");
    expect(await userEvent("TEXT/Plain", "hi")).toBe('text:"hi"');
    expect(await userEvent("application/octet-stream", "hi")).toBe("binary:104,105");
  });

  it("text is decoded with the charset named, however it is spaced or quoted; an unknown charset reads as UTF-8", async () => {
    const latin1 = Uint8Array.of(0x63, 0x61, 0x66, 0xe9); // "café" in ISO-8859-1
    expect(await userEvent('text/plain;  charset = "iso-8859-1"', latin1)).toBe('text:"café"');
    expect(await userEvent("text/plain;charset=iso-8859-1", latin1)).toBe('text:"café"');
    expect(await userEvent("text/plain; charset=no-such-charset", "café")).toBe('text:"café"');
  });
});

describe("the connection context", () => {
  async function contextOf(headers: Record<string, string>, type = CONNECTED, body?: string) {
    const seen: ConnectionContext[] = [];
    const { handler } = make({
      onConnected: ({ context }) => void seen.push(context),
      handleConnect: (req, res) => {
        seen.push(req.context);
        res.success();
      },
      handleUserEvent: (req, res) => {
        seen.push(req.context);
        res.success();
      },
    });
    const request = eventRequest({ type, headers, ...(body === undefined ? {} : { body }) });
    for (const [name, value] of Object.entries(headers)) if (value === "(absent)") request.headers.delete(name);
    const response = await handler.handle(request);
    expect(response!.status).toBeLessThan(300);
    return seen[0]!;
  }

  it("absent or empty optional headers leave their fields out", async () => {
    for (const value of ["", "(absent)"]) {
      const context = await contextOf({
        "ce-userid": value,
        "ce-subprotocol": value,
        "webhook-request-origin": value,
        "ce-signature": value,
      });
      for (const field of ["userId", "subprotocol", "origin", "signature", "mqtt"]) {
        expect(context, `${field} with a header ${value || "empty"}`).not.toHaveProperty(field);
      }
    }
    const full = await contextOf({
      "ce-userid": "u",
      "ce-subprotocol": "json.webpubsub.azure.v1",
      "ce-signature": "s",
    });
    expect(full).toMatchObject({
      userId: "u",
      subprotocol: "json.webpubsub.azure.v1",
      signature: "s",
      origin: "a.com",
    });
  });

  it("without ce-eventName, the event name comes from the type: a system event's last segment, a user event's whole name", async () => {
    expect((await contextOf({ "ce-eventname": "(absent)" })).eventName).toBe("connected");
    expect((await contextOf({ "ce-eventname": "(absent)" }, "azure.webpubsub.user.chat.room.1")).eventName).toBe(
      "chat.room.1",
    );
  });

  it("MQTT needs both an MQTT subprotocol and a physical connection id", async () => {
    const cases: [Record<string, string>, boolean][] = [
      [{ "ce-subprotocol": "mqtt", "ce-physicalconnectionid": "p" }, true],
      [{ "ce-subprotocol": "MQTT.v5", "ce-physicalconnectionid": "p" }, true],
      [{ "ce-subprotocol": "json.webpubsub.azure.v1", "ce-physicalconnectionid": "p" }, false],
      [{ "ce-physicalconnectionid": "p" }, false],
      [{ "ce-subprotocol": "mqtt" }, false],
    ];
    for (const [headers, mqtt] of cases) {
      const context = await contextOf(headers);
      expect(context.clientProtocol, JSON.stringify(headers)).toBe(mqtt ? "mqtt" : "default");
      if (mqtt) expect(context.mqtt).toStrictEqual({ physicalConnectionId: "p" });
    }
    const withSession = await contextOf({
      "ce-subprotocol": "mqtt",
      "ce-physicalconnectionid": "p",
      "ce-sessionid": "s",
    });
    expect(withSession.mqtt).toStrictEqual({ physicalConnectionId: "p", sessionId: "s" });
  });

  it("a connect request has queries (the official name) exactly when the body has a query", async () => {
    const requests: Record<string, unknown>[] = [];
    const { handler } = make({
      handleConnect: (req, res) => {
        requests.push(req as unknown as Record<string, unknown>);
        res.success();
      },
    });
    await handler.handle(eventRequest({ type: CONNECT, body: JSON.stringify({ query: { a: ["1"] } }) }));
    await handler.handle(eventRequest({ type: CONNECT, body: "{}" }));
    // a body's own "queries" (no field of the service's connect request) neither stands in for a query nor replaces it
    await handler.handle(eventRequest({ type: CONNECT, body: JSON.stringify({ queries: { forged: ["1"] } }) }));
    await handler.handle(
      eventRequest({ type: CONNECT, body: JSON.stringify({ query: { a: ["1"] }, queries: { forged: ["1"] } }) }),
    );
    expect(requests[0]).toMatchObject({ query: { a: ["1"] }, queries: { a: ["1"] } });
    expect(requests[1]).not.toHaveProperty("queries");
    expect(requests[1]).not.toHaveProperty("query");
    expect(requests[2]).not.toHaveProperty("queries");
    expect(requests[2]).not.toHaveProperty("query");
    expect(requests[3]).toMatchObject({ query: { a: ["1"] }, queries: { a: ["1"] } });
  });

  it("a connect body with an mqtt object marks the connection MQTT, with the physical id when the header has one", async () => {
    const mqttBody = JSON.stringify({ mqtt: { protocolVersion: 5 } });
    const bare = await contextOf({}, CONNECT, mqttBody);
    expect(bare.clientProtocol).toBe("mqtt");
    expect(bare.mqtt).toStrictEqual({ physicalConnectionId: "" });
    const withId = await contextOf({ "ce-physicalconnectionid": "p" }, CONNECT, mqttBody);
    expect(withId.mqtt).toStrictEqual({ physicalConnectionId: "p" });
    for (const mqtt of [null, [], "x", 5]) {
      const context = await contextOf({}, CONNECT, JSON.stringify({ mqtt }));
      expect(context.clientProtocol, JSON.stringify(mqtt)).toBe("default");
    }
  });
});
