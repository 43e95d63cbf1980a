// is-unexpected.ts: `isUnexpected(response)`, one overload per operation narrowing its responses to the error types;
// the run-time answer comes from the route table.
import type { EmitContext } from "./context.ts";
import { responseTypeNames, unexpectedTypeNames } from "./operation-types.ts";

export function emitIsUnexpected(ctx: EmitContext): string[] {
  const all: string[] = [];
  const allUnexpected: string[] = [];
  const overloads: string[] = [];
  for (const op of ctx.api.operations) {
    const names = responseTypeNames(op);
    const unexpected = unexpectedTypeNames(op);
    all.push(...names);
    allUnexpected.push(...unexpected);
    overloads.push(
      `export function isUnexpected(response: ${names.join(" | ")}): response is ${unexpected.join(" | ")};`,
    );
  }
  return [
    ...ctx.importTypes(all, "responses"),
    `import { routeTable } from ${ctx.module("routes")};`,
    "",
    "/**",
    " * Whether a response has a status code its operation does not list as success. Narrows the response to the",
    " * operation's error type. Responses of routes the spec does not know count as unexpected unless 2xx.",
    " */",
    ...overloads,
    "export function isUnexpected(",
    `  response: ${all.join(" | ")},`,
    `): response is ${allUnexpected.join(" | ")} {`,
    "  return routeTable.isUnexpected(response);",
    "}",
  ];
}
