// The emulator dashboard in headless Chromium: two chat pages exchange messages, then /_emulator in a third page shows
// both connections and the messages, and keeps updating live while it is open.
import type { DashboardState } from "@webpubsub/emulator";
import { hasChromium } from "@webpubsub/test-kit";
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { chatInChromium, helloBobHiAlice, say } from "./chat-in-chromium.ts";

describe.skipIf(!hasChromium("the dashboard browser test"))("emulator dashboard in headless Chromium", () => {
  const app = chatInChromium();

  const join = (name: string) => app.join(name);

  /** Waits until a feed row of `kind` contains `text`. */
  async function feedRow(page: Page, kind: string, text: string): Promise<string> {
    const row = await page.waitForSelector(`#feed-rows tr[data-kind="${kind}"] >> text=${text}`, { timeout: 60_000 });
    return (await row.textContent()) ?? "";
  }

  test("shows both chat connections and the messages they exchanged, live", async () => {
    const alice = await join("alice");
    const bob = await join("bob");
    await helloBobHiAlice(alice, bob);

    const state = (await (await fetch(`${app.chat.emulator.endpoint}/_emulator/state`)).json()) as DashboardState;
    const conns = state.hubs.find((h) => h.name === "chat")?.connections ?? [];
    const ids = Object.fromEntries(conns.map((c) => [c.userId, c.connectionId]));
    expect(Object.keys(ids).sort()).toEqual(["alice", "bob"]);

    const dash = await app.browser.newPage();
    const errors: string[] = [];
    dash.on("pageerror", (error) => errors.push(error.message));
    await dash.goto(`${app.chat.emulator.endpoint}/_emulator`);

    // both connections, with their users, subprotocol and group
    await dash.waitForFunction(
      (want) => {
        const text = document.getElementById("hubs")?.textContent ?? "";
        return want.every((w) => text.includes(w));
      },
      [ids.alice!, ids.bob!, "json.reliable.webpubsub.azure.v1", "hub chat (2 connection(s))"],
      { timeout: 60_000 },
    );
    const rows = await dash.$$eval("#hubs table tr", (trs) => trs.map((tr) => tr.textContent ?? ""));
    expect(rows.some((r) => r.includes(ids.alice!) && r.includes("alice") && r.includes("chat"))).toBe(true);
    expect(rows.some((r) => r.includes(ids.bob!) && r.includes("bob") && r.includes("chat"))).toBe(true);

    // the messages already exchanged (from the recent entries), with sender and group
    expect(await feedRow(dash, "message", "hello bob")).toContain(`${ids.alice} -> group chat: [text] hello bob`);
    expect(await feedRow(dash, "message", "hi alice")).toContain(`${ids.bob} -> group chat: [text] hi alice`);
    await feedRow(dash, "connected", "user alice");
    await feedRow(dash, "upstream", "connected -> HTTP");
    await dash.waitForSelector(`#live >> text=(live)`, { timeout: 60_000 });

    // and what happens while it is open arrives over the event stream
    await say(alice, "still there?");
    expect(await feedRow(dash, "message", "still there?")).toContain(`${ids.alice} -> group chat`);
    await bob.close({ runBeforeUnload: true });
    await feedRow(dash, "disconnected", ids.bob!);
    await dash.waitForFunction(
      () => document.getElementById("hubs")?.textContent?.includes("(1 connection(s))"),
      null,
      {
        timeout: 60_000,
      },
    );

    const page = await dash.content();
    expect(page).not.toContain(app.chat.emulator.accessKey);
    expect(page).not.toContain("access_token=ey");
    expect(errors).toEqual([]);
    await alice.close();
    await dash.close();
  });
});
