// Spec in, files out. Deterministic; reads nothing but the spec and the generator's own runtime modules (src/runtime),
// and runs nothing but the optional formatter.

import { buildModel } from "./build-model.ts";
import { type EmitOptions, emitAll, type GeneratedFiles } from "./emit.ts";

export interface GenerateOptions extends EmitOptions {
  /** Formats one generated file; receives the file name (e.g. `parameters.ts`). Defaults to identity. */
  format?: (code: string, fileName: string) => string;
  /**
   * Formats all generated files at once (file name to code, in and out), e.g. `biomeFormatFiles`: one formatter run
   * per generation. Takes the place of `format` when both are given.
   */
  formatFiles?: (files: GeneratedFiles) => GeneratedFiles;
}

/** Generates the REST-level client for a parsed Swagger 2.0 document. Throws SpecError for a bad spec. */
export function generate(spec: unknown, options: GenerateOptions): GeneratedFiles {
  const files = emitAll(buildModel(spec), options);
  if (options.formatFiles) {
    const formatted = options.formatFiles(files);
    const out: GeneratedFiles = new Map();
    for (const name of files.keys()) {
      const code = formatted.get(name);
      if (code === undefined) throw new Error(`formatFiles returned no code for ${name}`);
      out.set(name, code);
    }
    return out;
  }
  if (!options.format) return files;
  const out: GeneratedFiles = new Map();
  for (const [name, code] of files) out.set(name, options.format(code, name));
  return out;
}
