// Shared setup for the browser tests: the chat app on a random port and a headless Chromium, both per describe block.
import { launchChromium } from "@webpubsub/test-kit";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { type RunningChat, startChat } from "../src/chat/server.ts";

export interface ChatInChromium {
  /** The running chat app (available from beforeAll on). */
  readonly chat: RunningChat;
  /** The headless Chromium (available from beforeAll on). */
  readonly browser: Browser;
  /** A new chat page joined as `name`, once its status says Connected. */
  join(name: string): Promise<Page>;
}

/** Call inside a describe block: starts the chat app and Chromium before its tests and closes both after them. */
export function chatInChromium(): ChatInChromium {
  let chat: RunningChat | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    chat = await startChat({ port: 0 });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await chat?.close();
  });

  const app: ChatInChromium = {
    get chat() {
      if (chat === undefined) throw new Error("the chat app is not started yet (use it inside a test)");
      return chat;
    },
    get browser() {
      if (browser === undefined) throw new Error("Chromium is not launched yet (use it inside a test)");
      return browser;
    },
    async join(name) {
      const page = await app.browser.newPage();
      await page.goto(app.chat.url);
      await page.fill("#name", name);
      await page.click("#join");
      await page.waitForSelector(`#status[data-state="Connected"]`, { timeout: 60_000 });
      return page;
    },
  };
  return app;
}

/** Types `text` into the chat page's message box and sends it. */
export async function say(page: Page, text: string): Promise<void> {
  await page.fill("#message", text);
  await page.click("#send");
}

/**
 * The two-page conversation the browser tests start with: alice sees bob join (the server's connected handler
 * announces him), says "hello bob", which bob's page shows, and bob answers "hi alice", which both pages show.
 */
export async function helloBobHiAlice(alice: Page, bob: Page): Promise<void> {
  await alice.waitForSelector("#messages li.system >> text=bob joined", { timeout: 60_000 });
  await say(alice, "hello bob");
  await bob.waitForSelector("#messages li >> text=hello bob", { timeout: 60_000 });
  await say(bob, "hi alice");
  for (const page of [alice, bob]) {
    await page.waitForSelector("#messages li >> text=hi alice", { timeout: 60_000 });
  }
}
