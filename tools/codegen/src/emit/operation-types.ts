// Names and facts about one operation that several emitters share: its response type names, which of them are
// unexpected, whether it needs options, its default content type, and the model names a type expression uses.
import { type BodyModel, isJsonMediaType, type OperationModel } from "../model.ts";

const BUILTIN_TYPES = new Set([
  "Array",
  "Date",
  "Uint8Array",
  "ArrayBuffer",
  "Blob",
  "ReadableStream",
  "Record",
  "NodeJSReadableStream",
]);

/** Model and enum names a type expression refers to (string literal contents and built-in types left out). */
export function typeRefs(type: string): string[] {
  const code = type.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...code.matchAll(/\b([A-Z][A-Za-z0-9_]*)\b/g)].map((m) => m[1]!).filter((n) => !BUILTIN_TYPES.has(n));
}

/** Whether an operation has a required query parameter, header or body (then its options are required). */
export function hasRequiredInput(op: OperationModel): boolean {
  return (
    op.queryParams.some((p) => p.required) || op.headerParams.some((p) => p.required) || (op.body?.required ?? false)
  );
}

/** The content type a body gets when the caller names none: JSON when offered, else the first one. */
export function defaultContentType(body: BodyModel): string {
  return (body.variants.find((v) => isJsonMediaType(v.contentType)) ?? body.variants[0]!).contentType;
}

/** `<Op><code>Response`, `<Op>DefaultResponse` for "default". */
export function responseTypeName(op: OperationModel, code: string): string {
  return `${op.name}${code === "default" ? "Default" : code}Response`;
}

/** Every response type name of an operation; a `Default` one is synthesised when the spec has none. */
export function responseTypeNames(op: OperationModel): string[] {
  const names = op.responses.map((r) => responseTypeName(op, r.code));
  if (!op.responses.some((r) => r.code === "default")) names.push(responseTypeName(op, "default"));
  return names;
}

/** The response type names `isUnexpected` narrows to: error codes and the default response. */
export function unexpectedTypeNames(op: OperationModel): string[] {
  return op.responses
    .filter((r) => r.code !== "default" && !op.successCodes.includes(r.code))
    .map((r) => responseTypeName(op, r.code))
    .concat(responseTypeName(op, "default"));
}
