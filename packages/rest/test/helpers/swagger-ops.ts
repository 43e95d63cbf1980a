// The operations of swagger/webpubsub.json, read independently of the generator, so tests can find the operation a
// recorded request belongs to and call it through the typed routes.
import { readFileSync } from "node:fs";
import { swaggerPath } from "./paths.ts";

type Obj = Record<string, unknown>;

export interface SwaggerOp {
  operationId: string;
  method: string;
  template: string;
  arrayParams: Set<string>;
  numberParams: Set<string>;
  pageable: boolean;
}

export function loadSwaggerOps(path = swaggerPath): SwaggerOp[] {
  const spec = JSON.parse(readFileSync(path, "utf8")) as Obj;
  const shared = (spec.parameters ?? {}) as Record<string, Obj>;
  const resolve = (p: Obj): Obj => (typeof p.$ref === "string" ? shared[p.$ref.split("/").pop()!]! : p);
  const ops: SwaggerOp[] = [];
  for (const [template, item] of Object.entries(spec.paths as Record<string, Record<string, Obj>>)) {
    for (const [method, op] of Object.entries(item)) {
      const params = ((op.parameters ?? []) as Obj[]).map(resolve);
      ops.push({
        operationId: op.operationId as string,
        method: method.toUpperCase(),
        template,
        arrayParams: new Set(params.filter((p) => p.type === "array").map((p) => p.name as string)),
        numberParams: new Set(
          params.filter((p) => p.type === "integer" || p.type === "number").map((p) => p.name as string),
        ),
        pageable: op["x-ms-pageable"] !== undefined,
      });
    }
  }
  return ops;
}

/** The operation whose template matches `pathname` exactly, with the decoded path arguments in template order. */
export function matchOperation(
  ops: SwaggerOp[],
  method: string,
  pathname: string,
): { op: SwaggerOp; args: string[] } | undefined {
  const segments = pathname.split("/").filter(Boolean);
  let best: { op: SwaggerOp; args: string[]; literals: number } | undefined;
  for (const op of ops) {
    if (op.method !== method) continue;
    const t = op.template.split("/").filter(Boolean);
    if (t.length !== segments.length) continue;
    const args: string[] = [];
    let literals = 0;
    let ok = true;
    t.forEach((seg, i) => {
      if (/^\{.+\}$/.test(seg)) args.push(decodeURIComponent(segments[i]!));
      else if (seg === segments[i]) literals++;
      else ok = false;
    });
    if (ok && (!best || literals > best.literals)) best = { op, args, literals };
  }
  return best && { op: best.op, args: best.args };
}
