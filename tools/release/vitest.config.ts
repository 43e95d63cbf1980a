import { packageTestConfig } from "../../vitest.shared.ts";

// Every public package is packed once, before any test file runs (test/global-setup.ts); installs and type checks in
// scratch projects are slow, hence the long timeouts.
export default packageTestConfig({
  testTimeout: 240_000,
  hookTimeout: 300_000,
  globalSetup: ["test/global-setup.ts"],
  maxConcurrency: 3,
});
