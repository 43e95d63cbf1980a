// The benchmarks `pnpm bench` knows, in the order a full run takes them; `optIn` ones run only when named.
import type { Benchmark } from "../harness.ts";
import { clientRoundtrip } from "./client-roundtrip.ts";
import { connections } from "./connections.ts";
import { emulatorFanout as fanout } from "./emulator-fanout.ts";
import { footprint } from "./footprint.ts";
import { invokeRoundtrip } from "./invoke-roundtrip.ts";
import { mqttFanout } from "./mqtt-fanout.ts";
import { restSend } from "./rest-send.ts";
import { soakBenchmark } from "./soak.ts";
import { streamThroughput } from "./stream-throughput.ts";
import { token } from "./token.ts";

/** Every benchmark, in the order `pnpm bench` runs them (the opt-in soak only when named). */
export const benchmarks: Benchmark[] = [
  restSend,
  token,
  clientRoundtrip,
  streamThroughput,
  invokeRoundtrip,
  fanout,
  mqttFanout,
  connections,
  footprint,
  soakBenchmark,
];
