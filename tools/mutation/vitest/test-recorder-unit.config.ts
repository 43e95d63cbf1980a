// The recorder's tests as the `test-recorder` mutation run uses them: those that call the rule files directly
// (sanitizers, secret scan, matcher, JSON paths, recording paths and format, TEST_MODE, the environment) or drive a
// Recorder over files, a local node:http server and fake sockets, all event-driven. Left out: the tests that record
// and replay real WebSocket sessions against a `ws` server or the emulator (websocket, socket-factories,
// emulator-session, binary-secrets-emulator). Their waits end on a message or on a 15 s wall-clock limit, so a mutant
// that breaks a sanitizer or the matcher makes the replayed socket stop short and the test wait out that limit
// instead of failing; a first run with them was estimated at about an hour for the 449 mutants of sanitizers.ts and
// secret-scan.ts. The rules they exercise end to end are stated in the unit tests kept here. With this config a
// forced run of the whole target (1,460 mutants) took 17.5 minutes at --concurrency 1 on the shared 2-core machine.
import { configDefaults, defineConfig } from "vitest/config";
import base from "../../../packages/test-recorder/vitest.config.ts";

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    exclude: [
      ...configDefaults.exclude,
      "test/websocket.test.ts",
      "test/socket-factories.test.ts",
      "test/emulator-session.test.ts",
      "test/binary-secrets-emulator.test.ts",
    ],
  },
});
