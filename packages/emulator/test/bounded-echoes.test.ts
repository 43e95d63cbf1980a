// No caller's or peer's value is echoed whole into an error, an ack or a log line: every echo goes through core's
// shown() (JSON-quoted, the first 64 characters, then "..."), one rule for every package. For each message, a short
// value is named whole and a 10,000-character one (1,024 for a group name, the longest a frame may carry) by its first
// 64 characters only, its tail absent. The two REST messages copied from the live service keep its quote marks
// (shownUnquoted: the same bound without JSON quotes); a whole relayed text (a handler's answer) is capped instead.
import type { IncomingMessage } from "node:http";
import { shown } from "@webpubsub/core";
import { thrownMessage } from "@webpubsub/test-kit";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../src/cli/args.ts";
import { readPem } from "../src/cli/config-file.ts";
import { checkHubSettings } from "../src/options.ts";
import { checkHost, checkOrigin, normalizeHost, normalizeOrigin, type RequestPolicy } from "../src/request-guard.ts";
import { checkHub, checkPermission, intParam, payloadFromBody } from "../src/rest/params.ts";
import { filterParam, notFoundConnection } from "../src/rest/targets.ts";
import { interpretConnectResponse } from "../src/upstream/connect-event.ts";
import { checkEventHandlerSettings } from "../src/upstream/event-handler-settings.ts";
import { encodeUserEventBody, interpretUserEventResponse } from "../src/upstream/user-event.ts";
import { parseTarget } from "../src/ws/upgrade-target.ts";
import { connect, hubNames, rest, type TestClient } from "./helpers/clients.ts";
import { useEmulator } from "./helpers/use-emulator.ts";

/** A value of `length` characters starting with `head`, whose last 5 characters are "_TAIL" (never in a cut echo). */
const long = (head: string, length = 10_000) => `${head}${"x".repeat(length - head.length - 5)}_TAIL`;

const policy: RequestPolicy = { allowedOrigins: new Set(), allowedHosts: new Set(), host: "localhost" };

/** The refusal of a WebSocket upgrade to `url`. */
const upgradeRefusal = (url: string) =>
  thrownMessage(() =>
    parseTarget({ url, headers: {} } as IncomingMessage, {
      scheme: "http",
      host: "localhost",
      origin: "http://localhost",
    }),
  );

const answered = (json: unknown) =>
  interpretConnectResponse(
    {
      kind: "response",
      status: 200,
      headers: new Headers(),
      body: new TextEncoder().encode(JSON.stringify(json)),
      attempts: 1,
    },
    ["json.webpubsub.azure.v1"],
  );
const rejection = (json: unknown) => {
  const r = answered(json);
  return r.kind === "reject" ? r.message : "accepted";
};

/** [what, a short value, a long one, the message for a value] */
const cases: [string, string, string, (v: string) => string | Promise<string>][] = [
  ["REST hub name", "1hub", long("1"), (v) => thrownMessage(() => checkHub(v))],
  ["REST permission", "nope", long("n"), (v) => thrownMessage(() => checkPermission(v))],
  [
    "REST integer query parameter",
    "999",
    `${"9".repeat(9_995)}12345`,
    (v) => thrownMessage(() => intParam(new URLSearchParams({ n: v }), "n", 0, 300, undefined)),
  ],
  ["REST content type", "text/x-weird", long("text/"), (v) => thrownMessage(() => payloadFromBody(v, Buffer.alloc(0)))],
  [
    "allowedOrigins entry",
    "not-an-origin",
    long("n"),
    (v) => thrownMessage(() => normalizeOrigin(v, "allowedOrigins")),
  ],
  ["allowedHosts entry", "a b", long("a b"), (v) => thrownMessage(() => normalizeHost(v, "allowedHosts"))],
  ["Host header", "a b", long("a b"), (v) => checkHost(v, policy)?.message ?? "served"],
  ["Host name", "evil.example", long("evil."), (v) => checkHost(v, policy)?.message ?? "served"],
  ["Origin header", "https://evil.example", long("https://evil."), (v) => checkOrigin(v, policy)?.message ?? "served"],
  ["connect answer's group", " ", long("g"), (v) => rejection({ groups: [v] })],
  ["connect answer's subprotocol", "mqtt", long("m"), (v) => rejection({ subprotocol: v })],
  [
    "event handler URL template",
    "not a url",
    long("not a url "),
    (v) => thrownMessage(() => checkEventHandlerSettings({ urlTemplate: v })),
  ],
  ["CLI --port value", "http", long("h"), (v) => thrownMessage(() => parseArgs(["--port", v]))],
  ["unknown CLI option", "--nope", long("--nope"), (v) => thrownMessage(() => parseArgs([v]))],
  ["hubs option key", "1hub", long("1"), (v) => thrownMessage(() => checkHubSettings({ [v]: {} }, "hubs"))],
  ["WebSocket hub name in the path", "1hub", long("1"), (v) => upgradeRefusal(`/client/hubs/${encodeURIComponent(v)}`)],
  ["WebSocket hub name in the query", "1hub", long("1"), (v) => upgradeRefusal(`/client?hub=${encodeURIComponent(v)}`)],
  ["PEM file path", "/nonexistent/x.pem", long("/nonexistent/"), (v) => thrownMessage(() => readPem("certFile", v))],
];

describe("bounded echoes of a caller's value", () => {
  it.each(cases)(
    "%s: a short value whole, a 10,000-character one by its first 64 characters",
    async (_, short, huge, message) => {
      const whole = await message(short);
      expect(whole).toContain(shown(short));
      const cut = await message(huge);
      expect(cut).toContain(`"${huge.slice(0, 64)}"...`);
      expect(cut).not.toContain(huge.slice(0, 65));
      expect(cut).not.toContain("_TAIL");
      expect(cut.length).toBeLessThan(400);
    },
  );

  it("an event handler URL's scheme: a huge one by its first 64 characters, a short one whole", async () => {
    const huge = await thrownMessage(() =>
      checkEventHandlerSettings({ urlTemplate: `f${"t".repeat(100_000)}://host/x` }),
    );
    expect(huge).toBe(`eventHandler.urlTemplate must use http or https, got "f${"t".repeat(63)}"...`);
    expect(await thrownMessage(() => checkEventHandlerSettings({ urlTemplate: "ftp://host/x" }))).toBe(
      'eventHandler.urlTemplate must use http or https, got "ftp:"',
    );
  });

  it("a user event payload of an unknown dataType: a huge one by its first 64 characters, a short one whole", async () => {
    const huge = await thrownMessage(() =>
      encodeUserEventBody({ dataType: `x${"y".repeat(100_000)}`, data: "" } as never),
    );
    expect(huge).toContain('payload.dataType must be "text", "json", "binary" or "protobuf"');
    expect(huge).toContain(`got "x${"y".repeat(63)}"...`);
    expect(huge.length).toBeLessThan(300);
    expect(await thrownMessage(() => encodeUserEventBody({ dataType: "xml", data: "" } as never))).toMatch(
      /, got "xml"$/,
    );
  });
});

describe("the live service's wording: its quote marks, the same bound", () => {
  it("a connection that is not found: the service's text for a short id, 64 characters of a long one", () => {
    expect(notFoundConnection("xxxx").message).toBe("Connection `xxxx` is not found.");
    const huge = long("c");
    expect(notFoundConnection(huge).message).toBe(`Connection \`${huge.slice(0, 64)}...\` is not found.`);
  });

  it("an invalid filter: the service's text for a short filter, 64 characters of a long one", async () => {
    expect(await thrownMessage(() => filterParam("invalid filter", "filter"))).toBe(
      "Invalid syntax for 'invalid filter': Syntax error at position 14 in 'invalid filter'. (Parameter 'filter')",
    );
    const huge = long("nobody");
    const cut = await thrownMessage(() => filterParam(huge, "filter"));
    expect(cut).toBe(
      `Invalid filter for '${huge.slice(0, 64)}...': Unknown property "${huge.slice(0, 64)}"... (use userId, ` +
        `connectionId, groups or protocol) at position 0 in '${huge.slice(0, 64)}...'. (Parameter 'filter')`,
    );
  });
});

describe("a handler's answer is relayed capped, not quoted", () => {
  const answer = (text: string) =>
    interpretUserEventResponse(
      { kind: "response", status: 400, headers: new Headers(), body: new TextEncoder().encode(text), attempts: 1 },
      "e",
    );

  it("keeps an answer of 512 characters whole and caps one of 513, counting what it left out", () => {
    expect(answer("a".repeat(512))).toMatchObject({
      message: `event handler for "e" answered 400: ${"a".repeat(512)}`,
    });
    expect(answer(`${"a".repeat(512)}bc`)).toMatchObject({
      message: `event handler for "e" answered 400: ${"a".repeat(512)}…(2 more characters)`,
    });
  });
});

describe("over the wire", () => {
  const emu = useEmulator();
  const hub = hubNames("echo");

  async function ackOf(c: TestClient, msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    c.send(msg);
    return c.message((m) => m.type === "ack" && m.ackId === msg.ackId, `ack ${String(msg.ackId)}`);
  }

  it("a Forbidden ack names a short group whole and a 1,024-character one by its first 64 characters", async () => {
    const c = await connect(emu, hub(), { claims: { role: [] } });
    const group = long("g", 1024);
    for (const [ackId, type, g, text] of [
      [1, "sendToGroup", "g", 'The connection has no permission to send to group "g".'],
      [2, "joinGroup", "g", 'The connection has no permission to join or leave group "g".'],
      [3, "sendToGroup", group, `The connection has no permission to send to group "${group.slice(0, 64)}"....`],
      [4, "leaveGroup", group, `The connection has no permission to join or leave group "${group.slice(0, 64)}"....`],
    ] as const) {
      expect(await ackOf(c, { type, group: g, ackId, data: "d" })).toEqual({
        type: "ack",
        ackId,
        success: false,
        error: { name: "Forbidden", message: text },
      });
    }
    await c.close();
  });

  // (a request line of 10,000 characters plus a token signed for that URL would pass Node's 16 KiB header limit)
  it("REST: an unknown path and an unknown clientType, short whole, a long one by its first 64 characters", async () => {
    const path = `/api/${long("nowhere")}`;
    const notFound = await rest(emu, "GET", path, { token: null });
    expect(notFound.status).toBe(404);
    expect((notFound.json() as { message: string }).message).toBe(`No operation at ${shown(path)}.`);
    expect(notFound.text).not.toContain("_TAIL");
    expect((await rest(emu, "GET", "/api/nowhere")).text).toContain('No operation at \\"/api/nowhere\\".');
    const h = hub();
    const bad = await rest(emu, "POST", `/api/hubs/${h}/:generateToken?clientType=pigeon`);
    expect(bad.text).toContain('Invalid clientType \\"pigeon\\". Use Default or MQTT.');
    const type = long("p", 5_000);
    const cut = await rest(emu, "POST", `/api/hubs/${h}/:generateToken?clientType=${type}`);
    expect(cut.status).toBe(400);
    expect(cut.text).toContain(`Invalid clientType \\"${type.slice(0, 64)}\\"...`);
    expect(cut.text).not.toContain("_TAIL");
  });
});
