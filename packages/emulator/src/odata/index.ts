export { compileFilter, type FilterSubject } from "./compile.ts";
export { FilterError } from "./lexer.ts";
