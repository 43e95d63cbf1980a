// parameters.ts: per operation, its query parameters, headers and body (one variant per media type), and
// `<Op>Parameters`, the options its method takes.
import type { BodyModel, OperationModel, ParamModel } from "../model.ts";
import { docComment, literal, propertyKey } from "../naming.ts";
import type { EmitContext } from "./context.ts";
import { defaultContentType, typeRefs } from "./operation-types.ts";

function paramMembers(params: ParamModel[]): string[] {
  const out: string[] = [];
  for (const p of params) {
    out.push(...docComment(p.description, "  "));
    out.push(`  ${propertyKey(p.wireName)}${p.required ? "" : "?"}: ${p.type};`);
  }
  return out;
}

/** `<Op>QueryParamProperties` and `<Op>QueryParam`. */
function queryTypes(op: OperationModel): string[] {
  const n = op.name;
  return holderTypes(op.queryParams, `${n}QueryParamProperties`, `${n}QueryParam`, "queryParameters", (t) => t);
}

/** `<Op>Headers` and `<Op>HeaderParam`. */
function headerTypes(op: OperationModel): string[] {
  const n = op.name;
  return holderTypes(op.headerParams, `${n}Headers`, `${n}HeaderParam`, "headers", (t) => `RawHttpHeadersInput & ${t}`);
}

/** An interface of `params`, and one holding it as `member` (optional unless a parameter is required). */
function holderTypes(
  params: OperationModel["queryParams"],
  membersName: string,
  holderName: string,
  member: string,
  memberType: (membersName: string) => string,
): string[] {
  const required = params.some((p) => p.required);
  return [
    `export interface ${membersName} {`,
    ...paramMembers(params),
    "}",
    "",
    `export interface ${holderName} {`,
    `  ${member}${required ? "" : "?"}: ${memberType(membersName)};`,
    "}",
    "",
  ];
}

/** `<Op>BodyParam`: one `{ body, contentType }` variant per media type; the default content type may be omitted. */
function bodyType(op: OperationModel, b: BodyModel): string[] {
  const def = defaultContentType(b);
  const doc = docComment(b.description, "  ");
  const variants = b.variants.map((v) => {
    const ct = `contentType${v.contentType === def ? "?" : ""}: ${literal(v.contentType)}`;
    return ["{", ...doc, `  body${b.required ? "" : "?"}: ${v.type};`, `  ${ct};`, "}"].join("\n");
  });
  const union = variants.length > 1 ? `\n${variants.map((v) => `  | ${v}`).join("\n")}` : ` ${variants[0]}`;
  return [`export type ${op.name}BodyParam =${union};`, ""];
}

export function emitParameters(ctx: EmitContext): string[] {
  const out: string[] = [];
  const modelNames = new Set<string>();
  let usesHeaders = false;
  for (const op of ctx.api.operations) {
    const parts: string[] = [];
    if (op.queryParams.length) {
      out.push(...queryTypes(op));
      parts.push(`${op.name}QueryParam`);
    }
    if (op.headerParams.length) {
      usesHeaders = true;
      out.push(...headerTypes(op));
      parts.push(`${op.name}HeaderParam`);
    }
    if (op.body) {
      out.push(...bodyType(op, op.body));
      parts.push(`${op.name}BodyParam`);
      for (const v of op.body.variants) for (const name of typeRefs(v.type)) modelNames.add(name);
    }
    for (const p of [...op.queryParams, ...op.headerParams]) {
      for (const name of typeRefs(p.type)) modelNames.add(name);
    }
    out.push(...docComment(`Parameters of ${op.operationId}.`));
    out.push(`export type ${op.name}Parameters = ${[...parts, "RequestParameters"].join(" & ")};`, "");
  }
  const coreTypes = ["RequestParameters"];
  if (ctx.api.types.usesNodeStream) coreTypes.push("NodeJSReadableStream");
  const imports = [`import type { ${coreTypes.sort().join(", ")} } from "@azure-rest/core-client";`];
  if (usesHeaders) imports.push('import type { RawHttpHeadersInput } from "@azure/core-rest-pipeline";');
  if (ctx.api.types.hasModels("input")) imports.push(...ctx.importTypes(modelNames, "models"));
  return [...imports, "", ...out];
}
