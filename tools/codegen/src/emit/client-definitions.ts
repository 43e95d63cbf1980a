// client-definitions.ts: one interface per path template (its methods), `Routes` (one overload per template, plus a
// generic one), the tables behind it (`RouteResources`, `RoutePathArguments`) with the types that name one
// operation by path and method (`RoutePath`, `RouteMethod`, `RouteOperation`, ...), and the client type.
import type { OperationModel } from "../model.ts";
import { docComment, literal } from "../naming.ts";
import type { EmitContext } from "./context.ts";
import { hasRequiredInput, responseTypeNames, typeRefs } from "./operation-types.ts";

/** The operations of each path template, in spec order. */
function byPath(operations: OperationModel[]): Map<string, OperationModel[]> {
  const out = new Map<string, OperationModel[]>();
  for (const op of operations) out.set(op.path, [...(out.get(op.path) ?? []), op]);
  return out;
}

/** The interface of one path template: one method per operation. */
function resourceInterface(ops: OperationModel[]): string[] {
  const out = [`export interface ${ops[0]!.name} {`];
  for (const op of ops) {
    out.push(...docComment(op.description ? `${op.summary ?? ""}\n\n${op.description}`.trim() : op.summary, "  "));
    const opt = hasRequiredInput(op) ? "" : "?";
    const responses = responseTypeNames(op).join(" | ");
    out.push(`  ${op.method}(options${opt}: ${op.name}Parameters): StreamableMethod<${responses}>;`);
  }
  return [...out, "}", ""];
}

/** The generic types over the route tables: a caller names an operation by `{ path, method }`. */
const GENERIC_ROUTE_TYPES = [
  "/** Every path template of the API. */",
  "export type RoutePath = keyof RouteResources;",
  "",
  "/** The HTTP methods (lower case) a path template has. */",
  "export type RouteMethod<TPath extends RoutePath> = keyof RouteResources[TPath] & string;",
  "",
  "/**",
  ' * One operation, named by its path template and method (`{ path: "/a/{id}", method: "get" }`): an unknown',
  " * template, or a method its template does not have, is a compile error.",
  " */",
  "export type RouteOperation = {",
  "  [TPath in RoutePath]: { [TMethod in RouteMethod<TPath>]: { path: TPath; method: TMethod } }[RouteMethod<TPath>];",
  "}[RoutePath];",
  "",
  "/** The options the method of a path template takes (whether or not they may be omitted). */",
  "export type RouteParameters<TPath extends RoutePath, TMethod extends RouteMethod<TPath>> = RouteResources[TPath][TMethod] extends (",
  "  options: infer TOptions,",
  ") => unknown",
  "  ? NonNullable<TOptions>",
  "  : never;",
  "",
  "/** The responses the method of a path template resolves to. */",
  "export type RouteResponse<TPath extends RoutePath, TMethod extends RouteMethod<TPath>> = RouteResources[TPath][TMethod] extends (",
  "  ...args: never[]",
  ") => StreamableMethod<infer TResponse>",
  "  ? TResponse",
  "  : never;",
];

export function emitClientDefinitions(ctx: EmitContext): string[] {
  const resources: string[] = [];
  const overloads: string[] = [];
  const resourceEntries: string[] = [];
  const argumentEntries: string[] = [];
  const paramTypes: string[] = [];
  const responseTypes: string[] = [];
  const pathArgTypes = new Set<string>();
  for (const [path, ops] of byPath(ctx.api.operations)) {
    const resource = ops[0]!.name;
    resources.push(...resourceInterface(ops));
    for (const op of ops) {
      paramTypes.push(`${op.name}Parameters`);
      responseTypes.push(...responseTypeNames(op));
    }
    const args = ops[0]!.pathParams.map((p) => {
      for (const name of typeRefs(p.type)) pathArgTypes.add(name);
      return `${p.argName}: ${p.type}`;
    });
    const doc = `  /** Resource for ${literal(path)}: ${ops.map((o) => o.method).join(", ")} */`;
    overloads.push(doc, `  (path: ${literal(path)}${args.map((a) => `, ${a}`).join("")}): ${resource};`);
    resourceEntries.push(doc, `  ${literal(path)}: ${resource};`);
    argumentEntries.push(`  ${literal(path)}: [${args.join(", ")}];`);
  }
  return [
    'import type { Client, StreamableMethod } from "@azure-rest/core-client";',
    ...ctx.importTypes(paramTypes, "parameters"),
    ...ctx.importTypes(responseTypes, "responses"),
    ...ctx.importTypes(pathArgTypes, "models"),
    "",
    ...resources,
    "/** One overload per path template: the path arguments fill its `{placeholders}` in order. */",
    "export interface Routes {",
    ...overloads,
    "  /** Any path template, for callers generic over it: the arguments are those of `RoutePathArguments`. */",
    "  <TPath extends RoutePath>(path: TPath, ...pathArguments: RoutePathArguments[TPath]): RouteResources[TPath];",
    "}",
    "",
    "/** The resource (its methods) of every path template. */",
    "export interface RouteResources {",
    ...resourceEntries,
    "}",
    "",
    "/** The path arguments of every path template, in the order of its `{placeholders}`. */",
    "export interface RoutePathArguments {",
    ...argumentEntries,
    "}",
    "",
    ...GENERIC_ROUTE_TYPES,
    "",
    `export type ${ctx.options.clientName} = Client & {`,
    "  path: Routes;",
    "};",
  ];
}
