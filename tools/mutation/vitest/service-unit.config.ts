// The service's tests as the mutation run uses them: the package's own config without test/request-timeout.test.ts,
// the one test that waits on a real clock (two requests cut short by a 3 s requestOptions.timeout against a server
// that holds its answer). Every operation goes through the mutated option checks, payload and retry rules, so that
// test reaches hundreds of mutants and would add 6 s to each; the rule it checks end to end (an idempotent attempt
// cut short by its timeout is sent again, a send never) is unit-tested on fake timers in retry-policy.test.ts. The
// rest of the suite runs against real local sockets (a capture server, an in-process emulator) with event-driven
// waits only, so a mutant fails it at once.
import { configDefaults, mergeConfig } from "vitest/config";
import base from "../../../packages/service/vitest.config.ts";

export default mergeConfig(base, {
  test: {
    exclude: [...configDefaults.exclude, "test/request-timeout.test.ts"],
  },
});
