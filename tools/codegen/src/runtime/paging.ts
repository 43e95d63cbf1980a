// Paging over the responses of an `x-ms-pageable` operation: items, or whole pages, following the next-page links.
// The codegen copies this file verbatim into the generated output (paging.ts) when the spec has pageable operations;
// the generated paginate-helper.ts types it per operation. It is code of the generator, type-checked and tested in
// tools/codegen.
import type { Client, PathUncheckedResponse } from "@azure-rest/core-client";
import { createRestError } from "@azure-rest/core-client";

/** Where to start paging: a page link returned by the service (`nextLink`). */
export interface PageSettings {
  continuationToken?: string;
}

/** Iterates items; `byPage()` iterates whole pages instead. */
export interface PagedAsyncIterableIterator<TElement, TPage = TElement[], TPageSettings = PageSettings> {
  next(): Promise<IteratorResult<TElement>>;
  [Symbol.asyncIterator](): PagedAsyncIterableIterator<TElement, TPage, TPageSettings>;
  byPage: (settings?: TPageSettings) => AsyncIterableIterator<TPage>;
}

/** The element type of an array type. */
export type GetArrayType<T> = T extends Array<infer TData> ? TData : never;

/** What paging needs to know about the route of the first response (the route table's `RouteInfo` has it). */
export interface PagedRoute {
  /** Status codes that mean success; every page must have one. */
  success: readonly string[];
  /** Where a page keeps its items and the link to the next page (default `value` and `nextLink`). */
  paging?: { itemName: string; nextLinkName: string | null };
}

/**
 * How a client's next-page links on another origin that stands for its own (a reverse proxy in front of the service)
 * become links of its own origin: the link to follow, or undefined to refuse it.
 */
export type PageLinkMapper = (link: URL) => string | undefined;

const linkMappers = new WeakMap<Client, PageLinkMapper>();

/** Sets how `client`'s paging maps links on another origin (see PageLinkMapper); the code that makes a client calls it. */
export function mapPageLinks(client: Client, mapper: PageLinkMapper): void {
  linkMappers.set(client, mapper);
}

/**
 * Iterates every item of a pageable operation, starting from its first response and following the next-page links.
 * A page whose status code is not a success code of `route` (any 2xx when the route is unknown) throws a RestError;
 * a page whose items are not an array throws a TypeError. A link is followed only on the origin of the first page's
 * request, or as the client's PageLinkMapper maps it there (the request credentials go nowhere else), and a link the
 * service returned before stops the paging, both with a RestError.
 */
export function pagedIterator<TElement>(
  client: Client,
  initialResponse: PathUncheckedResponse,
  route: PagedRoute | undefined,
): PagedAsyncIterableIterator<TElement> {
  const itemName = route?.paging?.itemName ?? "value";
  const nextLinkName = route?.paging === undefined ? "nextLink" : route.paging.nextLinkName;
  const success = route?.success;

  const origin = new URL(initialResponse.request.url).origin;
  /** `link` if it is on the first page's origin (or maps there); a RestError about `response`, the page that carried it, if not. */
  const checked = (link: string, response: PathUncheckedResponse): string => {
    const url = new URL(link, initialResponse.request.url);
    if (url.origin === origin) return link;
    const mapped = linkMappers.get(client)?.(url);
    if (mapped !== undefined && new URL(mapped).origin === origin) return mapped;
    throw createRestError(
      "Paging refuses a next-page link to another origin than the first page's: credentials go only to the client's endpoint.",
      response,
    );
  };

  async function* pages(startLink?: string): AsyncGenerator<TElement[]> {
    /** The links followed so far, the continuation link included: one returned again would page forever. */
    const followed = new Set<string>();
    let response = initialResponse;
    if (startLink !== undefined) {
      followed.add(startLink);
      response = await client.pathUnchecked(checked(startLink, initialResponse)).get();
    }
    for (;;) {
      const ok = success ? success.includes(response.status) : /^2\d\d$/.test(response.status);
      if (!ok) throw createRestError(`Paging failed with status ${response.status}`, response);
      const body = (response.body ?? {}) as Record<string, unknown>;
      const items = body[itemName];
      if (items !== undefined && !Array.isArray(items)) {
        throw new TypeError(`Paging expects "${itemName}" to be an array in every page`);
      }
      yield (items ?? []) as TElement[];
      const next = nextLinkName === null ? undefined : body[nextLinkName];
      if (typeof next !== "string" || next === "") return;
      if (followed.has(next)) {
        throw createRestError(
          "Paging stopped: the service returned a next-page link it had returned before.",
          response,
        );
      }
      followed.add(next);
      response = await client.pathUnchecked(checked(next, response)).get();
    }
  }

  async function* items(): AsyncGenerator<TElement> {
    for await (const page of pages()) yield* page;
  }

  const iterator = items();
  const paged: PagedAsyncIterableIterator<TElement> = {
    next: () => iterator.next(),
    [Symbol.asyncIterator]() {
      return paged;
    },
    byPage: (settings?: PageSettings) => pages(settings?.continuationToken),
  };
  return paged;
}
