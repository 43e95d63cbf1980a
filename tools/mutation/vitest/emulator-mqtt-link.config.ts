// The emulator's tests as the `emulator-mqtt-link` mutation run uses them: those of an MQTT client's network connection
// (src/mqtt/network-connection.ts: CONNECT first and in time, the packets that wait for the CONNACK, the keep-alive,
// the link's problems as DISCONNECT reasons or closes, the close handled after the frames before it) and of its link
// (src/mqtt/packet-io.ts: the byte stream cut into packets, the size and per-frame bounds, nothing handled once the
// service began closing the socket, the send-buffer rule of its writes). The link's own tests call MqttLink on a fake
// socket; the rest drive raw mqtt-packet or mqtt.js clients against an in-process emulator, waiting on packets and
// closes only (the keep-alive and CONNECT timers on fake timers). A mutant that loses an event (a CONNACK never sent,
// a close never handled) leaves such a test waiting on its socket: the target's short timeoutMS ends that wait as a
// timeout, which counts as killed. Left out: the tests of the endpoint's rule files (`emulator-mqtt`'s), which reach
// these two files only as the way in.
import { defineConfig } from "vitest/config";
import base from "../../../packages/emulator/vitest.config.ts";

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      // the link on a fake socket: packet cutting, bounds, the stop after the service's close, writes
      "test/mqtt-units.test.ts",
      "test/mqtt-link-flood.test.ts",
      "test/mqtt-link-stream.test.ts",
      "test/mqtt-link-tail-memory.test.ts",
      "test/mqtt-packet-scan.test.ts",
      "test/mqtt-slow-reader.test.ts",
      // the network connection through real clients
      "test/mqtt-after-close.test.ts",
      "test/mqtt-bounds.test.ts",
      "test/mqtt-network-connection.test.ts",
      "test/mqtt-resume-slow.test.ts",
    ],
  },
});
