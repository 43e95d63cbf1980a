// `pnpm demo`: a walkthrough of the whole SDK against an in-process emulator. Starts the emulator, an app server
// (the emulator's event handler) and a TCP proxy, connects several clients, and runs every step in steps.ts.
// Exits 0 only if every step passed; otherwise 1, naming the failing step. Never takes longer than TIMEOUT_MS.
import { DEFAULT_ACCESS_KEY, startEmulator } from "@webpubsub/emulator";
import { WebPubSubServiceClient } from "@webpubsub/service";
import { startFaultProxy } from "@webpubsub/test-kit";
import { startAppServer } from "./app-server.ts";
import { dim, green, red, runSteps } from "./runner.ts";
import { buildSteps } from "./steps.ts";

const HUB = "demo";
const TIMEOUT_MS = 45_000;

let current = "setup";
const watchdog = setTimeout(() => {
  console.log(red(`✘ the demo did not finish within ${TIMEOUT_MS / 1000} s (stuck in ${current})`));
  process.exit(1);
}, TIMEOUT_MS);

const started = performance.now();
let service: WebPubSubServiceClient | undefined;
// The app server starts first: the emulator is configured with its URL. It broadcasts "chat" events through the
// service client created right after the emulator.
const app = await startAppServer(HUB, DEFAULT_ACCESS_KEY, async (message) => {
  await service?.sendToAll(message);
});
const emulator = await startEmulator({
  port: 0,
  accessKey: DEFAULT_ACCESS_KEY, // the app server checks the emulator's signatures with it
  // DEMO_DEBUG=1 prints the emulator's log (connections, REST calls, upstream calls)
  ...(process.env.DEMO_DEBUG ? { log: (line: string) => console.log(dim(`    [emulator] ${line}`)) } : {}),
  hubs: {
    [HUB]: {
      eventHandlers: [{ urlTemplate: app.handlerUrl, userEventPattern: "chat,whoami", systemEvents: ["connect"] }],
    },
  },
});
service = new WebPubSubServiceClient(emulator.connectionString, HUB);
const proxy = await startFaultProxy(emulator.port);
const proxiedService = new WebPubSubServiceClient(
  `Endpoint=http://127.0.0.1:${proxy.port};AccessKey=${emulator.accessKey};Version=1.0;`,
  HUB,
);

console.log("Azure Web PubSub SDK walkthrough");
console.log(dim(`  emulator     ${emulator.endpoint}  (hub "${HUB}")`));
console.log(
  dim(`  app server   ${app.handlerUrl.replace("{hub}", HUB)}  (connect handler, "chat" and "whoami" events)`),
);
console.log(dim(`  proxy        127.0.0.1:${proxy.port} → emulator  (dave's connection goes through it)`));
console.log();

const { steps, audience } = buildSteps({ service, proxiedService, proxy, app });
const result = await runSteps(steps, (label) => {
  current = label;
});

current = "shutdown";
await Promise.allSettled(audience.all().map((p) => p.client.stop()));
await proxy.close();
await emulator.close();
await app.close();
clearTimeout(watchdog);

const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log();
if (result.failed) {
  console.log(
    red(
      `✘ step ${result.failed.index} failed: ${result.failed.title} (${result.passed}/${steps.length} passed, ${seconds} s)`,
    ),
  );
  process.exit(1);
}
console.log(green(`✔ all ${steps.length} steps passed in ${seconds} s`));
process.exit(0);
