// REST parameters and bodies (src/rest/params.ts): hub, group and permission checks, integer query parameters and the
// TTL, the body limit, payloads by content type, metadata headers, and the JSON body of the group operations (held to
// core's JSON bounds before it is parsed).
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { MAX_JSON_DEPTH } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import { RestFailure } from "../src/rest/failure.ts";
import {
  checkGroup,
  checkHub,
  checkNonEmpty,
  checkPermission,
  groupsFromJsonBody,
  intParam,
  MAX_REST_BODY_BYTES,
  messageFromRequest,
  metadataFromHeaders,
  payloadFromBody,
  readBody,
  ttlParam,
} from "../src/rest/params.ts";
import type { Call } from "../src/rest/types.ts";
import { failureOf } from "./helpers/rest-failure-of.ts";

async function rejectionOf(p: Promise<unknown>): Promise<RestFailure> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RestFailure);
  return e as RestFailure;
}

/** A request whose body is `chunks`, with `headers` and `rawHeaders` as Node gives them. */
function request(chunks: Buffer[], headers: [string, string][] = []): IncomingMessage {
  const req = Readable.from(chunks, { objectMode: false }) as unknown as IncomingMessage;
  Object.assign(req, {
    headers: Object.fromEntries(headers.map(([n, v]) => [n.toLowerCase(), v])),
    rawHeaders: headers.flat(),
  });
  return req;
}

const query = (q: string) => new URLSearchParams(q);

describe("hub, group and other names", () => {
  it("takes a hub name of a letter then up to 127 name characters, and refuses others with 400 naming the hub", () => {
    expect(checkHub("a")).toBe("a");
    expect(checkHub(`a${"b".repeat(127)}`)).toBe(`a${"b".repeat(127)}`);
    for (const bad of ["", "1a", `a${"b".repeat(128)}`, "a-b"]) {
      const f = failureOf(() => checkHub(bad));
      expect([f.status, f.code, f.target]).toEqual([400, "Error.BadRequest", "hub"]);
      expect(f.message).toMatch(/^Invalid hub name .*starts with a letter and has at most 128/);
    }
  });

  it("takes a group of 1 to 1024 characters, not blank, and names the parameter given (group by default)", () => {
    expect(checkGroup("g")).toBe("g");
    expect(checkGroup("g".repeat(1024))).toBe("g".repeat(1024));
    for (const bad of ["", "   ", "g".repeat(1025)]) {
      const f = failureOf(() => checkGroup(bad));
      expect([f.status, f.target]).toEqual([400, "group"]);
      expect(f.message).toMatch(/^Invalid group name\. Valid group name should be in between 1 and 1024/);
    }
    expect(failureOf(() => checkGroup("", "groups")).target).toBe("groups");
  });

  it("refuses an empty value, naming it", () => {
    expect(checkNonEmpty("u", "userId")).toBe("u");
    const f = failureOf(() => checkNonEmpty("", "userId"));
    expect([f.status, f.target, f.message]).toEqual([400, "userId", "The userId must not be empty."]);
  });

  it("reads the two permissions in any letter case and refuses any other, naming permission", () => {
    expect(checkPermission("SENDTOGROUP")).toBe("sendToGroup");
    expect(checkPermission("joinLeaveGroup")).toBe("joinLeaveGroup");
    expect(checkPermission("JoinLeaveGROUP")).toBe("joinLeaveGroup");
    const f = failureOf(() => checkPermission("sendToAll"));
    expect([f.status, f.target]).toEqual([400, "permission"]);
    expect(f.message).toBe(`Invalid permission "sendToAll". Use 'sendToGroup' or 'joinLeaveGroup'.`);
  });
});

describe("integer query parameters", () => {
  it("give the fallback when absent or empty", () => {
    expect(intParam(query(""), "n", 0, 10, 7)).toBe(7);
    expect(intParam(query("n="), "n", 0, 10, 7)).toBe(7);
    expect(intParam(query("n="), "n", 0, 10, undefined)).toBeUndefined();
  });

  it("take an optionally signed integer, surrounding spaces allowed, and nothing else", () => {
    expect(intParam(query("n=+5"), "n", -10, 10, undefined)).toBe(5);
    expect(intParam(query("n=-5"), "n", -10, 10, undefined)).toBe(-5);
    expect(intParam(query("n=%205%20"), "n", 0, 10, undefined)).toBe(5);
    for (const bad of ["1.5", "1e2", "x", "5x", "x5", "0x5", "+"]) {
      const f = failureOf(() => intParam(query(`n=${encodeURIComponent(bad)}`), "n", 0, 1000, undefined));
      expect([f.status, f.target, f.message]).toEqual([400, "n", "The query parameter 'n' must be an integer."]);
    }
  });

  it("are held to their range, both ends included, and a value outside is named", () => {
    expect(intParam(query("n=2"), "n", 2, 9, undefined)).toBe(2);
    expect(intParam(query("n=9"), "n", 2, 9, undefined)).toBe(9);
    const low = failureOf(() => intParam(query("n=1"), "n", 2, 9, undefined));
    expect([low.status, low.target, low.message]).toEqual([
      400,
      "n",
      `The query parameter 'n' must be between 2 and 9; got "1".`,
    ]);
    expect(failureOf(() => intParam(query("n=10"), "n", 2, 9, undefined)).message).toMatch(/got "10"/);
  });

  it("messageTtlSeconds is 0 to 300 seconds, absent by default", () => {
    expect(ttlParam(query(""))).toBeUndefined();
    expect(ttlParam(query("messageTtlSeconds=0"))).toBe(0);
    expect(ttlParam(query("messageTtlSeconds=300"))).toBe(300);
    expect(failureOf(() => ttlParam(query("messageTtlSeconds=-1"))).target).toBe("messageTtlSeconds");
    expect(failureOf(() => ttlParam(query("messageTtlSeconds=301"))).target).toBe("messageTtlSeconds");
  });
});

describe("the request body", () => {
  it("is read whole up to the limit, as a Buffer", async () => {
    const body = await readBody(request([Buffer.from("ab"), Buffer.from("cd")]), 4);
    expect(Buffer.isBuffer(body)).toBe(true);
    expect(body.toString()).toBe("abcd");
  });

  it("is 1 MiB at most by default", async () => {
    expect(MAX_REST_BODY_BYTES).toBe(1024 * 1024);
    expect((await readBody(request([Buffer.alloc(MAX_REST_BODY_BYTES)]))).length).toBe(MAX_REST_BODY_BYTES);
    const f = await rejectionOf(readBody(request([Buffer.alloc(MAX_REST_BODY_BYTES + 1)])));
    expect(f.message).toBe(`The request body is larger than ${MAX_REST_BODY_BYTES} bytes.`);
  });

  it("read beyond the limit is a 413 naming the body", async () => {
    const req = request([Buffer.from("abcde")]);
    const f = await rejectionOf(readBody(req, 4));
    expect([f.status, f.code, f.target, f.message]).toEqual([
      413,
      "Error.PayloadTooLarge",
      "body",
      "The request body is larger than 4 bytes.",
    ]);
  });

  it("declared larger than the limit is refused before it is read, and drained so the answer can be written", async () => {
    const req = request([Buffer.from("abcde")], [["Content-Length", "5"]]);
    const f = await rejectionOf(readBody(req, 4));
    expect(f.status).toBe(413);
    expect(req.readableFlowing).toBe(true);
  });

  it("passes on an error of the stream itself", async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error("socket reset"));
      },
    });
    Object.assign(broken, { headers: {}, rawHeaders: [] });
    const e = await readBody(broken as unknown as IncomingMessage).catch((err: unknown) => err);
    expect(e).not.toBeInstanceOf(RestFailure);
    expect((e as Error).message).toBe("socket reset");
  });
});

describe("a send's payload by content type", () => {
  it("text/plain (with parameters, any case) is text", () => {
    expect(payloadFromBody("Text/Plain; charset=utf-8", Buffer.from("héllo"))).toEqual({ kind: "text", text: "héllo" });
  });

  it("JSON types are JSON, checked to be valid JSON within the bounds", () => {
    expect(payloadFromBody("application/json", Buffer.from('{"a":1}'))).toEqual({ kind: "json", text: '{"a":1}' });
    expect(payloadFromBody("application/cloudevents+json", Buffer.from("[1]"))).toEqual({ kind: "json", text: "[1]" });
    const invalid = failureOf(() => payloadFromBody("application/json", Buffer.from("{a")));
    expect([invalid.status, invalid.target, invalid.message]).toEqual([
      400,
      "message",
      "The request body is not valid JSON (content type application/json).",
    ]);
    const deep = failureOf(() =>
      payloadFromBody("application/json", Buffer.from("[".repeat(MAX_JSON_DEPTH + 1) + "]".repeat(MAX_JSON_DEPTH + 1))),
    );
    expect([deep.status, deep.target]).toEqual([400, "message"]);
    expect(deep.message).toBe(`The JSON request body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
    expect(
      payloadFromBody("application/json", Buffer.from("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH))),
    ).toMatchObject({ kind: "json" });
  });

  it("application/octet-stream or no content type is binary, the bytes as sent", () => {
    const bytes = Buffer.from([0, 255, 1]);
    expect(payloadFromBody("application/octet-stream", bytes)).toEqual({ kind: "binary", bytes });
    expect(payloadFromBody(undefined, bytes)).toEqual({ kind: "binary", bytes });
  });

  it("any other type is a 415 naming the type and the ones that are supported", () => {
    const f = failureOf(() => payloadFromBody("image/png", Buffer.from("x")));
    expect([f.status, f.code, f.target, f.message]).toEqual([
      415,
      "Error.UnsupportedMediaType",
      "Content-Type",
      `Unsupported content type "image/png". Use text/plain, application/json or application/octet-stream.`,
    ]);
  });
});

describe("metadata headers", () => {
  it("are X-WebPubSub-Metadata-<key> in any case, the key as sent; other headers and an empty key are not", () => {
    const req = request(
      [],
      [
        ["X-WebPubSub-Metadata-Trace", "t1"],
        ["x-webpubsub-metadata-KIND", "k"],
        ["X-WebPubSub-Metadata-", "no key"],
        ["X-WebPubSub-Other", "o"],
        ["Access-Control-Request-Headers", "x"],
        ["Content-Type", "text/plain"],
      ],
    );
    expect(metadataFromHeaders(req)).toEqual({ Trace: "t1", KIND: "k" });
  });

  it("are absent when there are none", () => {
    expect(metadataFromHeaders(request([], [["Content-Type", "text/plain"]]))).toBeUndefined();
  });
});

describe("the body of :addToGroups and :removeFromGroups", () => {
  const body = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v));

  it("gives the groups and a non-blank filter", () => {
    expect(groupsFromJsonBody(body({ groups: ["a", "b"], filter: "userId eq 'u'" }))).toEqual({
      groups: ["a", "b"],
      filter: "userId eq 'u'",
    });
    expect(groupsFromJsonBody(body({ groups: ["a"] }))).toEqual({ groups: ["a"], filter: undefined });
    expect(groupsFromJsonBody(body({ groups: ["a"], filter: null }))).toEqual({ groups: ["a"], filter: undefined });
    expect(groupsFromJsonBody(body({ groups: ["a"], filter: "  " }))).toEqual({ groups: ["a"], filter: undefined });
  });

  it.each([
    ["not JSON", "{groups", "body", `The request body is not valid JSON: {"groups": [...], "filter": "..."}.`],
    ["an array", [["a"]], "body", "The request body must be a JSON object with 'groups'."],
    ["null", "null", "body", "The request body must be a JSON object with 'groups'."],
    ["a string", '"a"', "body", "The request body must be a JSON object with 'groups'."],
    ["no groups", {}, "groups", "The 'groups' list must be a non-empty array of group names."],
    ["groups not a list", { groups: "a" }, "groups", "The 'groups' list must be a non-empty array of group names."],
    ["an empty list", { groups: [] }, "groups", "The 'groups' list must be a non-empty array of group names."],
    ["a number in the list", { groups: ["a", 1] }, "groups", "Every entry of 'groups' must be a string."],
    ["a blank group", { groups: ["a", " "] }, "groups", expect.stringMatching(/^Invalid group name\./)],
    ["a filter not a string", { groups: ["a"], filter: 1 }, "filter", "'filter' must be a string."],
  ])("refuses %s with 400 naming what is wrong", (_, value, target, message) => {
    const f = failureOf(() => groupsFromJsonBody(body(value)));
    expect([f.status, f.target, f.message]).toEqual([400, target, message]);
  });

  it("is held to the JSON bounds before it is parsed", () => {
    const deep = `{"groups":["a"],"x":${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}}`;
    const f = failureOf(() => groupsFromJsonBody(body(deep)));
    expect([f.status, f.target, f.message]).toEqual([
      400,
      "body",
      `The JSON request body is nested more than ${MAX_JSON_DEPTH} levels deep.`,
    ]);
  });
});

describe("the message of a send request", () => {
  const call = (q: string, headers: [string, string][], text: string) =>
    ({ query: query(q), req: request([Buffer.from(text)], headers) }) as unknown as Call;

  it("carries the payload by content type, the metadata, the group and the TTL", async () => {
    const before = Date.now();
    const msg = await messageFromRequest(
      call(
        "messageTtlSeconds=60",
        [
          ["Content-Type", "text/plain"],
          ["X-WebPubSub-Metadata-k", "v"],
        ],
        "hi",
      ),
      "group",
      "g",
    );
    expect(msg.payload).toEqual({ kind: "text", text: "hi" });
    expect([msg.from, msg.group, msg.metadata]).toEqual(["group", "g", { k: "v" }]);
    expect(msg.expiresAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(msg.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it("has no group, metadata or expiry when none is given", async () => {
    const msg = await messageFromRequest(call("", [["Content-Type", "application/json"]], "1"), "server");
    expect(msg.payload).toEqual({ kind: "json", text: "1" });
    expect([msg.from, msg.group, msg.metadata, msg.expiresAt]).toEqual(["server", undefined, undefined, 0]);
  });

  it("checks the TTL before it reads the body", async () => {
    const req = request([Buffer.from("x")], [["Content-Type", "text/plain"]]);
    const c = { query: query("messageTtlSeconds=301"), req } as unknown as Call;
    const f = await rejectionOf(messageFromRequest(c, "server"));
    expect(f.target).toBe("messageTtlSeconds");
    expect(req.readableEnded).toBe(false);
  });
});
