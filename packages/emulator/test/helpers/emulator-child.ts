// The emulator alone in a child process, with a meter of its busiest event-loop turn in CPU time (see
// emulator-process.ts). Options come as JSON in argv[2]; the parent talks over IPC.
import { startEmulator } from "../../src/index.ts";

const options = JSON.parse(process.argv[2] ?? "{}");
const emulator = await startEmulator(options);

// CPU time of this thread between consecutive timer ticks: a turn that runs one long task shows as a large delta.
// Descheduling (a busy machine) adds wall-clock time, not CPU time, so the figure does not depend on the load.
let busiest = 0;
let last = process.threadCpuUsage();
const tick = () => {
  const now = process.threadCpuUsage();
  const ms = (now.user - last.user + now.system - last.system) / 1000;
  if (ms > busiest) busiest = ms;
  last = now;
  setTimeout(tick, 1);
};
setTimeout(tick, 1);

process.on("message", (m: { type?: string }) => {
  if (m?.type === "busiest") {
    process.send?.({ type: "busiest", ms: busiest });
    busiest = 0;
  } else if (m?.type === "memory") {
    process.send?.({ type: "memory", ...process.memoryUsage() });
  }
});
process.on("disconnect", () => {
  void emulator.close().finally(() => process.exit(0));
});
process.send?.({
  type: "ready",
  endpoint: emulator.endpoint,
  port: emulator.port,
  accessKey: emulator.accessKey,
  connectionString: emulator.connectionString,
});
