// index.ts: re-exports the public generated files; the factory is the default export.
import { type EmitContext, type OutputFile, outputFileName } from "./context.ts";

/** Generated files whose exports are public, in the order index.ts lists them (after the factory). */
const EXPORTED: readonly OutputFile[] = [
  "parameters",
  "responses",
  "clientDefinitions",
  "isUnexpected",
  "models",
  "outputModels",
  "paginateHelper",
];

/** index.ts for the files of one generation (`written` holds the file names emitted so far). */
export function emitIndex(ctx: EmitContext, written: ReadonlySet<string>): string[] {
  return [
    `import createClient from ${ctx.module("createClient")};`,
    "",
    `export * from ${ctx.module("createClient")};`,
    ...EXPORTED.filter((f) => written.has(outputFileName(f))).map((f) => `export * from ${ctx.module(f)};`),
    "",
    "export default createClient;",
  ];
}
