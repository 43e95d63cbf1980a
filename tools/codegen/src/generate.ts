// Spec in, files out. Pure except for the optional formatter.
import { type EmitOptions, emitAll, type GeneratedFiles } from "./emit.ts";
import { buildModel } from "./model.ts";

export interface GenerateOptions extends EmitOptions {
  /** Formats one generated file; receives the file name (e.g. `parameters.ts`). Defaults to identity. */
  format?: (code: string, fileName: string) => string;
}

/** Generates the REST-level client for a parsed Swagger 2.0 document. Throws SpecError for a bad spec. */
export function generate(spec: unknown, options: GenerateOptions): GeneratedFiles {
  const files = emitAll(buildModel(spec), options);
  if (!options.format) return files;
  const out: GeneratedFiles = new Map();
  for (const [name, code] of files) out.set(name, options.format(code, name));
  return out;
}
