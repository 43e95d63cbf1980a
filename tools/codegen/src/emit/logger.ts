// logger.ts: the package's @azure/logger logger, which the factory hands to the pipeline.
import { literal } from "../naming.ts";
import type { EmitContext } from "./context.ts";

export function emitLogger(ctx: EmitContext): string[] {
  return [
    'import { createClientLogger } from "@azure/logger";',
    "",
    `export const logger = createClientLogger(${literal(ctx.options.loggerNamespace)});`,
  ];
}
