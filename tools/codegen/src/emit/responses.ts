// responses.ts: per operation and status code, `<Op><code>Response` with its typed status, body and headers, and
// `<Op>DefaultResponse` (synthesised when the spec lists no default).
import type { OperationModel, ResponseModel } from "../model.ts";
import { docComment, literal, propertyKey } from "../naming.ts";
import type { EmitContext } from "./context.ts";
import { responseTypeName, typeRefs } from "./operation-types.ts";

const SYNTHESISED_DEFAULT: ResponseModel = {
  code: "default",
  description: "Any status code the spec does not list.",
  headers: [],
};

/** The types of one response; adds the model names it uses to `models`. */
function responseType(op: OperationModel, r: ResponseModel, models: Set<string>): string[] {
  const out: string[] = [];
  const code = r.code === "default" ? "Default" : r.code;
  let headersType: string | undefined;
  if (r.headers.length) {
    out.push(`export interface ${op.name}${code}Headers {`);
    for (const h of r.headers) {
      out.push(...docComment(h.description, "  "), `  ${propertyKey(h.name)}?: ${h.type};`);
      for (const name of typeRefs(h.type)) models.add(name);
    }
    out.push("}", "");
    headersType = `RawHttpHeaders & ${op.name}${code}Headers`;
  }
  out.push(...docComment(r.description));
  out.push(`export interface ${responseTypeName(op, r.code)} extends HttpResponse {`);
  out.push(`  status: ${r.code === "default" ? "string" : literal(r.code)};`);
  if (r.bodyType) {
    out.push(`  body: ${r.bodyType};`);
    for (const name of typeRefs(r.bodyType)) models.add(name);
  }
  if (headersType) out.push(`  headers: ${headersType};`);
  out.push("}", "");
  return out;
}

export function emitResponses(ctx: EmitContext): string[] {
  const out: string[] = [];
  const models = new Set<string>();
  for (const op of ctx.api.operations) {
    const responses = op.responses.some((r) => r.code === "default")
      ? op.responses
      : [...op.responses, SYNTHESISED_DEFAULT];
    for (const r of responses) out.push(...responseType(op, r, models));
  }
  return [
    'import type { HttpResponse } from "@azure-rest/core-client";',
    'import type { RawHttpHeaders } from "@azure/core-rest-pipeline";',
    ...ctx.importTypes(models, "outputModels"),
    "",
    ...out,
  ];
}
