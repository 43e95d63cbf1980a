// routes.ts: the spec's routes as run-time data, one RouteTable (runtime/route-table.ts) keyed by
// `METHOD /path/template`: success codes, array query formats, default content types, paging.
import type { OperationModel } from "../model.ts";
import { literal, propertyKey } from "../naming.ts";
import { BINARY_INPUT_TYPE } from "../types.ts";
import type { EmitContext } from "./context.ts";
import { defaultContentType } from "./operation-types.ts";

/** The `RouteInfo` object literal of one operation. */
function routeInfo(op: OperationModel): string {
  const fields: string[] = [`success: [${op.successCodes.map(literal).join(", ")}]`];
  const formats = op.queryParams.filter((p) => p.collectionFormat && p.collectionFormat !== "csv");
  if (formats.length) {
    const entries = formats.map((p) => `${propertyKey(p.wireName)}: ${literal(p.collectionFormat!)}`);
    fields.push(`query: { ${entries.join(", ")} }`);
  }
  if (op.body) {
    const contentType = defaultContentType(op.body);
    fields.push(`contentType: ${literal(contentType)}`);
    const binary = op.body.variants.find((v) => v.type === BINARY_INPUT_TYPE);
    if (binary && binary.contentType !== contentType) fields.push(`binaryContentType: ${literal(binary.contentType)}`);
  }
  if (op.pageable) {
    const { itemName, nextLinkName } = op.pageable;
    const next = nextLinkName === null ? "null" : literal(nextLinkName);
    fields.push(`paging: { itemName: ${literal(itemName)}, nextLinkName: ${next} }`);
  }
  return `{ ${fields.join(", ")} }`;
}

export function emitRoutes(ctx: EmitContext): string[] {
  const entries = ctx.api.operations.map(
    (op) => `  ${literal(`${op.method.toUpperCase()} ${op.path}`)}: ${routeInfo(op)},`,
  );
  return [
    `import { RouteTable } from ${ctx.module("routeTable")};`,
    "",
    "/** The routes of the API, keyed by `METHOD /path/template`. */",
    "export const routeTable = new RouteTable({",
    ...entries,
    "});",
  ];
}
