// The emulator's tests as the mutation run uses them: only the fast, deterministic tests of the mutated files (the
// token checks, permissions, the reliable buffer and recovery, the inbound frame queue, the OData filter compiler). The
// rest of the suite drives real sockets, MQTT clients, browsers and child processes on wall-clock timers (recovery
// windows, keep-alive, event handler timeouts): a mutant that changes a delay would make them wait out the test timeout
// instead of failing, and a full run of every mutant against them took 36 minutes. The tests below run on fake sockets
// and fake timers, or against an in-process emulator with event-driven waits only.
import { defineConfig } from "vitest/config";
import base from "../../../packages/emulator/vitest.config.ts";

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      // authentication: REST and client tokens, Entra dev mode
      "test/auth-rules.test.ts",
      "test/client-auth.test.ts",
      "test/rest-auth.test.ts",
      "test/entra-mode.test.ts",
      // permissions, the reliable buffer and recovery
      "test/connection-session.test.ts",
      "test/reliable-buffer.test.ts",
      "test/recovery-upgrade.test.ts",
      "test/recovery-token.test.ts",
      // a connection's inbound frames: their order, their bound, the per-turn budget
      "test/inbound-queue.test.ts",
      // the OData filter compiler
      "test/odata.test.ts",
      "test/odata-rules.test.ts",
    ],
  },
});
