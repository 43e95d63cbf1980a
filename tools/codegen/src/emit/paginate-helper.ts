// paginate-helper.ts: `paginate(client, firstResponse)` typed per pageable operation (`PaginateReturn`), over the
// paging runtime (runtime/paging.ts) and the route of the first response.
import { propertyKey } from "../naming.ts";
import type { EmitContext } from "./context.ts";

export function emitPaginateHelper(ctx: EmitContext): string[] {
  const itemNames = [...new Set(ctx.api.operations.flatMap((o) => (o.pageable ? [o.pageable.itemName] : [])))].sort();
  let returnType = "Array<unknown>";
  for (const name of [...itemNames].reverse()) {
    returnType = `TResult extends { body: { ${propertyKey(name)}?: infer TPage } } ? GetArrayType<TPage> : ${returnType}`;
  }
  return [
    'import type { Client, PathUncheckedResponse } from "@azure-rest/core-client";',
    `import { type GetArrayType, type PagedAsyncIterableIterator, pagedIterator } from ${ctx.module("paging")};`,
    `import { routeTable } from ${ctx.module("routes")};`,
    "",
    `export type { GetArrayType, PagedAsyncIterableIterator, PageSettings } from ${ctx.module("paging")};`,
    "",
    "/** The item type of a pageable response. */",
    `export type PaginateReturn<TResult> = ${returnType};`,
    "",
    "/**",
    " * Iterates every item of a pageable operation, starting from its first response and following the next-page links.",
    " * A page whose status code is not a success code of the operation throws a RestError.",
    " */",
    "export function paginate<TResponse extends PathUncheckedResponse>(",
    "  client: Client,",
    "  initialResponse: TResponse,",
    "): PagedAsyncIterableIterator<PaginateReturn<TResponse>> {",
    "  const { method, url } = initialResponse.request;",
    "  return pagedIterator<PaginateReturn<TResponse>>(client, initialResponse, routeTable.find(method, url));",
    "}",
  ];
}
