// The OData filter subset of REST sends and group operations: compileFilter() and its errors.
export { compileFilter, type FilterSubject } from "./compile.ts";
export { FilterError } from "./lexer.ts";
