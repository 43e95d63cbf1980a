// The RestFailure a REST rule throws, for the unit tests of the REST parameter and target rules.
import { expect } from "vitest";
import { RestFailure } from "../../src/rest/failure.ts";

/** What `fn` throws, as a RestFailure (fails the test if it throws anything else or nothing). */
export function failureOf(fn: () => unknown): RestFailure {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RestFailure);
    return e as RestFailure;
  }
  throw new Error("expected a RestFailure");
}
