// createPagedIterator: item iteration plus byPage(), the shape of @azure/core-paging, over a fetch-one-page function;
// fromPages: the same shape over a byPage() function (for listings that wrap each page iteration, e.g. in a span).

import { shownValue } from "@webpubsub/core/shown";

/** Where a page listing starts and how big its pages are. */
export interface PageSettings {
  continuationToken?: string;
  maxPageSize?: number;
}

/** Item-by-item iteration, plus `byPage()` for page-by-page iteration with continuation tokens. */
export interface PagedAsyncIterableIterator<T, TPage = T[], TSettings = PageSettings> extends AsyncIterableIterator<T> {
  byPage(settings?: TSettings): AsyncIterableIterator<TPage>;
}

export interface Page<T> {
  items: T[];
  /** Absent or empty on the last page. */
  continuationToken?: string;
}

/**
 * Builds a paged iterator over `fetchPage`, which is called with the continuation token of the previous page (none
 * for the first one) and the requested page size. Pages are fetched lazily, one at a time.
 */
export function createPagedIterator<T>(
  fetchPage: (settings: PageSettings) => Promise<Page<T>>,
): PagedAsyncIterableIterator<T, T[], PageSettings> {
  async function* pages(settings: PageSettings = {}): AsyncIterableIterator<T[]> {
    const { maxPageSize } = settings;
    if (maxPageSize !== undefined && (!Number.isInteger(maxPageSize) || maxPageSize < 1)) {
      throw new RangeError(`maxPageSize must be an integer >= 1, got ${shownValue(maxPageSize)}.`);
    }
    let token = settings.continuationToken;
    const seen = new Set<string>();
    do {
      const page = await fetchPage({ continuationToken: token, maxPageSize });
      yield page.items;
      token = page.continuationToken || undefined;
      if (token !== undefined) {
        if (seen.has(token)) throw new Error(`The service returned the continuation token ${shownValue(token)} twice.`);
        seen.add(token);
      }
    } while (token !== undefined);
  }
  return fromPages(pages);
}

/**
 * A paged iterator whose items are those of the pages of `byPage()` (called once, without settings, for item
 * iteration) and whose `byPage` is `byPage` itself.
 */
export function fromPages<T>(
  byPage: (settings?: PageSettings) => AsyncIterableIterator<T[]>,
): PagedAsyncIterableIterator<T, T[], PageSettings> {
  async function* items(): AsyncIterableIterator<T> {
    for await (const page of byPage()) yield* page;
  }
  const iterator = items();
  return {
    next: () => iterator.next(),
    return: async (value?: unknown) => {
      await iterator.return?.(value as T);
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
    byPage,
  };
}
