// Which recorded exchange answers a request in playback: the method (any case), the URI (origin case-insensitive,
// path exact after decoding, query an order-insensitive multiset minus ignored keys), selected headers and the body
// (JSON structurally, text exactly), with the differences listed and weighted to name the closest entry.
import { describe, expect, it } from "vitest";
import { diffRequest, findMatch, jsonEqual, type RequestPart } from "../src/matcher.ts";

function req(over: Partial<RequestPart> = {}): RequestPart {
  return {
    RequestUri: "https://h.example/api/hubs/chat/:send?api-version=1",
    RequestMethod: "POST",
    RequestHeaders: {},
    RequestBody: null,
    ...over,
  };
}

describe("jsonEqual", () => {
  it("ignores object key order and keeps array order", () => {
    expect(jsonEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
  });

  it("needs the same keys, lengths and kinds on both sides", () => {
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    // same key count, different keys: a key of the request missing in the recording
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1, c: undefined })).toBe(false);
    expect(jsonEqual([1], [1, 2])).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual({}, [])).toBe(false);
    expect(jsonEqual({ 0: 1 }, [1])).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual({}, null)).toBe(false);
    expect(jsonEqual(1, "1")).toBe(false);
    expect(jsonEqual(1, 2)).toBe(false);
    expect(jsonEqual(null, null)).toBe(true);
    expect(jsonEqual({ a: { b: [1, { c: "x" }] } }, { a: { b: [1, { c: "x" }] } })).toBe(true);
    expect(jsonEqual({ a: { b: [1, { c: "x" }] } }, { a: { b: [1, { c: "y" }] } })).toBe(false);
    // an object is no string, even one whose keys are the string's indexes
    expect(jsonEqual({ 0: "x" }, "x")).toBe(false);
    expect(jsonEqual({ a: { 0: "x" } }, { a: "x" })).toBe(false);
  });
});

describe("method", () => {
  it("matches in any case and names both sides when it differs", () => {
    expect(diffRequest(req({ RequestMethod: "post" }), req({ RequestMethod: "POST" }))).toEqual([]);
    expect(diffRequest(req({ RequestMethod: "get" }), req({ RequestMethod: "POST" }))).toEqual([
      "method: request get, recorded POST",
    ]);
  });
});

describe("URI", () => {
  const uri = (a: string, b: string, options = {}) =>
    diffRequest(req({ RequestUri: a }), req({ RequestUri: b }), options);

  it("compares the origin case-insensitively, the path exactly after decoding, and drops the fragment", () => {
    expect(uri("HTTPS://H.Example/a/b", "https://h.example/a/b")).toEqual([]);
    expect(uri("https://h.example/a%20b/c", "https://h.example/a b/c")).toEqual([]);
    expect(uri("https://h.example/a/b#frag", "https://h.example/a/b")).toEqual([]);
    expect(uri("https://h.example/a/b?x=1#frag", "https://h.example/a/b?x=1#other")).toEqual([]);
    expect(uri("https://h.example", "https://h.example/")).toEqual([]);
    expect(uri("https://h.example/A", "https://h.example/a")).toEqual([
      "path: request https://h.example/A, recorded https://h.example/a",
    ]);
    expect(uri("https://h.example/a/b", "https://h.example/a/c")).toEqual([
      "path: request https://h.example/a/b, recorded https://h.example/a/c",
    ]);
    // a malformed escape is kept as written, and only equals itself
    expect(uri("https://h.example/%E0%A4%A", "https://h.example/%E0%A4%A")).toEqual([]);
    expect(uri("https://h.example/%E0%A4%A", "https://h.example/x")).toEqual([
      "path: request https://h.example/%E0%A4%A, recorded https://h.example/x",
    ]);
  });

  it("never takes an escaped slash inside a segment for a separator, nor an escaped percent for an escape", () => {
    expect(uri("https://h.example/groups/a%2Fb/x", "https://h.example/groups/a/b/x")).toEqual([
      "path: request https://h.example/groups/a%2Fb/x, recorded https://h.example/groups/a/b/x",
    ]);
    expect(uri("https://h.example/groups/a%252Fb", "https://h.example/groups/a%2Fb")).toEqual([
      "path: request https://h.example/groups/a%252Fb, recorded https://h.example/groups/a%2Fb",
    ]);
    // the same segment, escaped or not, in any case of its escapes, still matches
    expect(uri("https://h.example/groups/a%2fb", "https://h.example/groups/a%2Fb")).toEqual([]);
    expect(uri("https://h.example/groups/a%25b", "https://h.example/groups/a%25b")).toEqual([]);
    expect(uri("https://h.example/g/%41", "https://h.example/g/A")).toEqual([]);
  });

  it("reads a relative URI as a path", () => {
    expect(uri("/a/b?x=1", "/a/b?x=1")).toEqual([]);
    expect(uri("/a/b", "/a/c")).toEqual(["path: request /a/b, recorded /a/c"]);
    expect(uri("", "/")).toEqual([]);
    // a URI of only a query has the root path, and its query is read
    expect(uri("?a=1", "/?a=1")).toEqual([]);
    expect(uri("?a=1", "?a=2")).toEqual(['query "a": request "1", recorded "2"']);
    // a URL inside a relative path is path text, compared exactly
    expect(uri("/proxy/http://A.example/x", "/proxy/http://a.example/x")).toEqual([
      "path: request /proxy/http://A.example/x, recorded /proxy/http://a.example/x",
    ]);
  });

  it("compares the query as a multiset: order ignored, repeated values counted, values decoded", () => {
    expect(uri("https://h.example/p?a=1&b=2", "https://h.example/p?b=2&a=1")).toEqual([]);
    expect(uri("https://h.example/p?a=1&a=2", "https://h.example/p?a=2&a=1")).toEqual([]);
    expect(uri("https://h.example/p?a=x%20y", "https://h.example/p?a=x+y")).toEqual([]);
    expect(uri("https://h.example/p?a=1&a=1", "https://h.example/p?a=1")).toEqual([
      'query "a": request "1", "1", recorded "1"',
    ]);
    expect(uri("https://h.example/p?a=1", "https://h.example/p?a=1&a=1")).toEqual([
      'query "a": request "1", recorded "1", "1"',
    ]);
    expect(uri("https://h.example/p?a=1", "https://h.example/p?a=2")).toEqual(['query "a": request "1", recorded "2"']);
    expect(uri("https://h.example/p?a=1&a=2", "https://h.example/p?a=1&a=3")).toEqual([
      'query "a": request "1", "2", recorded "1", "3"',
    ]);
    expect(uri("https://h.example/p?a=1&c=3", "https://h.example/p?b=2")).toEqual([
      'query "a": only in the request ("1")',
      'query "c": only in the request ("3")',
      'query "b": only in the recording ("2")',
    ]);
    // one value holding a NUL character is not the two values around it
    expect(uri("https://h.example/p?a=1%002", "https://h.example/p?a=1&a=2")).toEqual([
      'query "a": request "1\\u00002", recorded "1", "2"',
    ]);
    // the query starts at the first "?"
    expect(uri("https://h.example/p?a=1?b", "https://h.example/p?a=1%3Fb")).toEqual([]);
  });

  it("leaves ignored query keys out, in any case", () => {
    const options = { ignoredQueryParameters: ["API-Version"] };
    expect(uri("https://h.example/p?api-version=1", "https://h.example/p?api-version=2", options)).toEqual([]);
    expect(uri("https://h.example/p?Api-Version=1", "https://h.example/p", options)).toEqual([]);
    expect(uri("https://h.example/p?api-version=1", "https://h.example/p?api-version=2")).toHaveLength(1);
  });
});

describe("headers", () => {
  it("compares only the headers named, by case-insensitive name and trimmed value", () => {
    const a = req({ RequestHeaders: { "X-Tenant": " t1 ", "x-other": "1" } });
    const b = req({ RequestHeaders: { "x-tenant": "t1", "x-other": "2" } });
    expect(diffRequest(a, b)).toEqual([]);
    expect(diffRequest(a, b, { headers: ["x-TENANT"] })).toEqual([]);
    expect(diffRequest(a, b, { headers: ["x-other"] })).toEqual(['header "x-other": request "1", recorded "2"']);
    expect(diffRequest(a, req(), { headers: ["x-tenant"] })).toEqual([
      'header "x-tenant": request " t1 ", recorded null',
    ]);
    expect(diffRequest(req(), b, { headers: ["x-tenant"] })).toEqual([
      'header "x-tenant": request null, recorded "t1"',
    ]);
    expect(diffRequest(req(), req(), { headers: ["x-tenant"] })).toEqual([]);
    // blanks around the recorded value do not count either
    expect(diffRequest(b, a, { headers: ["x-tenant"] })).toEqual([]);
  });
});

describe("bodies", () => {
  const body = (a: RequestPart["RequestBody"], b: RequestPart["RequestBody"], options = {}) =>
    diffRequest(req({ RequestBody: a }), req({ RequestBody: b }), options);

  it("read null and the empty string as no body", () => {
    expect(body(null, "")).toEqual([]);
    expect(body(null, "x")).toEqual(['body: request (empty), recorded "x"']);
    expect(body("x", "")).toEqual(['body: request "x", recorded (empty)']);
    expect(body(null, { a: 1 })).toEqual(['body: request (empty), recorded {"a":1}']);
  });

  it("compare JSON text and stored JSON structurally, text exactly", () => {
    expect(body('  {"b":2,"a":1}  ', { a: 1, b: 2 })).toEqual([]);
    expect(body("[1,2]", [1, 2])).toEqual([]);
    expect(body("[1,2]", [2, 1])).toEqual(["body[0]: request 1, recorded 2", "body[1]: request 2, recorded 1"]);
    expect(body("hello", "hello")).toEqual([]);
    expect(body("hello", "hello ")).toEqual(['body: request "hello", recorded "hello "']);
    // text that only looks like JSON is compared as text
    expect(body("{not json", "{not json")).toEqual([]);
    expect(body("{not json", "{not JSON")).toEqual(['body: request "{not json", recorded "{not JSON"']);
    // a JSON value against text of another kind
    expect(body({ a: 1 }, "a=1")).toEqual(['body: request {"a":1}, recorded "a=1"']);
    // JSON only when the text starts with { or [ (after blanks)
    expect(body("1", 1)).toEqual(['body: request "1", recorded 1']);
  });

  it("list JSON differences by path: keys on one side only, changed values, arrays of another length", () => {
    expect(body({ a: 1, b: { c: [1, 2] } }, { a: 2, b: { c: [1, 3] }, d: true })).toEqual([
      "body.a: request 1, recorded 2",
      "body.b.c[1]: request 2, recorded 3",
      "body.d: only in the recording (true)",
    ]);
    expect(body({ x: "v" }, {})).toEqual(['body.x: only in the request ("v")']);
    expect(body({ a: [1] }, { a: [1, 2] })).toEqual(["body.a: request [1], recorded [1,2]"]);
    expect(body({ a: [1] }, { a: { 0: 1 } })).toEqual(['body.a: request [1], recorded {"0":1}']);
    expect(body({ a: { 0: 1 } }, { a: [1] })).toEqual(['body.a: request {"0":1}, recorded [1]']);
    expect(body({ a: null }, { a: {} })).toEqual(["body.a: request null, recorded {}"]);
    expect(body({ a: {} }, { a: null })).toEqual(["body.a: request {}, recorded null"]);
    // a value against an object or array of another kind is one difference, not one per key or index
    expect(body({ a: 1 }, { a: { x: 1 } })).toEqual(['body.a: request 1, recorded {"x":1}']);
    expect(body({ a: { x: 1 } }, { a: 1 })).toEqual(['body.a: request {"x":1}, recorded 1']);
    expect(body({ a: "xy" }, { a: { 0: "x", 1: "y" } })).toEqual(['body.a: request "xy", recorded {"0":"x","1":"y"}']);
    expect(body({ a: ["x"] }, { a: "y" })).toEqual(['body.a: request ["x"], recorded "y"']);
    expect(body({ a: "y" }, { a: ["x"] })).toEqual(['body.a: request "y", recorded ["x"]']);
  });

  it("list at most five JSON differences", () => {
    const a = { k1: 1, k2: 1, k3: 1, k4: 1, k5: 1, k6: 1, k7: 1 };
    const b = { k1: 2, k2: 2, k3: 2, k4: 2, k5: 2, k6: 2, k7: 2 };
    expect(body(a, b)).toEqual([1, 2, 3, 4, 5].map((i) => `body.k${i}: request 1, recorded 2`));
    const four = { k1: 2, k2: 2, k3: 2, k4: 2, k5: 1, k6: 1, k7: 1 };
    expect(body(a, four)).toHaveLength(4);
  });

  it("show a long value cut at 120 characters", () => {
    const long = "x".repeat(200);
    const quoted = JSON.stringify(long);
    expect(body(long, "y")).toEqual([`body: request ${quoted.slice(0, 120)}…, recorded "y"`]);
    const exact = "x".repeat(118); // 120 characters once quoted: shown whole
    expect(body(exact, "y")).toEqual([`body: request "${exact}", recorded "y"`]);
    const over = "x".repeat(119); // 121 characters once quoted: cut
    expect(body(over, "y")).toEqual([`body: request ${JSON.stringify(over).slice(0, 120)}…, recorded "y"`]);
  });

  it("are skipped when compareBodies is false", () => {
    expect(body("a", "b", { compareBodies: false })).toEqual([]);
    expect(body("a", "b", { compareBodies: true })).toHaveLength(1);
  });
});

describe("findMatch", () => {
  const entries = [
    req({ RequestUri: "https://h.example/a" }),
    req({ RequestUri: "https://h.example/a" }),
    req({ RequestUri: "https://h.example/b" }),
  ];

  it("gives the first unused matching entry, in recorded order", () => {
    const request = req({ RequestUri: "https://h.example/a" });
    expect(findMatch(request, entries, new Set())).toEqual({ matched: true, index: 0 });
    expect(findMatch(request, entries, new Set([0]))).toEqual({ matched: true, index: 1 });
    expect(findMatch(req({ RequestUri: "https://h.example/b" }), entries, new Set([0, 1]))).toEqual({
      matched: true,
      index: 2,
    });
  });

  it("without a match, names the closest entry, preferring an unused one on a tie", () => {
    const request = req({ RequestUri: "https://h.example/a" });
    // both matching entries used: the first of them is the closest, marked used
    expect(findMatch(request, entries, new Set([0, 1]))).toEqual({
      matched: false,
      closest: { index: 0, used: true, diffs: [] },
    });
    // a used exact match ties with... nothing closer: an unused entry of equal score wins over a used one
    const twins = [req({ RequestBody: "x" }), req({ RequestBody: "x" })];
    expect(findMatch(req({ RequestBody: "y" }), twins, new Set([0]))).toEqual({
      matched: false,
      closest: { index: 1, used: false, diffs: ['body: request "y", recorded "x"'] },
    });
    // both unused (or both used): the earliest
    expect(findMatch(req({ RequestBody: "y" }), twins, new Set())).toMatchObject({ closest: { index: 0 } });
    expect(findMatch(req({ RequestBody: "y" }), twins, new Set([0, 1]))).toMatchObject({
      closest: { index: 0, used: true },
    });
  });

  it("weighs method over path over query over headers over body", () => {
    const base = req({ RequestHeaders: { h: "1" }, RequestBody: { a: 1 } });
    const request = req({ RequestHeaders: { h: "1" }, RequestBody: { a: 1 } });
    const closest = (candidates: RequestPart[]) =>
      (findMatch(request, candidates, new Set(), { headers: ["h"] }) as { closest: { index: number } }).closest.index;
    const method = { ...base, RequestMethod: "GET" };
    const path = { ...base, RequestUri: "https://h.example/other?api-version=1" };
    const query = { ...base, RequestUri: "https://h.example/api/hubs/chat/:send?api-version=2" };
    const header = { ...base, RequestHeaders: { h: "2" } };
    const textBody = { ...base, RequestBody: "text" };
    const jsonBody = { ...base, RequestBody: { a: 2 } };
    // a method difference (100) weighs more than a path one (50) plus queries (5 each), ...
    expect(closest([method, path])).toBe(1);
    expect(closest([path, query])).toBe(1);
    expect(closest([query, header])).toBe(1);
    // a body of another kind (10) weighs more than a query (5), a header (3) or a JSON value (1)
    expect(closest([textBody, query])).toBe(1);
    expect(closest([header, jsonBody])).toBe(1);
    expect(closest([textBody, jsonBody])).toBe(1);
    // two JSON lines (2) still weigh less than one header (3); a text body difference weighs 2
    const twoLines = { ...base, RequestBody: { a: 2, b: 1 } };
    expect(closest([header, twoLines])).toBe(1);
    const text = req({ RequestHeaders: { h: "1" }, RequestBody: "a" });
    const otherText = { ...text, RequestBody: "b" };
    const otherHeader = { ...text, RequestHeaders: { h: "2" } };
    expect(
      (findMatch(text, [otherHeader, otherText], new Set(), { headers: ["h"] }) as { closest: { index: number } })
        .closest.index,
    ).toBe(1);
    // fifty path units: one path difference (50) against ten query differences (5 each) ties, and the earlier wins
    const tenQueries = {
      ...base,
      RequestUri: `https://h.example/api/hubs/chat/:send?api-version=1&${Array.from({ length: 10 }, (_, i) => `q${i}=1`).join("&")}`,
    };
    const pathOnly = { ...base, RequestUri: "https://h.example/x?api-version=1" };
    expect(closest([pathOnly, tenQueries])).toBe(0);
    expect(closest([tenQueries, pathOnly])).toBe(0);
  });

  it("reports no closest entry when there are no entries", () => {
    expect(findMatch(req(), [], new Set())).toEqual({ matched: false });
  });
});
