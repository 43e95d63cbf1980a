// Network loss in a real browser: the reliable client in headless Chromium, the emulator behind a TCP fault proxy.
// Chromium's offline emulation (CDP Network.emulateNetworkConditions) fires the page's `offline` / `online` events and
// fails new connections, but it does not cut an open WebSocket (checked in Chromium 150: frames are held and delivered
// once back online), so the proxy plays the dead network: open connections are stalled (nothing, not even a close,
// gets through) and new ones are refused while offline.
//
// The scenario is offline for 10 s, then for 40 s, against a 30 s recovery window. Scaled to a 10 s window
// (emulator and client): offline for 7 s (the session is recovered), then for 18 s (past the probe's 5 s plus the
// window: a new connection).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startEmulator } from "@webpubsub/emulator";
import { type FaultProxy, hasChromium, launchChromium, startFaultProxy } from "@webpubsub/test-kit";
import type { Browser, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { WebPubSubClient } from "../src/index.ts";
import { browserBundle } from "./browser-bundle.ts";
import { clientUrl, rest } from "./emulator-helpers.ts";

const withChromium = hasChromium("the browser network-loss test");

const HUB = "pwa";
const ROLES = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];
const WINDOW_MS = 10_000;
const WITHIN_WINDOW_MS = 7_000;
const PAST_WINDOW_MS = 18_000;

let emu: Awaited<ReturnType<typeof startEmulator>>;
let proxy: FaultProxy;
let browser: Browser | undefined;
let bundle: string;
let watcher: WebPubSubClient | undefined;
let appServer: { url: string; close(): Promise<void> };

beforeAll(async () => {
  if (!withChromium) return;
  bundle = await browserBundle();
  // A 2 s keep-alive lets the emulator notice the dead connection (and start the session's recovery window) soon.
  emu = await startEmulator({ port: 0, recoveryWindowMs: WINDOW_MS, keepAliveIntervalMs: 2000 });
  proxy = await startFaultProxy(emu.port);
  const app = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>pwa</title>");
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  appServer = {
    url: `http://127.0.0.1:${(app.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => app.close(() => resolve())),
  };
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await watcher?.stop();
  await browser?.close();
  await proxy?.close();
  await appServer?.close();
  await emu?.close();
});

interface PageState {
  events: string[];
  received: string[];
  sends: Record<string, string>;
  connectionId: string | undefined;
  state: string;
}

type PageGlobals = {
  WebPubSub: typeof import("../src/index.ts");
  negotiate: () => Promise<string>;
  client: WebPubSubClient;
  log: PageState;
  send: (text: string) => void;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function pageState(page: Page): Promise<PageState> {
  return page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    return { ...g.log, connectionId: g.client.connectionId, state: g.client.state };
  });
}

/** Waits (event-driven, in the page) until the page's event log ends with `event`. */
async function pageEvent(page: Page, event: string, timeout = 60_000): Promise<void> {
  await page.waitForFunction((e) => (globalThis as unknown as PageGlobals).log.events.includes(e), event, { timeout });
}

/** How many listeners the page has for each of these event types, on window and on document (CDP's own count). */
async function listenerCounts(cdp: CDPSession): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const expression of ["window", "document"]) {
    const { result } = await cdp.send("Runtime.evaluate", { expression });
    const { listeners } = await cdp.send("DOMDebugger.getEventListeners", { objectId: result.objectId as string });
    for (const l of listeners) {
      if (["online", "offline", "visibilitychange"].includes(l.type)) counts[l.type] = (counts[l.type] ?? 0) + 1;
    }
  }
  return counts;
}

it.skipIf(!withChromium)(
  "the reliable client in Chromium: a network loss within the recovery window is recovered on the same connection with nothing lost or repeated; past it, a new connection with its groups rejoined",
  async () => {
    const page = await (browser as Browser).newPage();
    page.on("pageerror", (e) => console.error("page error:", e));
    // The app's page, served from loopback like an app next to the emulator (a page Chromium cannot place on the
    // network, e.g. one fulfilled by Playwright, may not open loopback sockets: Local Network Access checks).
    await page.goto(appServer.url);
    await page.addScriptTag({ content: bundle });
    const origin = `http://127.0.0.1:${proxy.port}`; // the service, as the page reaches it: through the proxy
    await page.exposeFunction("negotiate", () =>
      clientUrl(origin, emu.accessKey, HUB, { userId: "pwa", roles: ROLES }),
    );
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    expect(await listenerCounts(cdp)).toEqual({});

    // Someone else in the group, straight on the emulator: sees what the page publishes, exactly once.
    watcher = new WebPubSubClient(
      await clientUrl(emu.endpoint, emu.accessKey, HUB, { userId: "watcher", roles: ROLES }),
    );
    const watched: string[] = [];
    watcher.on("group-message", (e) => {
      if (e.message.fromUserId === "pwa") watched.push(e.message.data as string);
    });
    await watcher.start();
    await watcher.joinGroup("room");

    await page.evaluate(async (windowMs) => {
      const g = globalThis as unknown as PageGlobals;
      g.log = { events: [], received: [], sends: {}, connectionId: undefined, state: "" };
      const client = new g.WebPubSub.WebPubSubClient(
        { getClientAccessUrl: () => g.negotiate() },
        { recoveryWindowInMs: windowMs },
      );
      for (const name of ["connected", "disconnected", "recovering", "recovered", "stopped"] as const) {
        client.on(name, () => g.log.events.push(name));
      }
      client.on("group-message", (e) => g.log.received.push(e.message.data as string));
      g.send = (text) => {
        g.log.sends[text] = "pending";
        client.sendToGroup("room", text, "text", { noEcho: true }).then(
          (r) => (g.log.sends[text] = r.isDuplicated ? "duplicate" : "ok"),
          (e: Error) => (g.log.sends[text] = `failed: ${e.message}`),
        );
      };
      g.client = client;
      await client.start();
      await client.joinGroup("room");
    }, WINDOW_MS);
    expect(await listenerCounts(cdp)).toEqual({ online: 1, offline: 1, visibilitychange: 1 });
    const first = await pageState(page);
    expect(first.events).toEqual(["connected"]);

    const toGroup = (text: string) =>
      rest(emu.endpoint, emu.accessKey, "POST", `${HUB}/groups/room/:send`, { contentType: "text/plain", data: text });
    const received = async (text: string) =>
      page.waitForFunction((t) => (globalThis as unknown as PageGlobals).log.received.includes(t), text, {
        timeout: 60_000,
      });
    const offline = async () => {
      proxy.stallOpen(); // the open connection goes silent, both ways
      proxy.refuseNew(true);
      await cdp.send("Network.emulateNetworkConditions", {
        offline: true,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
    };
    const online = async () => {
      proxy.refuseNew(false);
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
    };

    // ---- 1. Offline within the recovery window: the same connection comes back, nothing lost or repeated.
    await toGroup("before-1");
    await received("before-1");
    await page.evaluate(() => {
      (globalThis as unknown as PageGlobals).log.events.length = 0;
    });
    await offline();
    await toGroup("during-1a"); // written into the dead connection or buffered: replayed after the recovery
    await toGroup("during-1b");
    await page.evaluate(() => (globalThis as unknown as PageGlobals).send("page-during-1"));
    await sleep(WITHIN_WINDOW_MS); // the network is down this long
    await online();
    await pageEvent(page, "recovered");
    await toGroup("after-1");
    await received("after-1");
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).log.sends["page-during-1"] !== "pending");
    const one = await pageState(page);
    expect(one.events).toEqual(["recovering", "recovered"]); // the `offline` probe noticed; `online` retried at once
    expect(one.connectionId).toBe(first.connectionId);
    expect(one.received).toEqual(["before-1", "during-1a", "during-1b", "after-1"]);
    expect(one.sends["page-during-1"]).toBe("ok");

    // ---- 2. Offline past the window: a new connection, with the group joined again.
    await page.evaluate(() => {
      (globalThis as unknown as PageGlobals).log.events.length = 0;
    });
    await offline();
    await page.evaluate(() => (globalThis as unknown as PageGlobals).send("page-during-2"));
    await sleep(PAST_WINDOW_MS);
    const stillOffline = await pageState(page);
    expect(stillOffline.events).toEqual(["recovering", "disconnected"]); // the window passed while offline
    await online();
    await pageEvent(page, "connected"); // after the group was joined again
    await toGroup("after-2");
    await received("after-2");
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).log.sends["page-during-2"] !== "pending");
    const two = await pageState(page);
    expect(two.events).toEqual(["recovering", "disconnected", "connected"]);
    expect(two.connectionId).not.toBe(first.connectionId);
    expect(two.received.at(-1)).toBe("after-2");
    expect(two.sends["page-during-2"]).toBe("ok");

    // What the page published while offline reached the group exactly once each (the watcher's copy).
    await watcher.sendToGroup("room", "marker", "text"); // acked after everything the service had before it
    expect(watched).toEqual(["page-during-1", "page-during-2"]);

    // Nothing hangs, and nothing is left listening.
    const stopped = await page.evaluate(async () => {
      const g = globalThis as unknown as PageGlobals;
      await g.client.stop();
      return g.client.state;
    });
    expect(stopped).toBe("Stopped");
    expect(await listenerCounts(cdp)).toEqual({});
    await page.close();
  },
  120_000,
);
