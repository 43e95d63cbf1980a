// Every file in src/samples runs to completion with exit code 0 against an in-process emulator, two at a time.
import { readdirSync, readFileSync } from "node:fs";
import { startEmulator } from "@webpubsub/emulator";
import { describe, expect, test } from "vitest";
import { examplesDir, runNode } from "./run-node.ts";

const samples = readdirSync(new URL("../src/samples/", import.meta.url))
  .filter((file) => file.endsWith(".ts"))
  .sort();

/** At most `limit` samples run at once (the machine is shared). */
function limiter(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await work();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
const slot = limiter(2);

test("there are samples to run", () => {
  expect(samples.length).toBeGreaterThanOrEqual(15);
});

test("the README lists every sample", () => {
  const readme = readFileSync(`${examplesDir}/README.md`, "utf8");
  const missing = samples.filter((file) => !readme.includes(`src/samples/${file}`));
  expect(missing).toEqual([]);
});

// A sample's time includes its wait for a slot, so the test timeout covers every sample before it; the child itself
// is killed only if it hangs (runNode's limit), never for being slow on a busy machine.
const QUEUE_TIMEOUT_MS = samples.length * 300_000;

describe.concurrent("samples", () => {
  for (const file of samples) {
    test(file, { timeout: QUEUE_TIMEOUT_MS }, async () => {
      const run = await slot(() => runNode(`src/samples/${file}`));
      const output = `${run.stdout}\n${run.stderr}`;
      expect(run.code, output).toBe(0);
      expect(run.stdout).toMatch(/✔ .*: all checks passed/);
      expect(run.stdout).toContain("✔ "); // it verified something
    });
  }
});

// The other branch of the shared environment: with AZURE_WEBPUBSUB_CONNECTION_STRING set, samples use that resource
// (here an emulator this test starts, standing in for a real one) and start none of their own.
test("samples run against AZURE_WEBPUBSUB_CONNECTION_STRING when it is set", {
  timeout: QUEUE_TIMEOUT_MS,
}, async () => {
  const emulator = await startEmulator({ port: 0 });
  try {
    for (const file of ["send-to-group.ts", "filters.ts", "connection-management.ts"]) {
      const run = await slot(() =>
        runNode(`src/samples/${file}`, undefined, {
          AZURE_WEBPUBSUB_CONNECTION_STRING: emulator.connectionString,
          AZURE_WEBPUBSUB_HUB: "shared",
        }),
      );
      expect(run.code, `${file}\n${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toContain('(hub "shared" on AZURE_WEBPUBSUB_CONNECTION_STRING)');
    }
  } finally {
    await emulator.close();
  }
});
