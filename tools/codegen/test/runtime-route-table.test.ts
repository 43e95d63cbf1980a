// The route table the generated client runs on (src/runtime/route-table.ts, copied verbatim into the output):
// matching request URLs to routes, classifying statuses, serializing query arrays and default content types, and
// building a route's URL once per client.path call.
import type { RequestParameters } from "@azure-rest/core-client";
import { describe, expect, it, vi } from "vitest";
import { type RouteInfo, RouteTable, routeUrl } from "../src/runtime/route-table.ts";
import { fakeClient } from "./helpers/fake-http.ts";

const routes: Record<string, RouteInfo> = {
  "GET /items/{id}": { success: ["200"] },
  "GET /items/special": { success: ["200", "404"] },
  "POST /jobs": { success: ["201"] },
  "POST /jobs?action=cancel": { success: ["202"] },
  "GET /search": { success: ["200"], query: { tag: "multi", p: "pipes", s: "ssv", t: "tsv" } },
  "PUT /blob": { success: ["200"], contentType: "application/json", binaryContentType: "application/octet-stream" },
  "POST /note": { success: ["200"], contentType: "text/plain" },
  "PUT /hubs/{hub}/groups/{group}/users/{user}": { success: ["200"] },
};
const table = new RouteTable(routes);

describe("RouteTable.find", () => {
  it("matches the end of the URL path, so the endpoint may carry a path prefix", () => {
    expect(table.find("GET", "https://h.example/items/7")).toBe(routes["GET /items/{id}"]);
    expect(table.find("GET", "https://h.example/gateway/v1/items/7")).toBe(routes["GET /items/{id}"]);
    expect(table.find("GET", "https://h.example/items")).toBeUndefined();
    expect(table.find("GET", "https://h.example/items/7/more")).toBeUndefined();
  });

  it("compares methods in any case, but never across methods", () => {
    expect(table.find("get", "https://h.example/items/7")).toBe(routes["GET /items/{id}"]);
    expect(table.find("DELETE", "https://h.example/items/7")).toBeUndefined();
  });

  it("prefers literal segments to placeholders", () => {
    expect(table.find("GET", "https://h.example/items/special")).toBe(routes["GET /items/special"]);
    expect(table.find("GET", "https://h.example/items/specia")).toBe(routes["GET /items/{id}"]);
  });

  it("takes a query-qualified route only when its query matches", () => {
    expect(table.find("POST", "https://h.example/jobs?action=cancel")).toBe(routes["POST /jobs?action=cancel"]);
    expect(table.find("POST", "https://h.example/jobs?action=cancelled")).toBe(routes["POST /jobs"]);
    expect(table.find("POST", "https://h.example/jobs")).toBe(routes["POST /jobs"]);
  });

  it("ignores empty path segments: a trailing or doubled slash", () => {
    expect(table.find("GET", "https://h.example/items/7/")).toBe(routes["GET /items/{id}"]);
    expect(table.find("GET", "https://h.example//items//7")).toBe(routes["GET /items/{id}"]);
    expect(table.find("GET", "https://h.example/items//")).toBeUndefined(); // no segment left for the placeholder
  });

  // A second table, whose routes are listed in the order that tests the tie-breaks.
  const ordered: Record<string, RouteInfo> = {
    "POST /jobs?action=cancel": { success: ["202"] },
    "POST /jobs": { success: ["201"] },
    "POST /jobs?restart": { success: ["204"] },
    "GET /{tenant}/items": { success: ["200"] },
    "GET /{a}/x": { success: ["200"] },
    "GET /x/{b}": { success: ["200"] },
    "GET /files/v{n}": { success: ["200"] },
    "GET /files/{n}.json": { success: ["200"] },
  };
  const orderedTable = new RouteTable(ordered);

  it("takes the best match wherever it is listed; of equal matches, the one listed first", () => {
    expect(orderedTable.find("POST", "https://h.example/jobs?action=cancel")).toBe(ordered["POST /jobs?action=cancel"]);
    expect(orderedTable.find("POST", "https://h.example/jobs?action=cancelled")).toBe(ordered["POST /jobs"]);
    expect(orderedTable.find("POST", "https://h.example/jobs")).toBe(ordered["POST /jobs"]);
    expect(orderedTable.find("GET", "https://h.example/x/x")).toBe(ordered["GET /{a}/x"]);
  });

  it("matches a query name without a value in the route only to that name with an empty value", () => {
    expect(orderedTable.find("POST", "https://h.example/jobs?restart")).toBe(ordered["POST /jobs?restart"]);
    expect(orderedTable.find("POST", "https://h.example/jobs?restart=")).toBe(ordered["POST /jobs?restart"]);
    expect(orderedTable.find("POST", "https://h.example/jobs?restart=now")).toBe(ordered["POST /jobs"]);
  });

  it("never matches a route with more segments than the URL, even one that starts with a placeholder", () => {
    expect(orderedTable.find("GET", "https://h.example/items")).toBeUndefined();
    expect(orderedTable.find("GET", "https://h.example/t1/items")).toBe(ordered["GET /{tenant}/items"]);
  });

  // Only a whole segment is a placeholder: a segment with text beside one is compared as text, so such a route is
  // never found (its responses count as unknown: any 2xx) rather than claiming every URL of its shape.
  it("takes a segment with text beside its placeholder as literal text", () => {
    expect(orderedTable.find("GET", "https://h.example/files/v2")).toBeUndefined();
    expect(orderedTable.find("GET", "https://h.example/files/report.json")).toBeUndefined();
  });

  it("looks routes up by method and template", () => {
    expect(table.get("put", "/blob")).toBe(routes["PUT /blob"]);
    expect(table.get("GET", "/blob")).toBeUndefined();
  });
});

describe("RouteTable.isUnexpected", () => {
  const response = (method: string, path: string, status: string) => ({
    status,
    request: { method, url: `https://h.example${path}` },
  });

  it("accepts exactly the success codes of the route, 404 included when the route lists it", () => {
    expect(table.isUnexpected(response("GET", "/items/special", "404"))).toBe(false);
    expect(table.isUnexpected(response("GET", "/items/7", "404"))).toBe(true);
    expect(table.isUnexpected(response("GET", "/items/7", "200"))).toBe(false);
    expect(table.isUnexpected(response("GET", "/items/7", "204"))).toBe(true);
  });

  it("accepts any 2xx, and nothing else, for a route it does not know", () => {
    expect(table.isUnexpected(response("GET", "/elsewhere", "200"))).toBe(false);
    expect(table.isUnexpected(response("GET", "/elsewhere", "299"))).toBe(false);
    expect(table.isUnexpected(response("GET", "/elsewhere", "199"))).toBe(true);
    expect(table.isUnexpected(response("GET", "/elsewhere", "300"))).toBe(true);
  });
});

describe("RouteTable.serialize", () => {
  it("sends array query parameters in their collection format and leaves the others alone", () => {
    const options = { queryParameters: { tag: ["a", "b"], p: ["c", "d"], s: ["e"], t: ["f", "g"], other: ["h", "i"] } };
    expect(table.serialize("GET", "/search", options)).toEqual({
      queryParameters: {
        tag: { value: ["a", "b"], explode: true },
        p: { value: ["c", "d"], style: "pipeDelimited" },
        s: { value: ["e"], style: "spaceDelimited" },
        t: "f\tg",
        other: ["h", "i"],
      },
    });
    expect(options.queryParameters.tag).toEqual(["a", "b"]); // the caller's options are not changed
    const scalar = { queryParameters: { tag: "one" } };
    expect(table.serialize("GET", "/search", scalar)).toEqual(scalar);
  });

  it("gives a body without a content type the route's default, or its binary one for bytes, Blobs and streams", () => {
    const contentType = (body: unknown, route = "/blob") => table.serialize("PUT", route, { body })?.contentType;
    expect(contentType({ a: 1 })).toBe("application/json");
    expect(contentType("text")).toBe("application/json");
    expect(contentType(new Uint8Array([1]))).toBe("application/octet-stream");
    expect(contentType(new Uint8Array([1]).buffer)).toBe("application/octet-stream");
    expect(contentType(new DataView(new ArrayBuffer(1)))).toBe("application/octet-stream");
    expect(contentType(new Blob(["x"]))).toBe("application/octet-stream");
    expect(contentType(new ReadableStream())).toBe("application/octet-stream");
    expect(contentType({ pipe: () => undefined })).toBe("application/octet-stream");
    expect(table.serialize("POST", "/note", { body: new Uint8Array([1]) })?.contentType).toBe("text/plain");
  });

  it("keeps a content type the caller chose, as an option or as a header in any case", () => {
    const explicit: RequestParameters = { body: new Uint8Array([1]), contentType: "image/png" };
    expect(table.serialize("PUT", "/blob", explicit)).toBe(explicit);
    const header: RequestParameters = { body: {}, headers: { "CONTENT-TYPE": "application/merge-patch+json" } };
    expect(table.serialize("PUT", "/blob", header)).toBe(header);
  });

  it("finds a content-type header among others, and sets the default when only other headers are given", () => {
    const among: RequestParameters = {
      body: {},
      headers: { "x-ms-client-request-id": "1", "Content-Type": "text/csv" },
    };
    expect(table.serialize("PUT", "/blob", among)).toBe(among);
    const others: RequestParameters = { body: {}, headers: { "x-ms-client-request-id": "1" } };
    expect(table.serialize("PUT", "/blob", others)?.contentType).toBe("application/json");
  });

  it("gives a null body the route's default content type", () => {
    expect(table.serialize("PUT", "/blob", { body: null })?.contentType).toBe("application/json");
  });

  it("classifies bodies where Blob and ReadableStream do not exist (bytes and streams with pipe still binary)", () => {
    vi.stubGlobal("Blob", undefined);
    vi.stubGlobal("ReadableStream", undefined);
    try {
      const contentType = (body: unknown) => table.serialize("PUT", "/blob", { body })?.contentType;
      expect(contentType({ a: 1 })).toBe("application/json");
      expect(contentType(new Uint8Array([1]))).toBe("application/octet-stream");
      expect(contentType({ pipe: () => undefined })).toBe("application/octet-stream");
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("changes nothing without a body, without options, or for a route it does not know", () => {
    const noBody: RequestParameters = { headers: { a: "b" } };
    expect(table.serialize("PUT", "/blob", noBody)).toBe(noBody);
    expect(table.serialize("PUT", "/blob", undefined)).toBeUndefined();
    const unknown: RequestParameters = { body: new Uint8Array([1]), queryParameters: { tag: ["a"] } };
    expect(table.serialize("PUT", "/elsewhere", unknown)).toBe(unknown);
  });
});

describe("RouteTable.wrapClient", () => {
  it("applies the rules to requests sent through client.path, and only there", async () => {
    const { client, sent } = fakeClient(() => ({ status: 200 }));
    expect(table.wrapClient(client)).toBe(client);
    await client.path("/search").get({ queryParameters: { tag: ["a", "b"] } });
    await client.path("/blob").put({ body: new Uint8Array([1]) });
    await client.pathUnchecked("/search").get({ queryParameters: { tag: ["a", "b"] } });
    expect(sent.map((s) => new URL(s.url).search)).toEqual(["?tag=a&tag=b", "", "?tag=a,b"]);
    expect(sent[1]!.contentType).toBe("application/octet-stream");
  });
});

describe("routeUrl and the route URLs of a wrapped client", () => {
  const awkward = ["a b", "a/b", "ü", "?x#y", "%41", "$&", "$1", "{x}", "..", "", "-_.!~*'()"];
  const endpoints = ["https://h.example", "http://127.0.0.1:8080", "https://h.example/prefix/more"];

  it("is the URL core-client builds for the route, endpoint and arguments, however awkward the arguments", async () => {
    for (const endpoint of endpoints) {
      const { client, sent } = fakeClient(() => ({ status: 200 }), endpoint);
      const expected: (string | undefined)[] = [];
      for (const [i, arg] of awkward.entries()) {
        const args = [arg, awkward[(i + 1) % awkward.length]!, "u"];
        await client.path("/hubs/{hub}/groups/{group}/users/{user}", ...args).put();
        expected.push(routeUrl(endpoint, "/hubs/{hub}/groups/{group}/users/{user}", args));
      }
      await client.path("/items/{id}").get(); // fewer arguments than placeholders
      expected.push(routeUrl(endpoint, "/items/{id}", []));
      expect(
        sent.map((s) => s.url),
        endpoint,
      ).toEqual(expected);
    }
  });

  it("is undefined where the URL is not that plain, so that core-client builds it", () => {
    expect(routeUrl("https://h.example/", "/items/{id}", ["1"])).toBeUndefined(); // trailing slash
    expect(routeUrl("https://h.example?x=1", "/items/{id}", ["1"])).toBeUndefined(); // endpoint query
    expect(routeUrl("https://{account}.example", "/items/{id}", ["1"])).toBeUndefined(); // endpoint template
    expect(routeUrl("https://h.example", "/jobs?action=cancel", [])).toBeUndefined(); // route query
    expect(routeUrl("https://h.example", "/items/{id}", [7])).toBeUndefined(); // not a string
    expect(routeUrl("https://h.example", "items/{id}", ["1"])).toBeUndefined(); // no leading slash
    expect(routeUrl("https://h.example", "/items/{id}#top", ["1"])).toBeUndefined(); // route fragment
    expect(routeUrl("http://h.example:99999", "/items/{id}", ["1"])).toBeUndefined(); // a URL the parser refuses
    expect(routeUrl("https://h.example", "/items/{id}", ["1"])).toBe("https://h.example/items/1");
  });

  it("leaves the URL to core-client for an endpoint that is not plain from its start", async () => {
    // another scheme with an http(s) URL in its path, a doubled slash (which core-client folds), a trailing slash
    for (const endpoint of ["ws://h.example//https://x.example", "https://h.example//p", "https://h.example/"]) {
      const wrapped = fakeClient(() => ({ status: 200 }), endpoint);
      const plain = fakeClient(() => ({ status: 200 }), endpoint);
      table.wrapClient(wrapped.client, endpoint);
      await wrapped.client.path("/items/{id}", "a b").get();
      await plain.client.path("/items/{id}", "a b").get();
      expect(wrapped.sent.map((s) => s.url)).toEqual(plain.sent.map((s) => s.url));
    }
  });

  it("sends requests that add nothing to the URL there, built once per client.path call", async () => {
    const { client, sent } = fakeClient(() => ({ status: 200 }));
    const absolute: string[] = [];
    const unchecked = client.pathUnchecked;
    client.pathUnchecked = ((url: string, ...args: unknown[]) => {
      absolute.push(url);
      return (unchecked as (url: string, ...a: unknown[]) => unknown)(url, ...args);
    }) as typeof client.pathUnchecked;
    table.wrapClient(client, "https://h.example");
    const resource = client.path("/items/{id}", "a b");
    await resource.get();
    await resource.get({ queryParameters: { unset: undefined, none: null } });
    expect(absolute).toEqual(["https://h.example/items/a%20b"]);
    expect(sent.map((s) => s.url)).toEqual(["https://h.example/items/a%20b", "https://h.example/items/a%20b"]);
  });

  it("decides per request: only one that adds nothing to the URL goes to the built URL", async () => {
    const { client } = fakeClient(() => ({ status: 200 }));
    let direct = 0;
    const unchecked = client.pathUnchecked as unknown as (url: string) => Record<string, (o?: unknown) => unknown>;
    client.pathUnchecked = ((url: string) => {
      const resource = unchecked(url);
      const get = (o?: unknown) => {
        direct++;
        return resource.get!(o);
      };
      return { ...resource, get };
    }) as unknown as typeof client.pathUnchecked;
    table.wrapClient(client, "https://h.example");
    const cases: [RequestParameters | undefined, boolean][] = [
      [undefined, true],
      [{}, true],
      [{ headers: { "x-a": "1" }, skipUrlEncoding: false }, true],
      [{ queryParameters: { unset: undefined } }, true],
      [{ queryParameters: { none: null } }, true],
      [{ queryParameters: { q: "v" } }, false],
      [{ queryParameters: { unset: undefined, none: null, q: "v" } }, false],
      [{ skipUrlEncoding: true }, false],
      [{ pathParameters: {} }, false],
    ];
    for (const [options, expected] of cases) {
      const before = direct;
      await client.path("/items/{id}", "a b").get(options);
      expect(direct - before, JSON.stringify(options)).toBe(expected ? 1 : 0);
    }
  });

  it("leaves path parameters to core-client, which refuses a null one as without the table", async () => {
    const wrapped = fakeClient(() => ({ status: 200 }));
    const plain = fakeClient(() => ({ status: 200 }));
    table.wrapClient(wrapped.client, "https://h.example");
    const options = { pathParameters: { x: null } } as unknown as RequestParameters;
    const refusal = "Path parameters x must not be undefined or null";
    expect(() => plain.client.path("/items/{id}", "1").get(options)).toThrow(refusal);
    expect(() => wrapped.client.path("/items/{id}", "1").get(options)).toThrow(refusal);
    expect(wrapped.sent).toHaveLength(0);
  });

  it("builds the URL as before for a request with query values, path parameters or URL encoding skipped", async () => {
    const { client, sent } = fakeClient(() => ({ status: 200 }));
    const plain = fakeClient(() => ({ status: 200 }));
    table.wrapClient(client, "https://h.example");
    table.wrapClient(plain.client);
    const requests: RequestParameters[] = [
      { queryParameters: { tag: ["a", "b"], p: ["x", "y"], q: "v w" } },
      { skipUrlEncoding: true },
      { pathParameters: { x: "1" } },
      {},
    ];
    for (const options of requests) {
      for (const arg of ["a b", "a/b%41"]) {
        await client.path("/search/{id}", arg).get(options);
        await plain.client.path("/search/{id}", arg).get(options);
      }
    }
    expect(sent.map((s) => s.url)).toEqual(plain.sent.map((s) => s.url));
    expect(sent[0]!.url).toBe("https://h.example/search/a%20b?tag=a,b&p=x,y&q=v%20w");
  });
});
