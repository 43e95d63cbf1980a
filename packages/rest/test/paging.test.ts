// paginate over a pageable operation: items and whole pages across nextLinks, and errors of later pages.
import { RestError } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { AzureKeyCredential, createWebPubSubRestClient, isUnexpected, paginate } from "../src/index.ts";
import { fakeHttpClient } from "./helpers/fake-http.ts";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const base = "https://h.example/api/hubs/chat/groups/g1/connections";

/** Serves 5 members two per page, with nextLink carrying the continuation token (as the live service does). */
function pagedService(failOnPage?: number, linkBase = base) {
  const members = ["c1", "c2", "c3", "c4", "c5"].map((connectionId, i) => ({
    connectionId,
    userId: i % 2 ? `u${i}` : null,
  }));
  return fakeHttpClient((req, i) => {
    if (failOnPage === i)
      return {
        status: 500,
        headers: { "x-ms-error-code": "Error.Internal" },
        body: { code: "Error.Internal", message: "boom" },
      };
    const url = new URL(req.url);
    const start = Number(url.searchParams.get("continuationToken") ?? "0");
    const size = Number(url.searchParams.get("maxpagesize") ?? "100");
    const value = members.slice(start, start + size);
    const next =
      start + size < members.length
        ? `${linkBase}?maxpagesize=${size}&continuationToken=${start + size}&api-version=2024-12-01`
        : undefined;
    return { status: 200, body: next ? { value, nextLink: next } : { value } };
  });
}

describe("paginate", () => {
  it("follows nextLink across pages, yielding items in order", async () => {
    const { client: httpClient, seen } = pagedService();
    const client = createWebPubSubRestClient("https://h.example", new AzureKeyCredential(KEY), { httpClient });
    const first = await client
      .path("/api/hubs/{hub}/groups/{group}/connections", "chat", "g1")
      .get({ queryParameters: { maxpagesize: 2 } });
    if (isUnexpected(first)) throw new Error(`unexpected ${first.status}`);
    const ids: string[] = [];
    for await (const member of paginate(client, first)) ids.push(`${member.connectionId}:${member.userId}`);
    expect(ids).toEqual(["c1:null", "c2:u1", "c3:null", "c4:u3", "c5:null"]);
    expect(seen.map((s) => new URL(s.url).searchParams.get("continuationToken"))).toEqual([null, "2", "4"]);
  });

  it("iterates whole pages with byPage, from the start or from a continuation link", async () => {
    const { client: httpClient } = pagedService();
    const client = createWebPubSubRestClient("https://h.example", new AzureKeyCredential(KEY), { httpClient });
    const first = await client
      .path("/api/hubs/{hub}/groups/{group}/connections", "chat", "g1")
      .get({ queryParameters: { maxpagesize: 2 } });
    if (isUnexpected(first)) throw new Error("unexpected");
    const sizes: number[] = [];
    for await (const page of paginate(client, first).byPage()) sizes.push(page.length);
    expect(sizes).toEqual([2, 2, 1]);
    const rest: string[] = [];
    const link = `${base}?maxpagesize=2&continuationToken=2&api-version=2024-12-01`;
    for await (const page of paginate(client, first).byPage({ continuationToken: link }))
      rest.push(...page.map((m) => m.connectionId));
    expect(rest).toEqual(["c3", "c4", "c5"]);
  });

  it("throws a RestError when a later page fails", async () => {
    const { client: httpClient } = pagedService(1);
    const client = createWebPubSubRestClient("https://h.example", new AzureKeyCredential(KEY), {
      httpClient,
      retryOptions: { maxRetries: 0 },
    });
    const first = await client
      .path("/api/hubs/{hub}/groups/{group}/connections", "chat", "g1")
      .get({ queryParameters: { maxpagesize: 2 } });
    if (isUnexpected(first)) throw new Error("unexpected");
    const seen: string[] = [];
    const err = await (async () => {
      try {
        for await (const m of paginate(client, first)) seen.push(m.connectionId);
      } catch (e) {
        return e;
      }
    })();
    expect(seen).toEqual(["c1", "c2"]);
    expect(err).toBeInstanceOf(RestError);
    expect((err as RestError).statusCode).toBe(500);
  });
  it.each([
    ["at the reverse proxy (as a service that writes the forwarded host answers), followed", "https://gw.example/wps"],
    ["at the reverse proxy without its path, followed", "https://gw.example"],
    ["at another origin, refused", "https://elsewhere.example"],
  ])("behind a reverse proxy, a nextLink %s", async (what, linkOrigin) => {
    // the rule: a link at the proxy stands for the service URL (signed for it, sent through the proxy once); a link
    // anywhere else is refused, as without a proxy
    const { client: httpClient, seen } = pagedService(undefined, `${linkOrigin}/api/hubs/chat/groups/g1/connections`);
    const client = createWebPubSubRestClient("https://h.example", new AzureKeyCredential(KEY), {
      httpClient,
      reverseProxyEndpoint: "https://gw.example/wps",
    });
    const first = await client
      .path("/api/hubs/{hub}/groups/{group}/connections", "chat", "g1")
      .get({ queryParameters: { maxpagesize: 2 } });
    if (isUnexpected(first)) throw new Error("unexpected");
    const ids: string[] = [];
    const error = await (async () => {
      for await (const m of paginate(client, first)) ids.push(m.connectionId);
    })().catch((e: unknown) => e);
    const audiences = seen.map((r) => {
      const jwt = (r.headers.authorization ?? "").split(".")[1] ?? "";
      return JSON.parse(Buffer.from(jwt, "base64url").toString()).aud as string;
    });
    if (what.endsWith("refused")) {
      expect(error).toBeInstanceOf(RestError);
      expect(ids).toEqual(["c1", "c2"]);
      expect(seen).toHaveLength(1);
      return;
    }
    expect(error).toBeUndefined();
    expect(ids).toEqual(["c1", "c2", "c3", "c4", "c5"]);
    for (const r of seen)
      expect(r.url).toMatch(/^https:\/\/gw\.example\/wps\/api\/hubs\/chat\/groups\/g1\/connections\?/);
    for (const aud of audiences)
      expect(aud).toMatch(/^https:\/\/h\.example\/api\/hubs\/chat\/groups\/g1\/connections\?/);
  });
});
