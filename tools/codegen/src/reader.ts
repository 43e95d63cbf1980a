// Typed access to untrusted JSON, with $ref resolution. Every failure names the JSON pointer at fault.
import { pointerJoin, pointerTokens, SpecError } from "./errors.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A node of the spec together with where it sits. */
export interface Located<T = Json> {
  node: T;
  pointer: string;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function expectObject(v: Json | undefined, pointer: string, what = "an object"): JsonObject {
  if (!isObject(v)) throw new SpecError(pointer, `expected ${what}, got ${describe(v)}`);
  return v;
}

export function expectArray(v: Json | undefined, pointer: string): Json[] {
  if (!Array.isArray(v)) throw new SpecError(pointer, `expected an array, got ${describe(v)}`);
  return v;
}

/** `o[key]` when it is a value of `kind`, undefined when absent; anything else is a SpecError at that key. */
function optional<K extends keyof Primitives>(
  kind: K,
  o: JsonObject,
  key: string,
  pointer: string,
): Primitives[K] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== kind) throw new SpecError(pointerJoin(pointer, key), `expected a ${kind}, got ${describe(v)}`);
  return v as Primitives[K];
}

interface Primitives {
  string: string;
  boolean: boolean;
}

export function optString(o: JsonObject, key: string, pointer: string): string | undefined {
  return optional("string", o, key, pointer);
}

export function reqString(o: JsonObject, key: string, pointer: string): string {
  const v = optString(o, key, pointer);
  if (v === undefined) throw new SpecError(pointer, `missing required string "${key}"`);
  return v;
}

export function optBoolean(o: JsonObject, key: string, pointer: string): boolean | undefined {
  return optional("boolean", o, key, pointer);
}

/**
 * A spec value for an error message, bounded: a string JSON-quoted up to its first 64 characters (then "..."), the
 * rule of @webpubsub/core's shownValue (the tools depend on no workspace package, so they keep this one copy).
 */
export function describe(v: Json | undefined): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `string ${JSON.stringify(v.slice(0, 64))}${v.length > 64 ? "..." : ""}`;
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`;
}

/** Resolves local `$ref`s (`#/...`) in one document, following chains and rejecting cycles. */
export class Resolver {
  readonly root: JsonObject;
  constructor(root: JsonObject) {
    this.root = root;
  }

  /** The node at a JSON pointer, or a SpecError naming `from` (where the reference was written). */
  at(pointer: string, from: string): Json {
    let cur: Json | undefined = this.root;
    for (const token of pointerTokens(pointer)) {
      if (Array.isArray(cur)) cur = cur[Number(token)];
      else if (isObject(cur)) cur = Object.hasOwn(cur, token) ? cur[token] : undefined;
      else cur = undefined;
      if (cur === undefined) throw new SpecError(from, `$ref target ${pointer} does not exist`);
    }
    return cur as Json;
  }

  /** Parses a `$ref` value into a local JSON pointer. */
  refPointer(ref: string, from: string): string {
    if (!ref.startsWith("#")) throw new SpecError(from, `unsupported $ref "${ref}": only local references (#/...) are`);
    const pointer = decodeURIComponent(ref.slice(1));
    if (pointer !== "" && !pointer.startsWith("/")) throw new SpecError(from, `malformed $ref "${ref}"`);
    return pointer;
  }

  /** Follows `$ref` until a node without one. Returns the final node and pointer plus every pointer passed through. */
  deref(node: Json, pointer: string): Located & { chain: string[] } {
    const chain: string[] = [];
    let cur: Located = { node, pointer };
    for (;;) {
      if (!isObject(cur.node) || cur.node.$ref === undefined) return { ...cur, chain };
      const refPtr = pointerJoin(cur.pointer, "$ref");
      if (typeof cur.node.$ref !== "string") throw new SpecError(refPtr, "$ref must be a string");
      const target = this.refPointer(cur.node.$ref, refPtr);
      if (chain.includes(target)) throw new SpecError(refPtr, `circular $ref chain through ${target}`);
      chain.push(target);
      cur = { node: this.at(target, refPtr), pointer: target };
    }
  }
}
