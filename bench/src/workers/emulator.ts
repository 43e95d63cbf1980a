// The emulator in its own process, so a benchmark's client-side figures do not include the server's work.
import { startEmulator } from "@webpubsub/emulator";

const emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
process.send?.({ endpoint: emulator.endpoint, connectionString: emulator.connectionString, port: emulator.port });
process.on("message", (m: { type?: string }) => {
  if (m?.type === "rss") process.send?.({ type: "rss", rss: process.memoryUsage().rss });
  if (m?.type === "memory") process.send?.({ type: "memory", ...process.memoryUsage() });
  if (m?.type === "gc") {
    (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ type: "gc-done" });
  }
});
process.on("disconnect", () => {
  void emulator.close().finally(() => process.exit(0));
});
