// The chat app in headless Chromium: two pages join, exchange messages, and both show every message.

import { hasChromium } from "@webpubsub/test-kit";
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { chatInChromium, helloBobHiAlice } from "./chat-in-chromium.ts";

describe.skipIf(!hasChromium("the browser test"))("chat app in headless Chromium", () => {
  const app = chatInChromium();

  async function open(name: string): Promise<Page> {
    const page = await app.browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(app.chat.url);
    expect(await page.isVisible("#send-form"), "the message box before joining").toBe(false);
    await page.fill("#name", name);
    await page.click("#join");
    await page.waitForSelector(`#status[data-state="Connected"]`, { timeout: 60_000 }).catch((error: unknown) => {
      throw new Error(`${name} did not connect (${errors.join("; ") || String(error)})`);
    });
    expect(await page.isVisible("#join-form"), "the name form after joining").toBe(false);
    expect(await page.isVisible("#send-form"), "the message box after joining").toBe(true);
    return page;
  }

  async function chatLines(page: Page): Promise<string[]> {
    return page.$$eval("#messages li:not(.system)", (items) => items.map((li) => li.textContent ?? ""));
  }

  test("two pages exchange messages and both show all of them", async () => {
    const alice = await open("alice");
    const bob = await open("bob");
    await helloBobHiAlice(alice, bob);
    const expected = ["alice:hello bob", "bob:hi alice"];
    expect(await chatLines(alice)).toEqual(expected);
    expect(await chatLines(bob)).toEqual(expected);

    await bob.close({ runBeforeUnload: true });
    await alice.waitForSelector("#messages li.system >> text=bob left", { timeout: 60_000 });
    await alice.close();
  });

  test("negotiate rejects a missing or invalid user name", async () => {
    expect((await fetch(new URL("/negotiate", app.chat.url))).status).toBe(400);
    expect((await fetch(new URL("/negotiate?user=%3Cscript%3E", app.chat.url))).status).toBe(400);
    const ok = await fetch(new URL("/negotiate?user=carol", app.chat.url));
    expect(ok.status).toBe(200);
    const { url } = (await ok.json()) as { url: string };
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/client\/hubs\/chat\?access_token=/);
  });
});
