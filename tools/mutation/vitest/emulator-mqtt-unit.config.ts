// The emulator's tests as the `emulator-mqtt` mutation run uses them: the tests of the MQTT endpoint's rule files (topic
// names and filters, SUBSCRIBE/UNSUBSCRIBE, the CONNECT limits, user properties, the last will, the packet pre-scan,
// cross-protocol content, the CONNACK codes). Each either calls the rule functions directly (mqtt-units, mqtt-rules,
// mqtt-packet-scan-rules, the link tests of mqtt-packet-scan) or drives mqtt.js / raw mqtt-packet clients against an
// in-process emulator with event-driven waits only (a CONNACK, a SUBACK, a REST send as the fence that shows what
// came): none waits on a wall-clock timer, so a mutant fails them at once instead of making them wait out the test
// timeout. Left out: the keep-alive and ping tests (mqtt-bounds: fake timers around keep-alive, which no mutated file
// holds), the network-fault and resume tests (mqtt-delivery, mqtt-resume-*: a fault proxy and reconnects), the link
// and network-connection tests (packet-io.ts and network-connection.ts: `emulator-mqtt-link`'s) and the QoS 2 and
// expiry tests (session.ts), which cover none of the mutated rules.
import { defineConfig } from "vitest/config";
import base from "../../../packages/emulator/vitest.config.ts";

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      // the rule functions, called directly
      "test/mqtt-units.test.ts",
      "test/mqtt-rules.test.ts",
      "test/mqtt-packet-scan-rules.test.ts",
      "test/mqtt-packet-scan.test.ts",
      // packets the specifications forbid (the pre-scan's UTF-8 and will QoS rules) through raw clients
      "test/mqtt-malformed-packets.test.ts",
      // the CONNECT limits, topics, subscriptions, last will, content and user properties through real clients
      "test/mqtt-connect-limits.test.ts",
      "test/mqtt-endpoint.test.ts",
      "test/mqtt-server-topics.test.ts",
      "test/mqtt-subscription-ids.test.ts",
      "test/mqtt-flow-control.test.ts",
      "test/mqtt-will-server-close.test.ts",
      "test/mqtt-cross-protocol.test.ts",
      "test/mqtt-upstream.test.ts",
      "test/mqtt-max-packet-size.test.ts",
    ],
  },
});
