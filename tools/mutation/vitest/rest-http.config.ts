// The tests of the REST clients' Node HttpClient as the `rest-http` mutation run uses them: the two files that drive
// src/node-http-client.ts against real loopback servers (node:http, node:https with a self-signed authority) and
// compare it with the pipeline's default client, all with event-driven waits, and the unit tests of its URL cache,
// src/request-targets.ts. No other test of the package reaches these files' behaviour (the rest of the suite sends
// over an in-memory HttpClient), so the others only cost time here.
// A mutant that loses an event (an answer never settled, a close never seen) leaves a test waiting on its socket; the
// target's short timeoutMS ends that wait as a timeout, which counts as killed.
import { defineConfig } from "vitest/config";
import base from "../../../packages/rest/vitest.config.ts";

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/node-http-client*.test.ts", "test/request-targets.test.ts"],
  },
});
