// Maps OpenAPI 2.0 schemas to TypeScript types. Named definitions become interfaces (input models as `Name`, output
// models as `NameOutput`); everything else is written inline. The mapper records which definitions and named enums
// each side uses, so the emitters only write what is reachable.
import { pointerJoin, SpecError } from "./errors.ts";
import { docComment, literal, pascalCase, propertyKey } from "./naming.ts";
import {
  expectArray,
  expectObject,
  isObject,
  type Json,
  type JsonObject,
  optBoolean,
  optString,
  type Resolver,
} from "./reader.ts";

export type Side = "input" | "output";

/** Body types for binary payloads; `NodeJSReadableStream` comes from @azure-rest/core-client. */
export const BINARY_INPUT_TYPE = "Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array> | NodeJSReadableStream";

interface NamedEnum {
  name: string;
  values: (string | number | boolean)[];
  open: boolean;
  description?: string;
  pointer: string;
}

/** Global or imported type names, and the fixed names of the generated helpers, that a model must not shadow. */
const SHADOWED = new Set([
  "Array",
  "ArrayBuffer",
  "Blob",
  "Client",
  "Date",
  "GetArrayType",
  "HttpResponse",
  "NodeJSReadableStream",
  "PagedAsyncIterableIterator",
  "PageSettings",
  "PaginateReturn",
  "Promise",
  "RawHttpHeaders",
  "RawHttpHeadersInput",
  "ReadableStream",
  "Record",
  "RequestParameters",
  "RouteMethod",
  "RouteOperation",
  "RouteParameters",
  "RoutePath",
  "RoutePathArguments",
  "RouteResources",
  "RouteResponse",
  "Routes",
  "StreamableMethod",
  "Uint8Array",
]);

const PRIMITIVES = new Set(["string", "integer", "number", "boolean", "array", "object", "file", "null"]);

export class TypeMapper {
  readonly resolver: Resolver;
  /** definition pointer -> type name (per side) for every definition used so far. */
  private readonly used: Record<Side, Map<string, string>> = { input: new Map(), output: new Map() };
  private readonly enums: Record<Side, Map<string, NamedEnum>> = { input: new Map(), output: new Map() };
  private readonly names = new Map<string, string>();
  /** Whether a type written so far needs NodeJSReadableStream. */
  usesNodeStream = false;

  constructor(resolver: Resolver) {
    this.resolver = resolver;
    // Names are fixed up front from every definition, so the output does not depend on traversal order.
    const defs = this.resolver.root.definitions;
    if (defs !== undefined) {
      const defsObj = expectObject(defs, "/definitions");
      const taken = new Map<string, string>();
      for (const key of Object.keys(defsObj)) {
        const pointer = pointerJoin("/definitions", key);
        const def = expectObject(defsObj[key], pointer, "a schema object");
        let name = pascalCase(optString(def, "x-ms-client-name", pointer) ?? key);
        if (SHADOWED.has(name)) name = `${name}Model`;
        const clash = taken.get(name);
        if (clash) throw new SpecError(pointer, `model name "${name}" is already used by ${clash}`);
        taken.set(name, pointer);
        this.names.set(pointer, name);
      }
    }
  }

  /** The TypeScript type for a schema on one side. */
  typeOf(schema: Json, pointer: string, side: Side): string {
    const obj = expectObject(schema, pointer, "a schema object");
    if (obj.$ref !== undefined) {
      const target = this.resolver.deref(obj, pointer);
      const defPointer = [...target.chain].reverse().find((p) => this.names.has(p));
      if (defPointer && target.pointer === defPointer) return this.useDefinition(defPointer, side);
      return this.typeOf(target.node, target.pointer, side);
    }
    const base = this.baseType(obj, pointer, side);
    return optBoolean(obj, "x-nullable", pointer) ? `${wrap(base)} | null` : base;
  }

  private useDefinition(defPointer: string, side: Side): string {
    const name = this.names.get(defPointer)! + (side === "output" ? "Output" : "");
    this.used[side].set(defPointer, name);
    return name;
  }

  private baseType(obj: JsonObject, pointer: string, side: Side): string {
    const type = optString(obj, "type", pointer);
    if (type !== undefined && !PRIMITIVES.has(type)) {
      throw new SpecError(pointerJoin(pointer, "type"), `unsupported schema type "${type}"`);
    }
    if (obj.enum !== undefined) return this.enumType(obj, pointer, side);
    const format = optString(obj, "format", pointer);
    switch (type) {
      case "string":
        if (format === "binary") return side === "input" ? this.binary() : "string";
        if ((format === "date-time" || format === "date") && side === "input") return "Date | string";
        return "string";
      case "integer":
      case "number":
        return "number";
      case "boolean":
        return "boolean";
      case "null":
        return "null";
      case "file":
        return side === "input" ? this.binary() : "string";
      case "array": {
        if (obj.items === undefined) throw new SpecError(pointer, 'an array schema needs "items"');
        return `Array<${this.typeOf(obj.items, pointerJoin(pointer, "items"), side)}>`;
      }
      default:
        if (
          type === "object" ||
          obj.properties !== undefined ||
          obj.allOf !== undefined ||
          obj.additionalProperties !== undefined
        ) {
          return this.inlineObject(obj, pointer, side);
        }
        return "unknown";
    }
  }

  binary(): string {
    this.usesNodeStream = true;
    return BINARY_INPUT_TYPE;
  }

  private enumType(obj: JsonObject, pointer: string, side: Side): string {
    const values = expectArray(obj.enum, pointerJoin(pointer, "enum")).map((v, i) => {
      if (v === null || typeof v === "object")
        throw new SpecError(pointerJoin(pointer, "enum", i), "enum values must be strings, numbers or booleans");
      return v;
    });
    if (values.length === 0) throw new SpecError(pointerJoin(pointer, "enum"), "an enum needs at least one value");
    const ext = obj["x-ms-enum"];
    const extPointer = pointerJoin(pointer, "x-ms-enum");
    const extObj = ext === undefined ? undefined : expectObject(ext, extPointer);
    const open = extObj ? (optBoolean(extObj, "modelAsString", extPointer) ?? false) : false;
    const union = unionOf(values, open, optString(obj, "type", pointer));
    const rawName = extObj ? optString(extObj, "name", extPointer) : undefined;
    if (!rawName) return union;
    const name = pascalCase(rawName) + (side === "output" ? "Output" : "");
    const existing = this.enums[side].get(name);
    if (existing && unionOf(existing.values, existing.open, undefined) !== unionOf(values, open, undefined)) {
      throw new SpecError(extPointer, `enum "${rawName}" is declared with different values at ${existing.pointer}`);
    }
    if (!existing) {
      const description = optString(obj, "description", pointer);
      this.enums[side].set(name, { name, values, open, pointer, ...(description ? { description } : {}) });
    }
    return name;
  }

  private inlineObject(obj: JsonObject, pointer: string, side: Side): string {
    const { bases, members, indexType } = this.objectParts(obj, pointer, side, "  ");
    let body =
      members.length || indexType
        ? `{\n${members.join("\n")}${indexType ? `\n  [key: string]: ${indexType};` : ""}\n}`
        : "";
    if (!members.length && indexType && !bases.length) return `Record<string, ${indexType}>`;
    if (!body) body = bases.length ? "" : "Record<string, unknown>";
    return [...bases, ...(body ? [body] : [])].join(" & ");
  }

  /** Property lines, `allOf` bases and the index signature of an object schema. */
  objectParts(
    obj: JsonObject,
    pointer: string,
    side: Side,
    indent: string,
  ): { bases: string[]; members: string[]; indexType?: string } {
    const bases: string[] = [];
    if (obj.allOf !== undefined) {
      expectArray(obj.allOf, pointerJoin(pointer, "allOf")).forEach((s, i) => {
        bases.push(this.typeOf(s, pointerJoin(pointer, "allOf", i), side));
      });
    }
    const required = new Set<string>();
    if (obj.required !== undefined) {
      expectArray(obj.required, pointerJoin(pointer, "required")).forEach((r, i) => {
        if (typeof r !== "string") throw new SpecError(pointerJoin(pointer, "required", i), "expected a property name");
        required.add(r);
      });
    }
    const members: string[] = [];
    const memberTypes: string[] = [];
    if (obj.properties !== undefined) {
      const props = expectObject(obj.properties, pointerJoin(pointer, "properties"));
      for (const key of Object.keys(props)) {
        const pp = pointerJoin(pointer, "properties", key);
        const prop = expectObject(props[key], pp, "a schema object");
        if (side === "input" && optBoolean(prop, "readOnly", pp)) continue;
        const t = this.typeOf(prop, pp, side);
        memberTypes.push(t);
        const description = optString(prop, "description", pp) ?? this.refDescription(prop, pp);
        members.push(...docComment(description, indent));
        const readonly = side === "output" && optBoolean(prop, "readOnly", pp) ? "readonly " : "";
        members.push(`${indent}${readonly}${propertyKey(key)}${required.has(key) ? "" : "?"}: ${t};`);
      }
    }
    let indexType: string | undefined;
    const ap = obj.additionalProperties;
    if (ap === true || isObject(ap)) {
      const t = ap === true ? "unknown" : this.typeOf(ap, pointerJoin(pointer, "additionalProperties"), side);
      indexType = memberTypes.length && t !== "unknown" ? [t, ...memberTypes.map(wrap)].join(" | ") : t;
      if (memberTypes.some((m) => m.includes("undefined"))) indexType = "unknown";
    } else if (ap !== undefined && ap !== false) {
      throw new SpecError(pointerJoin(pointer, "additionalProperties"), "expected a boolean or a schema");
    }
    return { bases, members, ...(indexType ? { indexType } : {}) };
  }

  /** A `$ref` property has no description of its own; borrow nothing (keeps one source per line). */
  private refDescription(_prop: JsonObject, _pointer: string): string | undefined {
    return undefined;
  }

  /** Emits every model and named enum used on one side, in name order. */
  emitModels(side: Side): string[] {
    const out: string[] = [];
    const done = new Set<string>();
    const blocks = new Map<string, string[]>();
    // Emitting a model may use further definitions; loop until nothing new appears.
    for (;;) {
      const pending = [...this.used[side].entries()].filter(([p]) => !done.has(p));
      if (!pending.length) break;
      for (const [defPointer, name] of pending) {
        done.add(defPointer);
        blocks.set(name, this.emitDefinition(defPointer, name, side));
      }
    }
    for (const e of this.enums[side].values()) {
      blocks.set(e.name, [
        ...docComment(e.description),
        `export type ${e.name} = ${unionOf(e.values, e.open, undefined)};`,
      ]);
    }
    for (const name of [...blocks.keys()].sort()) out.push(...blocks.get(name)!, "");
    return out;
  }

  hasModels(side: Side): boolean {
    return this.used[side].size > 0 || this.enums[side].size > 0;
  }

  private emitDefinition(defPointer: string, name: string, side: Side): string[] {
    const def = expectObject(this.resolver.at(defPointer, defPointer), defPointer, "a schema object");
    const doc = docComment(optString(def, "description", defPointer));
    const type = optString(def, "type", defPointer);
    const isObjectLike =
      (type === undefined || type === "object") &&
      def.enum === undefined &&
      def.$ref === undefined &&
      (type === "object" ||
        def.properties !== undefined ||
        def.allOf !== undefined ||
        def.additionalProperties !== undefined);
    if (!isObjectLike) return [...doc, `export type ${name} = ${this.typeOf(def, defPointer, side)};`];
    const { bases, members, indexType } = this.objectParts(def, defPointer, side, "  ");
    const interfaceBases = bases.filter((b) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(b));
    if (interfaceBases.length !== bases.length) {
      throw new SpecError(
        pointerJoin(defPointer, "allOf"),
        "allOf entries of a model must reference named definitions",
      );
    }
    const nullable = optBoolean(def, "x-nullable", defPointer);
    if (nullable)
      throw new SpecError(
        pointerJoin(defPointer, "x-nullable"),
        "x-nullable is only supported on properties and references",
      );
    const ext = interfaceBases.length ? ` extends ${interfaceBases.join(", ")}` : "";
    const index = indexType ? [`  [key: string]: ${indexType};`] : [];
    return [...doc, `export interface ${name}${ext} {`, ...members, ...index, "}"];
  }
}

function wrap(t: string): string {
  return /[|&]/.test(t) && !/^Array<.*>$/.test(t) ? `(${t})` : t;
}

function unionOf(values: (string | number | boolean)[], open: boolean, _type: string | undefined): string {
  const lits = values.map((v) => literal(v));
  if (open) lits.push(typeof values[0] === "number" ? "(number & {})" : "(string & {})");
  return lits.join(" | ");
}
