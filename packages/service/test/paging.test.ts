// Continuation tokens are the service's `continuationToken` values, never URLs to follow; nextLinks are only followed
// to the endpoint (or its reverse proxy), so credentials never go anywhere else.
import type { TokenCredential } from "@azure/core-auth";
import { isRestError } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AzureKeyCredential, WebPubSubServiceClient } from "../src/index.ts";
import { type CapturedRequest, type CaptureServer, startCaptureServer } from "./helpers/capture-server.ts";
import { KEY } from "./helpers/key-client.ts";

const entra: TokenCredential = { getToken: async () => ({ token: "ENTRA", expiresOnTimestamp: Date.now() + 600_000 }) };
let server: CaptureServer;

beforeAll(async () => {
  server = await startCaptureServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.script.length = 0;
});

const page = (value: unknown[], nextLink?: string) => ({
  status: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(nextLink === undefined ? { value } : { value, nextLink }),
});
const describeRequest = (r: CapturedRequest) => `${r.method} ${r.path}?${[...r.query].sort().join("&")}`;

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const p of pages) out.push(p);
  return out;
}

describe("continuation tokens", () => {
  const client = () => new WebPubSubServiceClient(server.endpoint, entra, "hub", { retryOptions: { maxRetries: 0 } });

  it("sends a byPage continuationToken as the continuationToken query value of the listing route", async () => {
    server.script.push(page([{ connectionId: "c9" }]), page([]));
    const pages = await collect(client().listConnectionsInGroup("g").byPage({ continuationToken: "abc" }));
    expect(pages).toEqual([[{ connectionId: "c9" }]]);
    // A URL-looking token is a value too: nothing is sent to that host.
    await collect(client().listConnectionsInGroup("g").byPage({ continuationToken: "https://evil.example.net/steal" }));
    expect(server.requests.map(describeRequest)).toEqual([
      "GET /api/hubs/hub/groups/g/connections?api-version=2024-12-01&continuationToken=abc",
      "GET /api/hubs/hub/groups/g/connections?api-version=2024-12-01&continuationToken=https%3A%2F%2Fevil.example.net%2Fsteal",
    ]);
    expect(server.requests[1]!.headers.authorization).toBe("Bearer ENTRA");
  });

  it("accepts the official continuationToken option", async () => {
    await collect(client().listConnectionsInGroup("g", { continuationToken: "tok", top: 3 }).byPage());
    expect(server.requests.map(describeRequest)).toEqual([
      "GET /api/hubs/hub/groups/g/connections?api-version=2024-12-01&continuationToken=tok&top=3",
    ]);
    expect(() => client().listConnectionsInGroup("g", { continuationToken: "" })).toThrow(
      /options.continuationToken must be a non-empty string/,
    );
  });

  it("follows the service's nextLink on the endpoint, with what it carries", async () => {
    const base = `${server.endpoint}/api/hubs/hub/groups/g/connections`;
    server.script.push(
      page([{ connectionId: "a" }], `${base}?top=2&maxpagesize=1&continuationToken=p2`),
      page([{ connectionId: "b", userId: "u" }], `${base}?top=1&maxpagesize=1&continuationToken=p3`),
      page([{ connectionId: "c" }]),
    );
    const members = [];
    for await (const m of client().listConnectionsInGroup("g", { maxPageSize: 1, top: 3 })) members.push(m);
    expect(members).toEqual([{ connectionId: "a" }, { connectionId: "b", userId: "u" }, { connectionId: "c" }]);
    expect(server.requests.map(describeRequest)).toEqual([
      "GET /api/hubs/hub/groups/g/connections?api-version=2024-12-01&maxpagesize=1&top=3",
      "GET /api/hubs/hub/groups/g/connections?api-version=2024-12-01&continuationToken=p2&maxpagesize=1&top=2",
      "GET /api/hubs/hub/groups/g/connections?api-version=2024-12-01&continuationToken=p3&maxpagesize=1&top=1",
    ]);
  });

  it("refuses a nextLink to another origin before sending anything there", async () => {
    server.script.push(page([{ connectionId: "a" }], "https://evil.example.net/steal?continuationToken=x"));
    const pages = client().listConnectionsInGroup("g").byPage();
    expect((await pages.next()).value).toEqual([{ connectionId: "a" }]);
    const error = await pages.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRestError(error), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/refusing to follow the nextLink to "https:\/\/evil.example.net"/);
    expect(server.requests).toHaveLength(1);
  });

  // Rule: a value the service sent is shown in an error by core's shown() (quoted, at most 64 characters then "...").
  it("names a refused nextLink's origin whole when short, by its first 64 characters when long", async () => {
    const refusal = async (host: string): Promise<string> => {
      server.script.push(page([{ connectionId: "a" }], `https://${host}/steal?continuationToken=x`));
      const pages = client().listConnectionsInGroup("g").byPage();
      await pages.next();
      return pages.next().then(
        () => "no error",
        (e: unknown) => (e as Error).message,
      );
    };
    const short = `${"h".repeat(50)}.net`; // "https://" + 54 characters: 62 in all
    expect(await refusal(short)).toContain(`nextLink to "https://${short}", which is not`);
    const long = `${"h".repeat(100_000)}.net`;
    const message = await refusal(long);
    expect(message).toContain(`nextLink to "https://${"h".repeat(56)}"..., which is not`);
    expect(message.length).toBeLessThan(400);
  });

  it("maps a nextLink at the reverse proxy back to the endpoint, and sends it through the proxy", async () => {
    const client = new WebPubSubServiceClient("https://svc.example.com", new AzureKeyCredential(KEY), "hub", {
      reverseProxyEndpoint: `${server.endpoint}/gw`,
      retryOptions: { maxRetries: 0 },
    });
    server.script.push(
      page([{ connectionId: "a" }], `${server.endpoint}/gw/api/hubs/hub/groups/g/connections?continuationToken=p2`),
      page([{ connectionId: "b" }], "https://svc.example.com/api/hubs/hub/groups/g/connections?continuationToken=p3"),
      page([{ connectionId: "c" }]),
    );
    const pages = await collect(client.listConnectionsInGroup("g").byPage());
    expect(pages.flat().map((m) => m.connectionId)).toEqual(["a", "b", "c"]);
    expect(
      server.requests.map((r) => `${r.path}?${r.query.find((q) => q.startsWith("continuationToken")) ?? ""}`),
    ).toEqual([
      "/gw/api/hubs/hub/groups/g/connections?",
      "/gw/api/hubs/hub/groups/g/connections?continuationToken=p2",
      "/gw/api/hubs/hub/groups/g/connections?continuationToken=p3",
    ]);
  });
});

describe("listing pages: what a page must hold, and where its nextLink leads", () => {
  const client = () => new WebPubSubServiceClient(server.endpoint, entra, "hub", { retryOptions: { maxRetries: 0 } });
  const json = (body: string) => ({ status: 200, headers: { "content-type": "application/json" }, body });
  const failure = (p: Promise<unknown>): Promise<Error & { statusCode?: number }> =>
    p.then(
      () => new Error("no error"),
      (e: unknown) => e as Error & { statusCode?: number },
    );

  it("gives byPage's maxPageSize to every page, replacing the one a followed nextLink carries", async () => {
    const base = `${server.endpoint}/api/hubs/hub/groups/g/connections`;
    server.script.push(page([{ connectionId: "a" }], `${base}?maxpagesize=1&continuationToken=p2`), page([]));
    await collect(client().listConnectionsInGroup("g").byPage({ maxPageSize: 5 }));
    expect(server.requests.map(describeRequest)).toEqual([
      "GET /api/hubs/hub/groups/g/connections?api-version=2024-12-01&maxpagesize=5",
      "GET /api/hubs/hub/groups/g/connections?api-version=2024-12-01&continuationToken=p2&maxpagesize=5",
    ]);
  });

  it("names maxPageSize when byPage is given one out of range, before any request", async () => {
    const error = await failure(client().listConnectionsInGroup("g").byPage({ maxPageSize: 201 }).next());
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe("maxPageSize must be between 1 and 200, got 201.");
    expect(server.requests).toHaveLength(0);
  });

  it("ends the listing at a page whose nextLink is empty", async () => {
    server.script.push(page([{ connectionId: "a" }], ""));
    expect(await collect(client().listConnectionsInGroup("g").byPage())).toEqual([[{ connectionId: "a" }]]);
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    ["null", "null"],
    ["a JSON string", '"text"'],
    ["an empty body", ""],
    ["an object without value", "{}"],
    ["value that is not an array", '{"value":{"connectionId":"a"}}'],
  ])(
    "refuses a 200 page whose body is %s, keeping the status and naming the missing `value` array",
    async (_n, body) => {
      server.script.push(json(body));
      const error = await failure(client().listConnectionsInGroup("g").next());
      expect(error.statusCode, String(error)).toBe(200);
      expect(error.message).toBe(
        "listConnectionsInGroup: the service answered 200 without a `value` array in the response body.",
      );
    },
  );

  it.each([
    ["an empty connectionId", { connectionId: "" }],
    ["a connectionId that is not a string", { connectionId: 7 }],
    ["a member that is not an object", "c1"],
    ["a null member", null],
  ])("refuses a member with %s, naming its index", async (_n, member) => {
    server.script.push(page([{ connectionId: "ok" }, member]));
    const error = await failure(client().listConnectionsInGroup("g").next());
    expect(error.statusCode, String(error)).toBe(200);
    expect(error.message).toBe(
      "listConnectionsInGroup: the service answered 200 without a `connectionId` string in value[1].",
    );
  });

  it("keeps a member's userId when it is a string, and gives no userId property when it is absent or null", async () => {
    server.script.push(
      page([{ connectionId: "a", userId: null }, { connectionId: "b" }, { connectionId: "c", userId: "u", extra: 1 }]),
    );
    const members = [];
    for await (const m of client().listConnectionsInGroup("g")) members.push(m);
    expect(members).toStrictEqual([{ connectionId: "a" }, { connectionId: "b" }, { connectionId: "c", userId: "u" }]);
  });

  it("delivers a page whose nextLink is no URL, then fails naming the malformed nextLink, sending nothing more", async () => {
    server.script.push(page([{ connectionId: "a" }], "https://[not-a-host/next"));
    const pages = client().listConnectionsInGroup("g").byPage();
    expect((await pages.next()).value).toEqual([{ connectionId: "a" }]);
    const error = await failure(pages.next());
    expect(error.message).toBe("listConnectionsInGroup: the service answered 200 without a valid `nextLink` URL.");
    expect(server.requests).toHaveLength(1);
  });

  it("names the allowed origins in a refusal: the endpoint's, and the reverse proxy's when one is set", async () => {
    const refusal = async (c: WebPubSubServiceClient): Promise<string> => {
      server.script.push(page([{ connectionId: "a" }], "https://evil.example.net/steal"));
      const pages = c.listConnectionsInGroup("g").byPage();
      await pages.next();
      return (await failure(pages.next())).message;
    };
    const proxy = new WebPubSubServiceClient("https://svc.example.com", new AzureKeyCredential(KEY), "hub", {
      reverseProxyEndpoint: `${server.endpoint}/gw`,
      retryOptions: { maxRetries: 0 },
    });
    expect(await refusal(proxy)).toContain(
      `nextLink to "https://evil.example.net", which is not https://svc.example.com or ${server.endpoint}; credentials are only sent to the configured endpoint.`,
    );
    expect(await refusal(client())).toContain(
      `nextLink to "https://evil.example.net", which is not ${server.endpoint}; credentials`,
    );
    expect(server.requests).toHaveLength(2);
  });
});
