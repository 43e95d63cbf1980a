// The client handshake's authentication, called directly: the access token comes from `access_token` or an
// `Authorization: Bearer` header, must be signed with the key and carry the hub's client audience for the endpoint it
// reached; its claims grant the user id, roles and initial groups, and malformed claims are refused with 400.
import type { IncomingMessage } from "node:http";
import { signJwtSync } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import { GROUP_LIMIT_MESSAGE, MAX_GROUPS_PER_CONNECTION } from "../src/hub.ts";
import { CLIENT_ENDPOINT, MQTT_ENDPOINT } from "../src/protocols/endpoints.ts";
import { authenticate } from "../src/ws/client-auth.ts";
import { UpgradeRefused } from "../src/ws/refusal.ts";
import type { UpgradeTarget } from "../src/ws/upgrade-target.ts";

const KEY = "k".repeat(43);
const HOST = "localhost:8080";
const AUD = `http://${HOST}/client/hubs/chat`;
const now = () => Math.floor(Date.now() / 1000);
const token = (claims: Record<string, unknown>, key = KEY) =>
  signJwtSync({ exp: now() + 600, aud: AUD, ...claims }, key);

function target(query: string, { host = HOST, endpoint = CLIENT_ENDPOINT } = {}): UpgradeTarget {
  const origin = `http://${host}`;
  return {
    endpoint,
    hubName: "chat",
    url: new URL(`/client/hubs/chat${query}`, "http://localhost:8080"),
    origin: { scheme: "http", host, origin },
    offered: [],
    recovery: undefined,
  };
}
const req = (authorization?: string) =>
  ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;
const withToken = (claims: Record<string, unknown>) =>
  authenticate(target(`?access_token=${token(claims)}`), req(), KEY);

function refusal(fn: () => unknown): UpgradeRefused {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UpgradeRefused);
    return e as UpgradeRefused;
  }
  throw new Error("expected an UpgradeRefused");
}

describe("where the client token comes from", () => {
  it("takes the access_token query parameter", () => {
    expect(authenticate(target(`?access_token=${token({ sub: "u" })}`), req(), KEY).userId).toBe("u");
  });

  it("takes an Authorization: Bearer header when there is no query parameter", () => {
    expect(authenticate(target(""), req(`Bearer ${token({ sub: "h" })}`), KEY).userId).toBe("h");
  });

  it("prefers the query parameter over the header", () => {
    const id = authenticate(target(`?access_token=${token({ sub: "q" })}`), req(`Bearer ${token({ sub: "h" })}`), KEY);
    expect(id.userId).toBe("q");
  });

  it("refuses with 401 when there is no token, or an empty one", () => {
    for (const [query, header] of [
      ["", undefined],
      ["?access_token=", undefined],
      ["", "Basic abc"],
    ] as const) {
      const e = refusal(() => authenticate(target(query), req(header), KEY));
      expect(e.status).toBe(401);
      expect(e.message).toBe("Unauthorized: missing access token.");
    }
  });
});

describe("what the token must be", () => {
  it("refuses a token signed with another key with 401 and the reason", () => {
    const e = refusal(() => authenticate(target(`?access_token=${token({}, "other")}`), req(), KEY));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/^Unauthorized: .*signature/i);
  });

  it("refuses a token for another hub, and accepts the https audience of the same hub", () => {
    const e = refusal(() => withToken({ aud: `http://${HOST}/client/hubs/other` }));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/^Unauthorized: .*audience/i);
    expect(withToken({ aud: `https://${HOST}/client/hubs/chat` }).userId).toBeNull();
  });

  it("refuses a token that is not a JWT with 401, without echoing it", () => {
    const e = refusal(() => authenticate(target("?access_token=not-a-token"), req(), KEY));
    expect(e.status).toBe(401);
    expect(e.message.startsWith("Unauthorized: ")).toBe(true);
    expect(e.message).not.toContain("not-a-token");
  });

  it("answers a failure that is not a token error with 401 'invalid token', without its message", () => {
    const e = refusal(() => authenticate(target(`?access_token=${token({})}`), req(), ""));
    expect(e.status).toBe(401);
    expect(e.message).toBe("Unauthorized: invalid token");
  });

  it("checks the audience of the endpoint it reached (MQTT clients have their own)", () => {
    const mqttAud = `http://${HOST}/clients/mqtt/hubs/chat`;
    const t = (aud: string) => target(`?access_token=${token({ aud })}`, { endpoint: MQTT_ENDPOINT });
    expect(authenticate(t(mqttAud), req(), KEY).userId).toBeNull();
    expect(refusal(() => authenticate(t(AUD), req(), KEY)).status).toBe(401);
  });

  it("refuses with 401 when the Host is unusable, before reading the token", () => {
    const e = refusal(() => authenticate(target(`?access_token=${token({})}`, { host: "a b" }), req(), KEY));
    expect(e.status).toBe(401);
    expect(e.message).toBe("Unauthorized: the request has no usable Host header.");
  });
});

describe("what the claims grant", () => {
  it("gives the user id of `sub`; an empty or non-string sub is anonymous", () => {
    expect(withToken({ sub: "alice" }).userId).toBe("alice");
    expect(withToken({ sub: "" }).userId).toBeNull();
    expect(withToken({ sub: 7 }).userId).toBeNull();
    expect(withToken({}).userId).toBeNull();
  });

  it("reads roles and groups from a string, an array, or nothing", () => {
    expect(withToken({}).roles).toEqual([]);
    expect(withToken({ role: null, "webpubsub.group": null })).toMatchObject({ roles: [], groups: [] });
    expect(withToken({ role: "webpubsub.joinLeaveGroup" }).roles).toEqual(["webpubsub.joinLeaveGroup"]);
    const id = withToken({ role: ["a", "b"], "webpubsub.group": ["g1", "g2"] });
    expect(id).toMatchObject({ roles: ["a", "b"], groups: ["g1", "g2"] });
    expect(withToken({ "webpubsub.group": "g" }).groups).toEqual(["g"]);
    expect(withToken({ sub: "u" }).claims.sub).toBe("u");
  });

  it("refuses a role claim that is not a string or an array of strings with 400", () => {
    for (const role of [7, { a: 1 }, ["a", 7], true]) {
      const e = refusal(() => withToken({ role }));
      expect(e.status).toBe(400);
      expect(e.message).toBe("Invalid 'role' claim: expected a string or a string array.");
    }
  });

  it("refuses a group claim with a non-string entry or an invalid group name with 400", () => {
    for (const group of [7, ["g", 7], [""], ["ok", ""], ""]) {
      const e = refusal(() => withToken({ "webpubsub.group": group }));
      expect(e.status).toBe(400);
      expect(e.message).toBe("Invalid 'webpubsub.group' claim: expected valid group names.");
    }
  });
});

describe("the initial groups of a token", () => {
  // a Node run with a larger --max-http-header-size lets a token carry more groups than a connection may be in
  const groups = (n: number) => Array.from({ length: n }, (_, i) => `g${i}`);

  it(`are at most ${MAX_GROUPS_PER_CONNECTION} distinct ones: more is refused with 400 before the session opens`, () => {
    const at = groups(MAX_GROUPS_PER_CONNECTION);
    expect(withToken({ "webpubsub.group": [...at, "g0"] }).groups).toHaveLength(MAX_GROUPS_PER_CONNECTION + 1);
    const e = refusal(() => withToken({ "webpubsub.group": groups(MAX_GROUPS_PER_CONNECTION + 1) }));
    expect(e.status).toBe(400);
    expect(e.message).toBe(`Invalid 'webpubsub.group' claim: ${GROUP_LIMIT_MESSAGE}`);
  });
});
