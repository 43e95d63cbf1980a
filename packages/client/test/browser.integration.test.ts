// Runs the client in headless Chromium against the emulator: the default entry is bundled for the browser (any Node
// built-in would fail the bundle), then a page connects, joins, publishes and receives over the browser's WebSocket.
import { startEmulator } from "@webpubsub/emulator";
import { hasChromium, launchChromium } from "@webpubsub/test-kit";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { browserBundle } from "./browser-bundle.ts";
import { clientUrl, rest } from "./emulator-helpers.ts";

const withChromium = hasChromium("the browser round-trip test");

let emu: Awaited<ReturnType<typeof startEmulator>>;
let browser: Browser | undefined;
let bundle: string;

beforeAll(async () => {
  if (!withChromium) return;
  bundle = await browserBundle();
  // the page is about:blank, whose opaque origin browsers send as "null": the emulator refuses pages of other
  // origins than loopback ones unless allowed (its README, "Security")
  emu = await startEmulator({ port: 0, allowedOrigins: ["null"] });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await emu?.close();
});

it.skipIf(!withChromium)(
  "bundles for the browser and round-trips messages in Chromium",
  async () => {
    expect(bundle).not.toMatch(/require\(["']node:/);
    const page = await (browser as Browser).newPage();
    page.on("pageerror", (e) => console.error("page error:", e));
    await page.setContent("<!doctype html><title>client</title>");
    await page.addScriptTag({ content: bundle });
    const url = await clientUrl(emu.endpoint, emu.accessKey, "browser", {
      userId: "chromium",
      roles: ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"],
    });

    const result = await page.evaluate(async (url) => {
      const { WebPubSubClient } = (globalThis as unknown as { WebPubSub: typeof import("../src/index.ts") }).WebPubSub;
      const client = new WebPubSubClient(url);
      const events: string[] = [];
      client.on("connected", (e) => events.push(`connected:${e.userId}`));
      const got = new Promise<unknown[]>((resolve) => {
        const messages: unknown[] = [];
        client.on("group-message", (e) => {
          const d = e.message.data;
          messages.push(d instanceof Uint8Array ? Array.from(d) : d);
          if (messages.length === 2) resolve(messages);
        });
      });
      await client.start();
      const join = await client.joinGroup("room");
      const sent = await client.sendToGroup("room", { hi: "from the browser" }, "json");
      await client.sendToGroup("room", new Uint8Array([1, 2, 3]).buffer, "binary");
      const messages = await got;
      (globalThis as unknown as { client: unknown }).client = client;
      return { events, join, sent, messages, protocol: client.protocol, connectionId: client.connectionId };
    }, url);

    expect(result.events).toEqual(["connected:chromium"]);
    expect(result.join).toEqual({ ackId: 1, isDuplicated: false });
    expect(result.sent).toEqual({ ackId: 2, isDuplicated: false });
    expect(result.messages).toEqual([{ hi: "from the browser" }, [1, 2, 3]]);
    expect(result.protocol).toBe("json.reliable.webpubsub.azure.v1");

    // A server message sent over REST reaches the page too (the listener is in place before the REST call).
    await page.evaluate(() => {
      const g = globalThis as unknown as { client: import("../src/index.ts").WebPubSubClient; serverMessage: unknown };
      g.serverMessage = new Promise((resolve) => g.client.on("server-message", (e) => resolve(e.message.data)));
    });
    await rest(emu.endpoint, emu.accessKey, "POST", `browser/connections/${result.connectionId}/:send`, {
      contentType: "text/plain",
      data: "hello page",
    });
    const serverMessage = page.evaluate(
      () => (globalThis as unknown as { serverMessage: Promise<unknown> }).serverMessage,
    );
    expect(await serverMessage).toBe("hello page");
    const stopped = await page.evaluate(async () => {
      const client = (globalThis as unknown as { client: import("../src/index.ts").WebPubSubClient }).client;
      let stopped = false;
      client.on("stopped", () => (stopped = true));
      await client.stop();
      return stopped && client.state === "Stopped";
    });
    expect(stopped).toBe(true);
    await page.close();
  },
  30_000,
);
