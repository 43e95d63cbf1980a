// The intermediate model the emitters consume: the API, its operations, parameters, bodies and responses, as
// build-model.ts and read-operation.ts read them from a Swagger 2.0 document (validated, with TypeScript types).
import type { TypeMapper } from "./types.ts";

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

/** Whether a media type carries JSON: application/json, text/json or any `+json` suffix (parameters ignored). */
export function isJsonMediaType(ct: string): boolean {
  const base = ct.split(";")[0]!.trim().toLowerCase();
  return base === "application/json" || base === "text/json" || base.endsWith("+json");
}
