// Reads a Swagger 2.0 document into the intermediate model the emitters consume. All validation happens here, and
// every error names the JSON pointer at fault.
import { pointerJoin, SpecError } from "./errors.ts";
import { camelCase, pascalCase } from "./naming.ts";
import {
  expectArray,
  expectObject,
  type Json,
  type JsonObject,
  optBoolean,
  optString,
  Resolver,
  reqString,
} from "./reader.ts";
import { type Side, TypeMapper } from "./types.ts";

export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface ParamModel {
  /** Name on the wire. */
  wireName: string;
  /** Identifier used for path arguments (x-ms-client-name wins). */
  argName: string;
  type: string;
  required: boolean;
  description?: string;
  /** For arrays in the query: how the values travel. */
  collectionFormat?: "csv" | "ssv" | "tsv" | "pipes" | "multi";
  pointer: string;
}

export interface BodyVariant {
  contentType: string;
  type: string;
}

export interface BodyModel {
  required: boolean;
  description?: string;
  variants: BodyVariant[];
  pointer: string;
}

export interface ResponseModel {
  /** "200", "404", ... or "default". */
  code: string;
  description?: string;
  bodyType?: string;
  headers: { name: string; type: string; description?: string }[];
}

export interface OperationModel {
  operationId: string;
  /** PascalCase name used for every generated type of this operation. */
  name: string;
  method: HttpMethod;
  /** The path template as written in the spec (the `Routes` literal). */
  path: string;
  summary?: string;
  description?: string;
  pathParams: ParamModel[];
  queryParams: ParamModel[];
  headerParams: ParamModel[];
  body?: BodyModel;
  responses: ResponseModel[];
  successCodes: string[];
  pageable?: { itemName: string; nextLinkName: string | null };
  pointer: string;
}

export interface HostParamModel {
  name: string;
  argName: string;
  required: boolean;
  default?: string;
  description?: string;
}

export interface ApiModel {
  title: string;
  description?: string;
  apiVersion?: string;
  /** Set when operations take an `api-version` query parameter: it moves to the client options. */
  clientApiVersion: boolean;
  host: { template: string; params: HostParamModel[] };
  credential: { tokenScopes?: string[]; apiKeyHeader?: string };
  operations: OperationModel[];
  types: TypeMapper;
}

const COLLECTION_FORMATS = new Set(["csv", "ssv", "tsv", "pipes", "multi"]);

export function isJsonMediaType(ct: string): boolean {
  const base = ct.split(";")[0]!.trim().toLowerCase();
  return base === "application/json" || base === "text/json" || base.endsWith("+json");
}

export function buildModel(input: unknown): ApiModel {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new SpecError("", "the spec must be a JSON object");
  const root = input as JsonObject;
  if (root.swagger !== "2.0") throw new SpecError("/swagger", `only OpenAPI 2.0 ("swagger": "2.0") is supported`);
  const resolver = new Resolver(root);
  const types = new TypeMapper(resolver);
  const info = expectObject(root.info, "/info");
  const title = reqString(info, "title", "/info");
  const apiVersion = optString(info, "version", "/info");
  const host = readHost(root, resolver);
  const hostNames = new Set(host.params.map((p) => p.name));

  const operations: OperationModel[] = [];
  const seenIds = new Map<string, string>();
  const seenNames = new Map<string, string>();
  const seenRoutes = new Set<string>();
  let clientApiVersion = false;
  for (const section of ["paths", "x-ms-paths"] as const) {
    if (root[section] === undefined) continue;
    const paths = expectObject(root[section], `/${section}`);
    for (const path of Object.keys(paths)) {
      const itemPointer = pointerJoin(`/${section}`, path);
      if (!path.startsWith("/")) throw new SpecError(itemPointer, "a path must start with '/'");
      if (section === "x-ms-paths" && !path.includes("?")) {
        throw new SpecError(itemPointer, "an x-ms-paths key must carry a query part (path?name=value)");
      }
      const item = resolver.deref(paths[path]!, itemPointer);
      const itemObj = expectObject(item.node, item.pointer, "a path item object");
      const shared =
        itemObj.parameters === undefined
          ? []
          : expectArray(itemObj.parameters, pointerJoin(item.pointer, "parameters"));
      for (const key of Object.keys(itemObj)) {
        if (key === "parameters" || key.startsWith("x-")) continue;
        if (!(HTTP_METHODS as readonly string[]).includes(key))
          throw new SpecError(pointerJoin(item.pointer, key), `unknown HTTP method "${key}"`);
        const method = key as HttpMethod;
        const route = `${method.toUpperCase()} ${path}`;
        if (seenRoutes.has(route)) throw new SpecError(pointerJoin(item.pointer, key), `duplicate route ${route}`);
        seenRoutes.add(route);
        const { model: op, hadApiVersion } = readOperation(
          resolver,
          types,
          path,
          method,
          itemObj[key]!,
          pointerJoin(item.pointer, key),
          shared,
          item.pointer,
          hostNames,
        );
        const prevId = seenIds.get(op.operationId);
        if (prevId)
          throw new SpecError(
            pointerJoin(op.pointer, "operationId"),
            `operationId "${op.operationId}" is also used at ${prevId}`,
          );
        seenIds.set(op.operationId, op.pointer);
        const prevName = seenNames.get(op.name);
        if (prevName)
          throw new SpecError(
            pointerJoin(op.pointer, "operationId"),
            `operation name "${op.name}" clashes with ${prevName}`,
          );
        seenNames.set(op.name, op.pointer);
        if (hadApiVersion) clientApiVersion = true;
        operations.push(op);
      }
    }
  }
  if (!operations.length) throw new SpecError("/paths", "the spec has no operations");
  return {
    title,
    ...(optString(info, "description", "/info") ? { description: optString(info, "description", "/info")! } : {}),
    ...(apiVersion ? { apiVersion } : {}),
    clientApiVersion,
    host,
    credential: readCredential(root),
    operations,
    types,
  };
}

function readHost(root: JsonObject, resolver: Resolver): ApiModel["host"] {
  const ext = root["x-ms-parameterized-host"];
  if (ext === undefined) {
    const host = optString(root, "host", "");
    const basePath = optString(root, "basePath", "") ?? "";
    if (!host) return { template: "{endpoint}", params: [{ name: "endpoint", argName: "endpoint", required: true }] };
    const schemes = root.schemes === undefined ? ["https"] : expectArray(root.schemes, "/schemes");
    const scheme = typeof schemes[0] === "string" ? schemes[0] : "https";
    return { template: `${scheme}://${host}${basePath.replace(/\/$/, "")}`, params: [] };
  }
  const pointer = "/x-ms-parameterized-host";
  const obj = expectObject(ext, pointer);
  const hostTemplate = reqString(obj, "hostTemplate", pointer);
  const useSchemePrefix = optBoolean(obj, "useSchemePrefix", pointer) ?? true;
  const params: HostParamModel[] = [];
  const list = obj.parameters === undefined ? [] : expectArray(obj.parameters, pointerJoin(pointer, "parameters"));
  list.forEach((raw, i) => {
    const p = resolver.deref(raw, pointerJoin(pointer, "parameters", i));
    const po = expectObject(p.node, p.pointer, "a parameter object");
    const name = reqString(po, "name", p.pointer);
    if (po.in !== "path") throw new SpecError(pointerJoin(p.pointer, "in"), 'host parameters must be "in": "path"');
    const location = optString(po, "x-ms-parameter-location", p.pointer) ?? "client";
    if (location !== "client")
      throw new SpecError(
        pointerJoin(p.pointer, "x-ms-parameter-location"),
        "only client-level host parameters are supported",
      );
    const def = po.default;
    if (def !== undefined && typeof def !== "string")
      throw new SpecError(pointerJoin(p.pointer, "default"), "a host parameter default must be a string");
    const description = optString(po, "description", p.pointer);
    params.push({
      name,
      argName: camelCase(optString(po, "x-ms-client-name", p.pointer) ?? name),
      required: (optBoolean(po, "required", p.pointer) ?? false) && def === undefined,
      ...(def !== undefined ? { default: def } : {}),
      ...(description ? { description } : {}),
    });
  });
  for (const m of hostTemplate.matchAll(/\{([^}]+)\}/g)) {
    if (!params.some((p) => p.name === m[1]))
      throw new SpecError(pointerJoin(pointer, "hostTemplate"), `{${m[1]}} has no parameter`);
  }
  const schemes = root.schemes === undefined ? ["https"] : expectArray(root.schemes, "/schemes");
  const prefix = useSchemePrefix ? `${typeof schemes[0] === "string" ? schemes[0] : "https"}://` : "";
  return { template: prefix + hostTemplate, params };
}

function readCredential(root: JsonObject): ApiModel["credential"] {
  if (root.securityDefinitions === undefined) return {};
  const defs = expectObject(root.securityDefinitions, "/securityDefinitions");
  const out: ApiModel["credential"] = {};
  for (const key of Object.keys(defs)) {
    const pointer = pointerJoin("/securityDefinitions", key);
    const d = expectObject(defs[key], pointer);
    const type = reqString(d, "type", pointer);
    if (type === "oauth2") {
      const scopes = d.scopes === undefined ? {} : expectObject(d.scopes, pointerJoin(pointer, "scopes"));
      out.tokenScopes = [...(out.tokenScopes ?? []), ...Object.keys(scopes)];
    } else if (type === "apiKey") {
      if (d.in !== "header")
        throw new SpecError(pointerJoin(pointer, "in"), 'only "in": "header" API keys are supported');
      out.apiKeyHeader = reqString(d, "name", pointer);
    } else {
      throw new SpecError(pointerJoin(pointer, "type"), `unsupported security scheme type "${type}"`);
    }
  }
  return out;
}

function readOperation(
  resolver: Resolver,
  types: TypeMapper,
  path: string,
  method: HttpMethod,
  raw: Json,
  pointer: string,
  shared: Json[],
  itemPointer: string,
  hostNames: Set<string>,
): { model: OperationModel; hadApiVersion: boolean } {
  const op = expectObject(raw, pointer, "an operation object");
  const operationId = reqString(op, "operationId", pointer);
  const name = pascalCase(operationId);
  const consumes = mediaTypes(op, "consumes", pointer, resolver.root);
  const produces = mediaTypes(op, "produces", pointer, resolver.root);

  // Operation parameters override path-level ones with the same name and location.
  const merged = new Map<string, { node: JsonObject; pointer: string }>();
  const add = (list: Json[], listPointer: string) =>
    list.forEach((entry, i) => {
      const p = resolver.deref(entry, pointerJoin(listPointer, i));
      const po = expectObject(p.node, p.pointer, "a parameter object");
      const pname = reqString(po, "name", p.pointer);
      const pin = reqString(po, "in", p.pointer);
      merged.set(`${pin}:${pname}`, { node: po, pointer: p.pointer });
    });
  add(shared, pointerJoin(itemPointer, "parameters"));
  if (op.parameters !== undefined)
    add(expectArray(op.parameters, pointerJoin(pointer, "parameters")), pointerJoin(pointer, "parameters"));

  const templateNames = [...path.split("?")[0]!.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const pathParams: ParamModel[] = [];
  const queryParams: ParamModel[] = [];
  const headerParams: ParamModel[] = [];
  let body: BodyModel | undefined;
  let hadApiVersion = false;
  for (const { node: p, pointer: pp } of merged.values()) {
    const wireName = p.name as string;
    const where = p.in as string;
    const required = optBoolean(p, "required", pp) ?? false;
    const description = optString(p, "description", pp);
    const argName = camelCase(optString(p, "x-ms-client-name", pp) ?? wireName);
    const base = { wireName, argName, required, pointer: pp, ...(description ? { description } : {}) };
    switch (where) {
      case "path":
        if (hostNames.has(wireName)) continue;
        if (!required) throw new SpecError(pointerJoin(pp, "required"), "path parameters must be required");
        if (!templateNames.includes(wireName))
          throw new SpecError(pp, `path parameter "${wireName}" does not appear in ${path}`);
        pathParams.push({ ...base, type: simpleType(types, p, pp) });
        break;
      case "query":
        if (wireName === "api-version" && p.enum === undefined) {
          hadApiVersion = true;
          continue;
        }
        queryParams.push({ ...base, ...queryCollection(p, pp), type: simpleType(types, p, pp) });
        break;
      case "header":
        if (wireName.toLowerCase() === "content-type" || wireName.toLowerCase() === "accept") continue;
        headerParams.push({ ...base, type: simpleType(types, p, pp) });
        break;
      case "body": {
        if (body) throw new SpecError(pp, "an operation can have only one body parameter");
        if (p.schema === undefined) throw new SpecError(pp, 'a body parameter needs a "schema"');
        const cts = consumes.length ? consumes : ["application/json"];
        body = {
          required,
          ...(description ? { description } : {}),
          pointer: pp,
          variants: cts.map((contentType) => ({
            contentType,
            type: bodyType(types, contentType, p.schema!, pointerJoin(pp, "schema")),
          })),
        };
        break;
      }
      case "formData":
        throw new SpecError(pointerJoin(pp, "in"), "formData parameters are not supported");
      default:
        throw new SpecError(pointerJoin(pp, "in"), `unknown parameter location "${where}"`);
    }
  }
  // Path arguments follow the order of the template, which is what the Routes overloads take.
  for (const t of templateNames) {
    if (hostNames.has(t)) continue;
    if (!pathParams.some((p) => p.wireName === t))
      throw new SpecError(pointer, `{${t}} in ${path} has no path parameter`);
  }
  pathParams.sort((a, b) => templateNames.indexOf(a.wireName) - templateNames.indexOf(b.wireName));

  const responses: ResponseModel[] = [];
  const respObj = expectObject(op.responses, pointerJoin(pointer, "responses"));
  for (const code of Object.keys(respObj)) {
    const rp = pointerJoin(pointer, "responses", code);
    if (code !== "default" && !/^[1-5][0-9][0-9]$/.test(code))
      throw new SpecError(rp, `"${code}" is not a status code`);
    const r = resolver.deref(respObj[code]!, rp);
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
    if (ro.schema !== undefined && method !== "head") {
      bodyTypeName = responseBodyType(types, produces, ro.schema, pointerJoin(r.pointer, "schema"));
    }
    responses.push({
      code,
      headers,
      ...(description ? { description } : {}),
      ...(bodyTypeName ? { bodyType: bodyTypeName } : {}),
    });
  }
  const successCodes = responses
    .filter((r) => r.code !== "default" && !isErrorResponse(respObj, r.code))
    .map((r) => r.code);
  if (!successCodes.length)
    throw new SpecError(pointerJoin(pointer, "responses"), "an operation needs at least one non-error status code");

  let pageable: OperationModel["pageable"];
  if (op["x-ms-pageable"] !== undefined) {
    const pgp = pointerJoin(pointer, "x-ms-pageable");
    const pg = expectObject(op["x-ms-pageable"], pgp);
    const next = pg.nextLinkName;
    if (next !== null && next !== undefined && typeof next !== "string")
      throw new SpecError(pointerJoin(pgp, "nextLinkName"), "expected a string or null");
    pageable = { itemName: optString(pg, "itemName", pgp) ?? "value", nextLinkName: next ?? null };
    if (method !== "get" && method !== "post") throw new SpecError(pgp, "only GET and POST operations can be pageable");
  }

  const summary = optString(op, "summary", pointer);
  const description = optString(op, "description", pointer);
  return {
    hadApiVersion,
    model: {
      operationId,
      name,
      method,
      path,
      pathParams,
      queryParams,
      headerParams,
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
    throw new SpecError(pointerJoin(hp, "type"), `unsupported header type "${String(h.type)}"`);
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
