// The FilterError a filter that must not compile raises; a filter that compiles, or another error, fails the test.
import { compileFilter, FilterError } from "../../src/index.ts";

export function errorOf(filter: string): FilterError {
  try {
    compileFilter(filter);
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error(`'${filter}' compiled`);
}
