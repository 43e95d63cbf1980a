// The shared test tools of this repository (a private workspace package, never published).

export { forkReady, ipcRequest, stopChild } from "./child-process.ts";
export { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, launchChromium } from "./chromium.ts";
export { type CounterWaiter, counterWaiter } from "./counter-waiter.ts";
export { type FaultProxy, type StallDirection, startFaultProxy } from "./fault-proxy.ts";
export { Recording } from "./recording.ts";
export { sourceFiles, withoutComments } from "./source-scan.ts";
export { thrownMessage } from "./thrown.ts";
