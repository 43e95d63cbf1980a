// The paging runtime of the generated client (src/runtime/paging.ts, copied verbatim into the output): following
// next-page links with the item and link names of the route, and failing loudly on a bad page.
import { RestError } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { pagedIterator } from "../src/runtime/paging.ts";
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

  it("stops after the first page when the route has no next link (nextLinkName null)", async () => {
    const { client, sent } = pagedService([{ status: 200, body: { value: [1], nextLink: link(1) } }]);
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
});
