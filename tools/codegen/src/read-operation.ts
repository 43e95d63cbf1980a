// Reads one operation of a Swagger 2.0 document into an OperationModel: its parameters (path-level ones merged in),
// body variants per media type, responses with their success codes, and paging. Every error names the JSON pointer
// at fault.
import { pointerJoin, SpecError } from "./errors.ts";
import {
  type BodyModel,
  type HttpMethod,
  isJsonMediaType,
  type OperationModel,
  type ParamModel,
  type ResponseModel,
} from "./model.ts";
import { camelCase, pascalCase } from "./naming.ts";
import {
  describe,
  expectArray,
  expectObject,
  type Json,
  type JsonObject,
  type Located,
  optBoolean,
  optString,
  type Resolver,
  reqString,
} from "./reader.ts";
import type { Side, TypeMapper } from "./types.ts";

/** What every operation of a document is read with. */
export interface SpecContext {
  resolver: Resolver;
  types: TypeMapper;
  /** Names of the host parameters: path parameters with these names belong to the client, not the operation. */
  hostNames: ReadonlySet<string>;
}

/** One operation to read, and where it sits. */
export interface OperationContext extends SpecContext {
  /** The path template as written in the spec. */
  path: string;
  method: HttpMethod;
  /** The operation object and its JSON pointer. */
  node: Json;
  pointer: string;
  /** The parameters the path item shares with its operations, and the path item's pointer. */
  pathItem: { parameters: Json[]; pointer: string };
}

const COLLECTION_FORMATS = new Set(["csv", "ssv", "tsv", "pipes", "multi"]);

export function readOperation(ctx: OperationContext): { model: OperationModel; hadApiVersion: boolean } {
  const { pointer } = ctx;
  const op = expectObject(ctx.node, pointer, "an operation object");
  const operationId = reqString(op, "operationId", pointer);
  const consumes = mediaTypes(op, "consumes", pointer, ctx.resolver.root);
  const produces = mediaTypes(op, "produces", pointer, ctx.resolver.root);
  const { hadApiVersion, body, ...params } = readParameters(ctx, op, consumes);
  const { responses, successCodes } = readResponses(ctx, op, produces);
  const pageable = readPageable(ctx, op);
  const summary = optString(op, "summary", pointer);
  const description = optString(op, "description", pointer);
  return {
    hadApiVersion,
    model: {
      operationId,
      name: pascalCase(operationId),
      method: ctx.method,
      path: ctx.path,
      ...params,
      responses,
      successCodes,
      pointer,
      ...(summary ? { summary } : {}),
      ...(description ? { description } : {}),
      ...(body ? { body } : {}),
      ...(pageable ? { pageable } : {}),
    },
  };
}

/** The operation's parameter objects: path-level ones first, overridden by operation ones of the same name and place. */
function mergedParameters(ctx: OperationContext, op: JsonObject): Located<JsonObject>[] {
  const merged = new Map<string, Located<JsonObject>>();
  const add = (list: Json[], listPointer: string) =>
    list.forEach((entry, i) => {
      const p = ctx.resolver.deref(entry, pointerJoin(listPointer, i));
      const po = expectObject(p.node, p.pointer, "a parameter object");
      const pname = reqString(po, "name", p.pointer);
      const pin = reqString(po, "in", p.pointer);
      merged.set(`${pin}:${pname}`, { node: po, pointer: p.pointer });
    });
  add(ctx.pathItem.parameters, pointerJoin(ctx.pathItem.pointer, "parameters"));
  const opParams = pointerJoin(ctx.pointer, "parameters");
  if (op.parameters !== undefined) add(expectArray(op.parameters, opParams), opParams);
  return [...merged.values()];
}

interface OperationParameters {
  pathParams: ParamModel[];
  queryParams: ParamModel[];
  headerParams: ParamModel[];
  body?: BodyModel;
  /** Whether the operation took an `api-version` query parameter (it moves to the client options). */
  hadApiVersion: boolean;
}

function readParameters(ctx: OperationContext, op: JsonObject, consumes: string[]): OperationParameters {
  const { path, types } = ctx;
  const templateNames = [...path.split("?")[0]!.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const out: OperationParameters = { pathParams: [], queryParams: [], headerParams: [], hadApiVersion: false };
  for (const { node: p, pointer: pp } of mergedParameters(ctx, op)) {
    const wireName = p.name as string;
    const where = p.in as string;
    const required = optBoolean(p, "required", pp) ?? false;
    const description = optString(p, "description", pp);
    const argName = camelCase(optString(p, "x-ms-client-name", pp) ?? wireName);
    const base = { wireName, argName, required, pointer: pp, ...(description ? { description } : {}) };
    switch (where) {
      case "path":
        if (ctx.hostNames.has(wireName)) continue;
        if (!required) throw new SpecError(pointerJoin(pp, "required"), "path parameters must be required");
        if (!templateNames.includes(wireName))
          throw new SpecError(pp, `path parameter "${wireName}" does not appear in ${path}`);
        out.pathParams.push({ ...base, type: simpleType(types, p, pp) });
        break;
      case "query":
        if (wireName === "api-version" && p.enum === undefined) {
          out.hadApiVersion = true;
          continue;
        }
        out.queryParams.push({ ...base, ...queryCollection(p, pp), type: simpleType(types, p, pp) });
        break;
      case "header":
        if (wireName.toLowerCase() === "content-type" || wireName.toLowerCase() === "accept") continue;
        out.headerParams.push({ ...base, type: simpleType(types, p, pp) });
        break;
      case "body":
        if (out.body) throw new SpecError(pp, "an operation can have only one body parameter");
        out.body = readBody(types, p, pp, consumes);
        break;
      case "formData":
        throw new SpecError(pointerJoin(pp, "in"), "formData parameters are not supported");
      default:
        throw new SpecError(pointerJoin(pp, "in"), `unknown parameter location "${where}"`);
    }
  }
  // Path arguments follow the order of the template, which is what the Routes overloads take.
  for (const t of templateNames) {
    if (ctx.hostNames.has(t)) continue;
    if (!out.pathParams.some((p) => p.wireName === t))
      throw new SpecError(ctx.pointer, `{${t}} in ${path} has no path parameter`);
  }
  out.pathParams.sort((a, b) => templateNames.indexOf(a.wireName) - templateNames.indexOf(b.wireName));
  return out;
}

/** A body parameter: one variant per media type the operation consumes (JSON when it names none). */
function readBody(types: TypeMapper, p: JsonObject, pp: string, consumes: string[]): BodyModel {
  if (p.schema === undefined) throw new SpecError(pp, 'a body parameter needs a "schema"');
  const description = optString(p, "description", pp);
  const cts = consumes.length ? consumes : ["application/json"];
  return {
    required: optBoolean(p, "required", pp) ?? false,
    ...(description ? { description } : {}),
    pointer: pp,
    variants: cts.map((contentType) => ({
      contentType,
      type: bodyType(types, contentType, p.schema!, pointerJoin(pp, "schema")),
    })),
  };
}

/** The responses by status code, and the codes that mean success (all but `default` and x-ms-error-response ones). */
function readResponses(
  ctx: OperationContext,
  op: JsonObject,
  produces: string[],
): { responses: ResponseModel[]; successCodes: string[] } {
  const responsesPointer = pointerJoin(ctx.pointer, "responses");
  const respObj = expectObject(op.responses, responsesPointer);
  const responses = Object.keys(respObj).map((code) => readResponse(ctx, respObj, code, produces));
  const successCodes = responses
    .filter((r) => r.code !== "default" && !isErrorResponse(respObj, r.code))
    .map((r) => r.code);
  if (!successCodes.length)
    throw new SpecError(responsesPointer, "an operation needs at least one non-error status code");
  return { responses, successCodes };
}

function readResponse(ctx: OperationContext, respObj: JsonObject, code: string, produces: string[]): ResponseModel {
  const { types } = ctx;
  const rp = pointerJoin(ctx.pointer, "responses", code);
  if (code !== "default" && !/^[1-5][0-9][0-9]$/.test(code)) throw new SpecError(rp, `"${code}" is not a status code`);
  const r = ctx.resolver.deref(respObj[code]!, rp);
  const ro = expectObject(r.node, r.pointer, "a response object");
  const description = optString(ro, "description", r.pointer);
  const headers: ResponseModel["headers"] = [];
  if (ro.headers !== undefined) {
    const ho = expectObject(ro.headers, pointerJoin(r.pointer, "headers"));
    for (const h of Object.keys(ho)) {
      const hp = pointerJoin(r.pointer, "headers", h);
      const hobj = expectObject(ho[h], hp);
      const hd = optString(hobj, "description", hp);
      headers.push({ name: h.toLowerCase(), type: headerType(types, hobj, hp), ...(hd ? { description: hd } : {}) });
    }
  }
  let bodyTypeName: string | undefined;
  if (ro.schema !== undefined && ctx.method !== "head") {
    bodyTypeName = responseBodyType(types, produces, ro.schema, pointerJoin(r.pointer, "schema"));
  }
  return {
    code,
    headers,
    ...(description ? { description } : {}),
    ...(bodyTypeName ? { bodyType: bodyTypeName } : {}),
  };
}

/** `x-ms-pageable`: where pages keep their items (default `value`) and the next-page link (null: no next page). */
function readPageable(ctx: OperationContext, op: JsonObject): OperationModel["pageable"] {
  if (op["x-ms-pageable"] === undefined) return undefined;
  const pgp = pointerJoin(ctx.pointer, "x-ms-pageable");
  const pg = expectObject(op["x-ms-pageable"], pgp);
  const next = pg.nextLinkName;
  if (next !== null && next !== undefined && typeof next !== "string")
    throw new SpecError(pointerJoin(pgp, "nextLinkName"), "expected a string or null");
  const pageable = { itemName: optString(pg, "itemName", pgp) ?? "value", nextLinkName: next ?? null };
  if (ctx.method !== "get" && ctx.method !== "post")
    throw new SpecError(pgp, "only GET and POST operations can be pageable");
  return pageable;
}

function isErrorResponse(responses: JsonObject, code: string): boolean {
  const r = responses[code];
  return typeof r === "object" && r !== null && !Array.isArray(r) && r["x-ms-error-response"] === true;
}

function mediaTypes(op: JsonObject, key: "consumes" | "produces", pointer: string, root: JsonObject): string[] {
  const raw = op[key] ?? root[key];
  if (raw === undefined) return [];
  const where = op[key] !== undefined ? pointerJoin(pointer, key) : `/${key}`;
  return expectArray(raw, where).map((v, i) => {
    if (typeof v !== "string" || !v.includes("/")) throw new SpecError(pointerJoin(where, i), "expected a media type");
    return v;
  });
}

function queryCollection(p: JsonObject, pp: string): Pick<ParamModel, "collectionFormat"> {
  if (p.type !== "array") return {};
  const cf = optString(p, "collectionFormat", pp) ?? "csv";
  if (!COLLECTION_FORMATS.has(cf))
    throw new SpecError(pointerJoin(pp, "collectionFormat"), `unsupported collectionFormat "${cf}"`);
  return { collectionFormat: cf as ParamModel["collectionFormat"] };
}

/** Types of non-body parameters: primitives, enums and arrays of those. */
function simpleType(types: TypeMapper, p: JsonObject, pp: string): string {
  if (p.type === undefined) throw new SpecError(pp, 'a non-body parameter needs a "type"');
  if (p.type === "object")
    throw new SpecError(pointerJoin(pp, "type"), "object-typed non-body parameters are not supported");
  if (p.type === "array") {
    if (p.items === undefined) throw new SpecError(pp, 'an array parameter needs "items"');
    const inner = expectObject(p.items, pointerJoin(pp, "items"));
    if (inner.type === "array" || inner.type === "object")
      throw new SpecError(
        pointerJoin(pp, "items", "type"),
        "arrays of arrays or objects are not supported in parameters",
      );
  }
  return types.typeOf(p, pp, "input");
}

function headerType(types: TypeMapper, h: JsonObject, hp: string): string {
  // Raw response headers are strings at run time; enums keep their literal names for readability.
  if (h.enum !== undefined) return types.typeOf(h, hp, "output");
  if (h.type !== undefined && !["string", "integer", "number", "boolean", "array"].includes(h.type as string)) {
    throw new SpecError(pointerJoin(hp, "type"), `unsupported header type: ${describe(h.type)}`);
  }
  return "string";
}

function bodyType(types: TypeMapper, contentType: string, schema: Json, pointer: string): string {
  const s = expectObject(schema, pointer, "a schema object");
  const isBinarySchema = (s.type === "string" && s.format === "binary") || s.type === "file";
  if (isJsonMediaType(contentType)) return isBinarySchema ? "unknown" : types.typeOf(s, pointer, "input");
  if (contentType.toLowerCase().startsWith("text/")) return "string";
  if (isBinarySchema || s.type === "string") return types.binary();
  return types.typeOf(s, pointer, "input");
}

function responseBodyType(types: TypeMapper, produces: string[], schema: Json, pointer: string): string {
  const s = expectObject(schema, pointer, "a schema object");
  if ((s.type === "string" && s.format === "binary") || s.type === "file") return "string";
  const textOnly = produces.length > 0 && produces.every((ct) => !isJsonMediaType(ct));
  return textOnly ? "string" : types.typeOf(s, pointer, "output" satisfies Side);
}
