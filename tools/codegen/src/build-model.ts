// Reads a Swagger 2.0 document into the intermediate model (model.ts): the document's info, host and credentials
// here, each operation in read-operation.ts. All validation happens while reading, and every error names the JSON
// pointer at fault.
import { pointerJoin, SpecError } from "./errors.ts";
import { type ApiModel, type HostParamModel, HTTP_METHODS, type HttpMethod, type OperationModel } from "./model.ts";
import { camelCase } from "./naming.ts";
import { readOperation, type SpecContext } from "./read-operation.ts";
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
import { TypeMapper } from "./types.ts";

/** The operations read so far; refuses a second route, operation id or operation name that is already taken. */
class OperationList {
  readonly operations: OperationModel[] = [];
  /** Set when some operation takes an `api-version` query parameter. */
  clientApiVersion = false;
  readonly #routes = new Set<string>();
  readonly #ids = new Map<string, string>();
  readonly #names = new Map<string, string>();

  /** Claims `METHOD /path` before its operation is read. */
  claimRoute(route: string, pointer: string): void {
    if (this.#routes.has(route)) throw new SpecError(pointer, `duplicate route ${route}`);
    this.#routes.add(route);
  }

  add(op: OperationModel, hadApiVersion: boolean): void {
    const where = pointerJoin(op.pointer, "operationId");
    const prevId = this.#ids.get(op.operationId);
    if (prevId) throw new SpecError(where, `operationId "${op.operationId}" is also used at ${prevId}`);
    this.#ids.set(op.operationId, op.pointer);
    const prevName = this.#names.get(op.name);
    if (prevName) throw new SpecError(where, `operation name "${op.name}" clashes with ${prevName}`);
    this.#names.set(op.name, op.pointer);
    if (hadApiVersion) this.clientApiVersion = true;
    this.operations.push(op);
  }
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
  const description = optString(info, "description", "/info");
  const host = readHost(root, resolver);
  const spec: SpecContext = { resolver, types, hostNames: new Set(host.params.map((p) => p.name)) };

  const list = new OperationList();
  for (const section of ["paths", "x-ms-paths"] as const) {
    if (root[section] === undefined) continue;
    const paths = expectObject(root[section], `/${section}`);
    for (const path of Object.keys(paths)) readPathItem(spec, list, section, path, paths[path]!);
  }
  if (!list.operations.length) throw new SpecError("/paths", "the spec has no operations");
  return {
    title,
    ...(description ? { description } : {}),
    ...(apiVersion ? { apiVersion } : {}),
    clientApiVersion: list.clientApiVersion,
    host,
    credential: readCredential(root),
    operations: list.operations,
    types,
  };
}

/** Reads the operations of one path item (`paths` or `x-ms-paths` entry) into `list`. */
function readPathItem(
  spec: SpecContext,
  list: OperationList,
  section: "paths" | "x-ms-paths",
  path: string,
  raw: Json,
): void {
  const itemPointer = pointerJoin(`/${section}`, path);
  if (!path.startsWith("/")) throw new SpecError(itemPointer, "a path must start with '/'");
  if (section === "x-ms-paths" && !path.includes("?")) {
    throw new SpecError(itemPointer, "an x-ms-paths key must carry a query part (path?name=value)");
  }
  // The route table (runtime/route-table.ts) matches a placeholder as a whole path segment only: a route with
  // `/files/{name}.json` would never be found, and its responses and pages would be read as an unknown route's.
  const mixed = path
    .split("?")[0]!
    .split("/")
    .find((segment) => segment.includes("{") && !/^\{[^{}]+\}$/.test(segment));
  if (mixed !== undefined) {
    throw new SpecError(itemPointer, `a path placeholder must be a whole segment, as /{name}/: ${path}`);
  }
  const item = spec.resolver.deref(raw, itemPointer);
  const itemObj = expectObject(item.node, item.pointer, "a path item object");
  const shared =
    itemObj.parameters === undefined ? [] : expectArray(itemObj.parameters, pointerJoin(item.pointer, "parameters"));
  for (const key of Object.keys(itemObj)) {
    if (key === "parameters" || key.startsWith("x-")) continue;
    const pointer = pointerJoin(item.pointer, key);
    if (!(HTTP_METHODS as readonly string[]).includes(key))
      throw new SpecError(pointer, `unknown HTTP method "${key}"`);
    const method = key as HttpMethod;
    list.claimRoute(`${method.toUpperCase()} ${path}`, pointer);
    const { model, hadApiVersion } = readOperation({
      ...spec,
      path,
      method,
      node: itemObj[key]!,
      pointer,
      pathItem: { parameters: shared, pointer: item.pointer },
    });
    list.add(model, hadApiVersion);
  }
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
