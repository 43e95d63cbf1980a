// The paging runtime of the generated client (src/runtime/paging.ts, copied verbatim into the output): following
// next-page links with the item and link names of the route, and failing loudly on a bad page.
import { RestError } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { mapPageLinks, pagedIterator } from "../src/runtime/paging.ts";
import { fakeClient, type Reply } from "./helpers/fake-http.ts";

/** Serves pages from `pages` by the `page` query parameter, starting at 0. */
function pagedService(pages: Reply[]) {
  return fakeClient((url) => pages[Number(url.searchParams.get("page") ?? "0")] ?? { status: 500 });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

const link = (page: number) => `https://h.example/pets?page=${page}`;

describe("pagedIterator", () => {
  it("follows the route's next-link name across pages and yields the route's items in order", async () => {
    const { client, sent } = pagedService([
      { status: 200, body: { pets: ["a", "b"], "@next": link(1), value: ["not", "these"] } },
      { status: 200, body: { pets: ["c"], "@next": link(2) } },
      { status: 200, body: { pets: [] } },
    ]);
    const first = await client.pathUnchecked("/pets").get();
    const route = { success: ["200"], paging: { itemName: "pets", nextLinkName: "@next" } };
    expect(await collect(pagedIterator<string>(client, first, route))).toEqual(["a", "b", "c"]);
    expect(sent.map((s) => s.url)).toEqual(["https://h.example/pets", link(1), link(2)]);
  });

  it("stops after the first page when the route has no next link (nextLinkName null), whatever the page holds", async () => {
    // neither the default nextLink nor a property named after the null link name (`body[null]` reads "null")
    const { client, sent } = pagedService([{ status: 200, body: { value: [1], nextLink: link(1), null: link(1) } }]);
    const first = await client.pathUnchecked("/pets").get();
    const route = { success: ["200"], paging: { itemName: "value", nextLinkName: null } };
    expect(await collect(pagedIterator<number>(client, first, route))).toEqual([1]);
    expect(sent).toHaveLength(1);
  });

  it("uses value and nextLink, and any 2xx, when the route is unknown; an empty link ends paging", async () => {
    const { client } = pagedService([
      { status: 200, body: { value: [1], nextLink: link(1) } },
      { status: 203, body: { value: [2], nextLink: "" } },
    ]);
    const first = await client.pathUnchecked("/pets").get();
    expect(await collect(pagedIterator<number>(client, first, undefined))).toEqual([1, 2]);
  });

  it("throws a RestError for a page whose status is not a success code of the route", async () => {
    const { client } = pagedService([
      { status: 200, body: { value: [1], nextLink: link(1) } },
      { status: 203, body: { value: [2] } },
    ]);
    const first = await client.pathUnchecked("/pets").get();
    const items = pagedIterator<number>(client, first, { success: ["200"] });
    expect(await items.next()).toEqual({ done: false, value: 1 });
    const error = await items.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestError);
    expect((error as RestError).statusCode).toBe(203);
    expect((error as RestError).message).toBe("Paging failed with status 203");
  });

  it("accepts any 2xx page, and nothing else, when the route is unknown", async () => {
    for (const [status, fails] of [
      [200, false],
      [299, false],
      [199, true],
      [300, true],
    ] as const) {
      const { client } = pagedService([
        { status: 200, body: { value: [1], nextLink: link(1) } },
        { status, body: { value: [2] } },
      ]);
      const first = await client.pathUnchecked("/pets").get();
      const paging = collect(pagedIterator<number>(client, first, undefined));
      if (fails) await expect(paging, String(status)).rejects.toThrow(`Paging failed with status ${status}`);
      else expect(await paging, String(status)).toEqual([1, 2]);
    }
  });

  it("takes a page without items, or without a body, as a page of none, and still follows its link", async () => {
    const { client, sent } = pagedService([
      { status: 200, body: { nextLink: link(1) } },
      { status: 200, body: { value: [1], nextLink: link(2) } },
      { status: 204 },
    ]);
    const first = await client.pathUnchecked("/pets").get();
    expect(await collect(pagedIterator<number>(client, first, undefined).byPage())).toEqual([[], [1], []]);
    expect(sent).toHaveLength(3);
  });

  it("throws a TypeError when a page's items are not an array", async () => {
    const { client } = pagedService([{ status: 200, body: { value: "nope" } }]);
    const first = await client.pathUnchecked("/pets").get();
    await expect(collect(pagedIterator(client, first, { success: ["200"] }))).rejects.toThrow(
      'Paging expects "value" to be an array in every page',
    );
  });

  it("iterates whole pages with byPage, from the first response or from a continuation link", async () => {
    const { client } = pagedService([
      { status: 200, body: { value: [1, 2], nextLink: link(1) } },
      { status: 200, body: { value: [3], nextLink: link(2) } },
      { status: 200, body: { value: [4] } },
    ]);
    const first = await client.pathUnchecked("/pets").get();
    const paged = pagedIterator<number>(client, first, { success: ["200"] });
    expect(await collect(paged.byPage())).toEqual([[1, 2], [3], [4]]);
    expect(await collect(paged.byPage({ continuationToken: link(1) }))).toEqual([[3], [4]]);
    expect(paged[Symbol.asyncIterator]()).toBe(paged);
  });

  // Rule: the request credentials go only where the client was pointed: a next-page link is followed only on the
  // origin of the first page; and a service that keeps returning a link it returned before does not page forever.
  it("refuses a next-page link to another origin, without sending it, and names neither the link nor its host", async () => {
    const { client, sent } = fakeClient((url) =>
      url.host === "h.example" && url.searchParams.get("page") === null
        ? { status: 200, body: { value: [1], nextLink: "https://elsewhere.example/pets?page=1" } }
        : { status: 200, body: { value: [2] } },
    );
    const first = await client.pathUnchecked("/pets").get();
    const items = pagedIterator<number>(client, first, { success: ["200"] });
    expect(await items.next()).toEqual({ done: false, value: 1 });
    const error = await items.next().catch((e: unknown) => e as RestError);
    expect(error).toBeInstanceOf(RestError);
    expect((error as RestError).message).toBe(
      "Paging refuses a next-page link to another origin than the first page's: credentials go only to the client's endpoint.",
    );
    expect(sent.map((s) => s.url)).toEqual(["https://h.example/pets"]);
    // the same for a continuation link given to byPage, and for a scheme change on the same host
    await expect(
      collect(pagedIterator(client, first, undefined).byPage({ continuationToken: "http://h.example/pets?page=1" })),
    ).rejects.toThrow(/another origin/);
    expect(sent).toHaveLength(1);
  });

  it("follows a link on another origin as the client's mapPageLinks maps it, only onto the first page's origin", async () => {
    const { client, sent } = fakeClient((url) =>
      url.searchParams.get("page") === null
        ? { status: 200, body: { value: [1], nextLink: "https://gw.example/pets?page=1" } }
        : { status: 200, body: { value: [2] } },
    );
    const first = await client.pathUnchecked("/pets").get();
    // a mapper that maps the proxy's links onto the client's origin: followed there
    mapPageLinks(client, (url) =>
      url.host === "gw.example" ? `https://h.example${url.pathname}${url.search}` : undefined,
    );
    expect(await collect(pagedIterator<number>(client, first, undefined))).toEqual([1, 2]);
    expect(sent.map((s) => s.url)).toEqual(["https://h.example/pets", link(1)]);
    // the other side: a mapper that refuses the link, or maps it to yet another origin, does not open the way
    for (const mapped of [undefined, "https://elsewhere.example/pets?page=1"]) {
      mapPageLinks(client, () => mapped);
      await expect(collect(pagedIterator<number>(client, first, undefined))).rejects.toThrow(/another origin/);
    }
    expect(sent).toHaveLength(2);
  });

  it("follows a relative next-page link and one on the first page's origin", async () => {
    const { client, sent } = pagedService([
      { status: 200, body: { value: [1], nextLink: "/pets?page=1" } },
      { status: 200, body: { value: [2], nextLink: link(2) } },
      { status: 200, body: { value: [3] } },
    ]);
    const first = await client.pathUnchecked("/pets").get();
    expect(await collect(pagedIterator<number>(client, first, undefined))).toEqual([1, 2, 3]);
    expect(sent.map((s) => s.url)).toEqual(["https://h.example/pets", link(1), link(2)]);
  });

  it("stops with a RestError when the service returns a next-page link it returned before", async () => {
    const { client, sent } = pagedService([
      { status: 200, body: { value: [1], nextLink: link(1) } },
      { status: 200, body: { value: [2], nextLink: link(2) } },
      { status: 200, body: { value: [3], nextLink: link(1) } },
    ]);
    const first = await client.pathUnchecked("/pets").get();
    const seen: number[] = [];
    const error = await (async () => {
      for await (const n of pagedIterator<number>(client, first, undefined)) {
        seen.push(n);
        if (seen.length > 10) return "paged on and on"; // what a loop without the check does; ends this test
      }
    })().catch((e: unknown) => e as RestError);
    expect(error).toBeInstanceOf(RestError);
    expect((error as RestError).message).toBe(
      "Paging stopped: the service returned a next-page link it had returned before.",
    );
    expect(seen).toEqual([1, 2, 3]);
    expect(sent).toHaveLength(3);
  });

  it("counts the continuation link given to byPage as returned before", async () => {
    const { client, sent } = pagedService([
      { status: 200, body: { value: [1], nextLink: link(1) } },
      { status: 200, body: { value: [2], nextLink: link(2) } },
      { status: 200, body: { value: [3], nextLink: link(1) } },
    ]);
    const first = await client.pathUnchecked("/pets").get();
    const pages: number[][] = [];
    const error = await (async () => {
      for await (const page of pagedIterator<number>(client, first, undefined).byPage({ continuationToken: link(1) })) {
        pages.push(page);
        if (pages.length > 10) return "paged on and on";
      }
    })().catch((e: unknown) => e as RestError);
    expect((error as RestError).message).toBe(
      "Paging stopped: the service returned a next-page link it had returned before.",
    );
    expect(pages).toEqual([[2], [3]]);
    expect(sent.map((s) => s.url)).toEqual(["https://h.example/pets", link(1), link(2)]);
  });
});
