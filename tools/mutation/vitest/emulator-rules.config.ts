// The emulator's tests as the `emulator-rules` mutation run uses them: those that reach its REST and upstream rule files
// fast and event-driven. The unit tests call the rules directly (REST parameters and bodies, error answers, the connect
// answer, the abuse-protection cache on a hand-set clock, handler settings, the upgrade target); the others drive an
// in-process emulator or a local handler server and wait on answers only. Left out: the test of the abuse-protection
// memory through 1,001 real validations (upstream-validation-memory.test.ts, 10 s: abuse-protection.test.ts states the
// same bound directly) and the rest of the suite (browsers, child processes, MQTT clients, wall-clock timers).
// A mutant that loses an event (an answer never written) leaves a test waiting on its socket; the target's short
// timeoutMS ends that wait as a timeout, which counts as killed.
import { defineConfig } from "vitest/config";
import base from "../../../packages/emulator/vitest.config.ts";

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      // REST: parameters, bodies, targets of an operation, error answers
      "test/rest-params.test.ts",
      "test/rest-failure.test.ts",
      "test/rest-targets.test.ts",
      "test/rest-operations.test.ts",
      "test/rest-routes.test.ts",
      "test/rest-dot-segments.test.ts",
      "test/rest-auth.test.ts",
      "test/bounded-echoes.test.ts",
      // upstream: the connect answer, abuse protection, handler settings
      "test/connect-event.test.ts",
      "test/upstream-connect.test.ts",
      "test/upstream-answer-bounds.test.ts",
      "test/upstream-validation.test.ts",
      "test/abuse-protection.test.ts",
      "test/upstream-settings.test.ts",
      // the upgrade request's target
      "test/upgrade-target.test.ts",
      "test/websocket-handshake.test.ts",
    ],
  },
});
