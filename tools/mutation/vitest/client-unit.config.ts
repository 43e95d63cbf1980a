// The client's tests as the mutation run uses them: the package's own config without the tests that drive real
// browsers, real sockets against the emulator or packed tarballs. Those check the same rules end to end but run on
// wall-clock timers, so a mutant that changes a delay makes them wait out the test timeout instead of failing; the
// unit tests of the mutated files run on fake timers and fail at once.
import { configDefaults, mergeConfig } from "vitest/config";
import base from "../../../packages/client/vitest.config.ts";

export default mergeConfig(base, {
  test: {
    exclude: [
      ...configDefaults.exclude,
      "test/**/*.integration.test.ts",
      "test/bundle.test.ts",
      "test/interop/**",
      "test/official-samples/**",
    ],
  },
});
