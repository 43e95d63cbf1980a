// `pnpm start` as a child process: prints the URLs, serves the page, and exits 0 on Ctrl+C (SIGINT).
import { expect, test } from "vitest";
import { spawnNode } from "./run-node.ts";

test("pnpm start serves the chat page and stops cleanly on SIGINT", async () => {
  const child = spawnNode("src/chat/start.ts");
  let stdout = "";
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("Press Ctrl+C")) resolve();
    });
    child.on("close", () => reject(new Error(`exited before it was ready: ${stdout}`)));
  });
  try {
    await ready;
    const page = /chat page\s+(http:\/\/\S+)/.exec(stdout)?.[1];
    expect(page, stdout).toBeDefined();
    expect(stdout).toMatch(/emulator\s+http:\/\/127\.0\.0\.1:\d+/);
    const html = await fetch(page as string).then((r) => r.text());
    expect(html).toContain('<script type="module" src="/app.js"></script>');
    const script = await fetch(new URL("/app.js", page)).then((r) => r.text());
    expect(script).toContain("getClientAccessUrl");
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(stdout).toContain("SIGINT: stopping");
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
