// Run before every test file of every package (setupFiles in vitest.shared.ts).
//
// `toThrow` / `toThrowError` with a message, a RegExp or nothing pass in vitest 5 when the call throws (or the promise
// rejects with) `undefined` or `null`: the message check is skipped for a falsy thrown value. A test written as
// `await expect(p).rejects.toThrow("aborted")` then passes for a bug that rejects with nothing, and a mutant that loses
// an abort reason survives. Here a positive toThrow fails unless something other than undefined or null was thrown;
// `.not.toThrow` and every other matcher are untouched.
import { chai } from "vitest";

const INSTALLED = Symbol.for("webpubsub.strict-toThrow");
const NAMES = ["toThrow", "toThrowError"] as const;

type Assertion = object;
type Method = (this: Assertion, ...args: unknown[]) => unknown;

const prototype = chai.Assertion.prototype as unknown as Record<symbol, boolean>;
if (prototype[INSTALLED] !== true) {
  prototype[INSTALLED] = true;
  const { flag, overwriteMethod } = chai.util;
  for (const name of NAMES) {
    overwriteMethod(chai.Assertion.prototype, name, (original: Method) => {
      return function strictToThrow(this: Assertion, ...args: unknown[]) {
        if (flag(this, "negate") === true) return original.apply(this, args);
        const promise = flag(this, "promise");
        const object: unknown = flag(this, "object");
        let threw = false;
        let thrown: unknown;
        if (promise === "rejects") {
          threw = true;
          thrown = object;
        } else if (promise !== "resolves" && typeof object === "function") {
          // call it once here and hand the matcher a function that replays the outcome (no second call)
          let returned: unknown;
          try {
            returned = (object as () => unknown)();
          } catch (e) {
            threw = true;
            thrown = e;
          }
          flag(
            this,
            "object",
            threw
              ? () => {
                  throw thrown;
                }
              : () => returned,
          );
        }
        if (threw && (thrown === undefined || thrown === null)) {
          throw new chai.AssertionError(
            `expected an error to be thrown, but the thrown value was ${String(thrown)}`,
            { showDiff: false },
            flag(this, "ssfi"),
          );
        }
        return original.apply(this, args);
      };
    });
  }
}
