// @webpubsub/codegen: the OpenAPI 2.0 to REST-level client generator (spec in, files out; see README.md).
export { buildModel } from "./build-model.ts";
export { type CodegenConfig, loadConfig, parseConfig, type ResolvedConfig } from "./config.ts";
export type { EmitOptions, GeneratedFiles } from "./emit.ts";
export { pointerJoin, SpecError } from "./errors.ts";
export { biomeFormatFiles, biomeFormatter, findRepoRoot } from "./format.ts";
export { type GenerateOptions, generate } from "./generate.ts";
export type { ApiModel, OperationModel } from "./model.ts";
export { checkOutput, type RegenResult, regenerate, writeOutput } from "./regen.ts";
