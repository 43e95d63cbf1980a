// What every emitter gets: the model, the generation options, the names of the output files and how one generated
// file imports another.
import type { ApiModel } from "../model.ts";
import { kebabCase, literal } from "../naming.ts";

export interface EmitOptions {
  /** Name of the client type, e.g. `WebPubSubRestClient`; its options are `<clientName>Options`. */
  clientName: string;
  /** Namespace of the @azure/logger logger, e.g. `webpubsub-rest`. */
  loggerNamespace: string;
  /** User-Agent token added to every request, e.g. `webpubsub-rest`. */
  userAgent: string;
  /** Spec path shown in the header, e.g. `swagger/webpubsub.json`. */
  source: string;
  /** Extension of relative imports in the generated code: ".ts" (default), ".js" or "". */
  importExtension?: string;
}

/** Every file the generator can write, by role; the file name is the kebab-case of the role plus `.ts`. */
export const OUTPUT_FILES = [
  "parameters",
  "responses",
  "models",
  "outputModels",
  "clientDefinitions",
  "routes",
  "routeTable",
  "paging",
  "isUnexpected",
  "paginateHelper",
  "logger",
  "createClient",
  "index",
] as const;
export type OutputFile = (typeof OUTPUT_FILES)[number];

/** The file name of an output file, e.g. `clientDefinitions` -> `client-definitions.ts`. */
export function outputFileName(file: OutputFile): string {
  return `${kebabCase(file)}.ts`;
}

export class EmitContext {
  readonly api: ApiModel;
  readonly options: EmitOptions;
  readonly #importExtension: string;

  constructor(api: ApiModel, options: EmitOptions) {
    this.api = api;
    this.options = options;
    this.#importExtension = options.importExtension ?? ".ts";
  }

  /** The module specifier, as a string literal, with which one generated file imports another. */
  module(file: OutputFile): string {
    return literal(`./${kebabCase(file)}${this.#importExtension}`);
  }

  /** `import type { a, b } from "./file.ts";` with the names sorted, or nothing when there are none. */
  importTypes(names: Iterable<string>, file: OutputFile): string[] {
    const sorted = [...new Set(names)].sort();
    return sorted.length ? [`import type { ${sorted.join(", ")} } from ${this.module(file)};`] : [];
  }

  /** Whether the spec has pageable operations (then paging.ts and paginate-helper.ts are written). */
  get paging(): boolean {
    return this.api.operations.some((o) => o.pageable);
  }
}
