// Headless Chromium for the browser tests: where it is (Debian's chromium, or CHROMIUM_PATH), whether it is there, and
// one launch with the flags every browser test runs with (plus the test's own).
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** The Chromium executable the browser tests launch: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The flags of every launch: headless, no sandbox (containers), and none of the browser's background traffic. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Whether Chromium is installed; when it is not, warns that `what` is skipped and how to point at one. */
export function hasChromium(what: string): boolean {
  const found = existsSync(CHROMIUM_PATH);
  if (!found) console.warn(`skipping ${what}: no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`);
  return found;
}

/** Launches headless Chromium with {@link CHROMIUM_ARGS} followed by `extraArgs` (e.g. host resolver rules). */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
