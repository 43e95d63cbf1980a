// The blocking connect event on its own (src/upstream/connect-event.ts): the request body it sends (protocol.md 5.5)
// and how the handler's answer becomes the decision: accept (with the answer's overrides, each checked), refuse (a
// 4xx but 408), or fail (anything else, or an answer that breaks a rule).
import { MAX_JSON_DEPTH } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import {
  buildConnectBody,
  interpretConnectResponse,
  MAX_ANSWER_GROUPS,
  MAX_ANSWER_ROLES,
} from "../src/upstream/connect-event.ts";
import type { DeliveryOutcome } from "../src/upstream/http-delivery.ts";

function answer(status: number, body: unknown = "", headers: Record<string, string> = {}): DeliveryOutcome {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return { kind: "response", status, headers: new Headers(headers), body: new TextEncoder().encode(text), attempts: 1 };
}

const decide = (outcome: DeliveryOutcome, offered: string[] = []) => interpretConnectResponse(outcome, offered);
const invalid = (why: string, status = 200) => ({
  kind: "reject",
  status: 500,
  message: `connect event handler answered ${status} with an invalid body: ${why}`,
});

describe("the connect request body", () => {
  it("sends every claim as an array of strings, leaving null and undefined out", () => {
    const body = buildConnectBody({
      claims: {
        sub: "u",
        n: 1,
        b: true,
        big: 2n,
        obj: { a: 1 },
        list: ["r", null, 2, undefined],
        no: null,
        un: undefined,
      },
      query: {},
      headers: {},
      subprotocols: [],
      clientCertificates: [],
    });
    expect({ ...body.claims }).toEqual({
      sub: ["u"],
      n: ["1"],
      b: ["true"],
      big: ["2"],
      obj: ['{"a":1}'],
      list: ["r", "2"],
    });
  });

  it("writes a value JSON cannot as its string form", () => {
    const sym = Symbol("s");
    const body = buildConnectBody({
      claims: { f: sym, nan: Number.NaN, inf: [Number.POSITIVE_INFINITY] },
      query: {},
      headers: {},
      subprotocols: [],
      clientCertificates: [],
    });
    expect({ ...body.claims }).toEqual({ f: ["Symbol(s)"], nan: ["NaN"], inf: ["Infinity"] });
  });

  it("sends an empty list of subprotocols when the caller gives none", () => {
    const input = { claims: {}, query: {}, headers: {}, clientCertificates: [] };
    expect(buildConnectBody(input as never).subprotocols).toEqual([]);
  });

  it("drops access_token from the query and Authorization from the headers in any case, joining repeated names", () => {
    const body = buildConnectBody({
      claims: {},
      query: { Access_Token: "t", a: ["1", "2"], b: "3", c: undefined },
      headers: { AUTHORIZATION: "Bearer t", "x-h": "v", "x-l": ["1", "2"], "x-u": undefined },
      subprotocols: ["json.webpubsub.azure.v1"],
      clientCertificates: [],
    });
    expect({ ...body.query }).toEqual({ a: ["1", "2"], b: ["3"] });
    expect({ ...body.headers }).toEqual({ "x-h": ["v"], "x-l": ["1", "2"] });
    expect(body.subprotocols).toEqual(["json.webpubsub.azure.v1"]);
    expect(body.clientCertificates).toEqual([]);
    expect(body).not.toHaveProperty("mqtt");
    const params = buildConnectBody({
      claims: {},
      query: new URLSearchParams("a=1&access_token=t&a=2"),
      headers: {},
      subprotocols: [],
      clientCertificates: [],
    });
    expect({ ...params.query }).toEqual({ a: ["1", "2"] });
  });

  it("carries an MQTT client's CONNECT fields, and copies the offered subprotocols", () => {
    const subprotocols = ["mqtt"];
    const mqtt = { protocolVersion: 5, username: "u" } as never;
    const body = buildConnectBody({ claims: {}, query: {}, headers: {}, subprotocols, clientCertificates: [], mqtt });
    expect(body.mqtt).toBe(mqtt);
    expect(body.subprotocols).toEqual(subprotocols);
    expect(body.subprotocols).not.toBe(subprotocols);
  });
});

describe("a 2xx answer accepts", () => {
  it("with the token's defaults (nothing else set) when the body is empty or blank, in the whole 2xx range", () => {
    expect(decide(answer(204))).toStrictEqual({ kind: "accept" });
    expect(decide(answer(200, "  \n"))).toStrictEqual({ kind: "accept" });
    expect(decide(answer(299))).toStrictEqual({ kind: "accept" });
    expect(decide(answer(200, { userId: "u" }))).toStrictEqual({ kind: "accept", userId: "u" });
  });

  it("with the initial connection state of ce-connectionState", () => {
    expect(decide(answer(204, "", { "ce-connectionState": "s1" }))).toEqual({ kind: "accept", connectionState: "s1" });
    expect(decide(answer(200, { userId: "u" }, { "ce-connectionState": "s1" }))).toEqual({
      kind: "accept",
      connectionState: "s1",
      userId: "u",
    });
  });

  it("with the answer's user id, groups (duplicates once), roles and an offered subprotocol", () => {
    expect(
      decide(answer(200, { userId: "u", groups: ["a", "b", "a"], roles: ["r", "r"], subprotocol: "p2" }), ["p1", "p2"]),
    ).toEqual({ kind: "accept", userId: "u", groups: ["a", "b"], roles: ["r"], subprotocol: "p2" });
  });

  it("ignoring empty and null values, but clearing the roles on roles: []", () => {
    expect(decide(answer(200, { userId: "", groups: [], subprotocol: "" }))).toEqual({ kind: "accept" });
    expect(decide(answer(200, { userId: null, groups: null, roles: null, subprotocol: null }))).toEqual({
      kind: "accept",
    });
    expect(decide(answer(200, { roles: [] }))).toEqual({ kind: "accept", roles: [] });
  });

  it("with an MQTT client's user properties", () => {
    const result = decide(answer(200, { mqtt: { userProperties: [{ name: "a", value: "b" }] } }));
    expect(result).toEqual({ kind: "accept", mqtt: { userProperties: [{ name: "a", value: "b" }] } });
  });
});

describe("an accepting answer that breaks a rule fails the client with 500, naming the rule", () => {
  it.each([
    ["not JSON", "{", "not JSON"],
    ["an array", [], "not a JSON object"],
    ["null", "null", "not a JSON object"],
    ["a string", '"x"', "not a JSON object"],
    ["a numeric user id", { userId: 1 }, "userId must be a string"],
    ["groups not a list", { groups: "a" }, "groups must be an array of strings"],
    ["a number among the groups", { groups: ["a", 1] }, "groups must be an array of strings"],
    ["a blank group", { groups: ["a", " "] }, `group " " must be 1..1024 characters and not blank`],
    ["roles not a list", { roles: "r" }, "roles must be an array of strings"],
    ["a number among the roles", { roles: [1] }, "roles must be an array of strings"],
    ["a numeric subprotocol", { subprotocol: 1 }, "subprotocol must be a string"],
    ["a subprotocol not offered", { subprotocol: "p3" }, `subprotocol "p3" is not one the client offered`],
  ])("%s", (_, body, why) => {
    expect(decide(answer(200, body), ["p1", "p2"])).toEqual(invalid(why));
  });

  it("JSON beyond the bounds, before it is parsed", () => {
    const deep = `{"x":${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}}`;
    expect(decide(answer(201, deep))).toEqual(invalid(`JSON nested more than ${MAX_JSON_DEPTH} levels deep`, 201));
  });

  it(`groups: ${MAX_ANSWER_GROUPS} are taken, one more is too many`, () => {
    const groups = (n: number) => Array.from({ length: n }, (_, i) => `g${i}`);
    expect(decide(answer(200, { groups: groups(MAX_ANSWER_GROUPS) }))).toMatchObject({ kind: "accept" });
    expect(decide(answer(200, { groups: groups(MAX_ANSWER_GROUPS + 1) }))).toEqual(
      invalid("groups lists more than 1,000 entries"),
    );
  });

  it(`roles: ${MAX_ANSWER_ROLES} are taken, one more is too many`, () => {
    const roles = (n: number) => Array.from({ length: n }, (_, i) => `webpubsub.joinLeaveGroup.g${i}`);
    expect(decide(answer(200, { roles: roles(MAX_ANSWER_ROLES) }))).toMatchObject({ kind: "accept" });
    expect(decide(answer(200, { roles: roles(MAX_ANSWER_ROLES + 1) }))).toEqual(
      invalid("roles lists more than 100 entries"),
    );
  });
});

describe("any other answer", () => {
  it("a 4xx but 408 refuses the client with that status and the answer's text, or a default message", () => {
    expect(decide(answer(400, "  no such user  "))).toEqual({ kind: "reject", status: 400, message: "no such user" });
    expect(decide(answer(499))).toEqual({ kind: "reject", status: 499, message: "connect event handler answered 499" });
    expect(decide(answer(401, "", { "ce-connectionState": "s" }))).toEqual({
      kind: "reject",
      status: 401,
      message: "connect event handler answered 401",
    });
  });

  it("408, 3xx, 1xx-like and 5xx fail the client with 500, quoting the answer's text when there is one", () => {
    expect(decide(answer(408))).toEqual({ kind: "reject", status: 500, message: "connect event handler answered 408" });
    expect(decide(answer(302, "moved"))).toEqual({
      kind: "reject",
      status: 500,
      message: "connect event handler answered 302: moved",
    });
    expect(decide(answer(199))).toEqual({ kind: "reject", status: 500, message: "connect event handler answered 199" });
    expect(decide(answer(300))).toEqual({ kind: "reject", status: 500, message: "connect event handler answered 300" });
    expect(decide(answer(399))).toMatchObject({ status: 500 });
    expect(decide(answer(500, "down"))).toEqual({
      kind: "reject",
      status: 500,
      message: "connect event handler answered 500: down",
    });
  });

  it("an MQTT refusal carries the answer's mqtt member", () => {
    expect(decide(answer(403, { mqtt: { code: 135, reason: "no" } }))).toMatchObject({
      kind: "reject",
      status: 403,
      mqtt: { code: 135, reason: "no" },
    });
    expect(decide(answer(403, "plain"))).not.toHaveProperty("mqtt");
  });

  it("reads the mqtt member from the answer's trimmed text: whitespace around it does not count to its 64 KiB bound", () => {
    const json = JSON.stringify({ mqtt: { code: 135 } });
    const padded = `${" ".repeat(64 * 1024)}${json}\n`;
    expect(decide(answer(403, padded))).toMatchObject({ status: 403, mqtt: { code: 135 } });
  });

  it("a failed delivery fails the client with 500, saying why", () => {
    expect(decide({ kind: "failure", reason: "timeout", message: "timed out after 5000 ms", attempts: 1 })).toEqual({
      kind: "reject",
      status: 500,
      message: "connect event handler failed: timed out after 5000 ms",
    });
  });
});
