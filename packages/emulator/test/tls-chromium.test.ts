// Real Chromium connects over wss to `startEmulator({ tls: true })` when told to trust exactly that certificate's key
// (--ignore-certificate-errors-spki-list), and fails without it.
import { createHash, X509Certificate } from "node:crypto";
import { launchChromium } from "@webpubsub/test-kit";
import { describe, expect, it } from "vitest";
import { clientToken, JSON_PROTOCOL } from "./helpers/clients.ts";
import { useEmulator } from "./helpers/use-emulator.ts";

const emu = useEmulator({ tls: true });

async function openFrom(args: string[]): Promise<string> {
  const browser = await launchChromium(args);
  try {
    const page = await browser.newPage();
    const ws = `${emu.endpoint.replace("https", "wss")}/client/hubs/tlsweb?access_token=${clientToken(emu, "tlsweb")}`;
    const loaded = await page.goto(`${emu.endpoint}/`).then(
      () => true,
      () => false,
    );
    if (!loaded) return "page refused";
    return await page.evaluate(
      ([url, protocol]) =>
        new Promise<string>((resolve) => {
          const s = new WebSocket(url!, protocol);
          s.onmessage = (e) => resolve(`message: ${e.data}`);
          s.onclose = (e) => resolve(`closed ${e.code}`);
        }),
      [ws, JSON_PROTOCOL],
    );
  } finally {
    await browser.close();
  }
}

describe("Chromium over wss", { timeout: 60_000 }, () => {
  it("connects with the certificate's key trusted, and not without", async () => {
    const key = new X509Certificate(emu.certificate!).publicKey.export({ type: "spki", format: "der" });
    const spki = createHash("sha256").update(key).digest("base64");
    expect(await openFrom([`--ignore-certificate-errors-spki-list=${spki}`])).toMatch(
      /^message: .*"event":"connected"/,
    );
    expect(await openFrom([])).toBe("page refused");
  });
});
