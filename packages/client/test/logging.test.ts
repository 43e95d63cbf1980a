// The client's two loggers (package.json `#log`): in browsers the console logger, set only through the client's own
// setLogLevel; elsewhere @azure/logger, imported on the first line (not with the client), with the lines written while
// it loads kept (bounded) and written in order once it is there.
import { execFileSync } from "node:child_process";
import { AzureLogger, getLogLevel as azureGetLogLevel, setLogLevel as azureSetLogLevel } from "@azure/logger";
import { afterEach, describe, expect, it, vi } from "vitest";

type LogModule = typeof import("../src/log-console.ts");

const previousLog = AzureLogger.log;
const previousLevel = azureGetLogLevel();
afterEach(() => {
  AzureLogger.log = previousLog;
  azureSetLogLevel(previousLevel);
  vi.restoreAllMocks();
});

describe("console logger (browsers)", () => {
  it("is off by default and writes the lines at or above the level set, to the console method of the level", async () => {
    const log = (await import("../src/log-console.ts?fresh-1" as string)) as LogModule;
    const calls: string[] = [];
    for (const method of ["debug", "info", "warn", "error"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => calls.push(`${method} ${args.join(" ")}`));
    }
    expect(log.getLogLevel()).toBeUndefined();
    log.logger.error("off");
    expect(calls).toEqual([]);

    log.setLogLevel("info");
    expect(log.getLogLevel()).toBe("info");
    log.logger.verbose("v");
    log.logger.info("i");
    log.logger.warning("w");
    log.logger.error("e");
    expect(calls).toEqual([
      "info webpubsub-client:info i",
      "warn webpubsub-client:warning w",
      "error webpubsub-client:error e",
    ]);

    log.setLogLevel("verbose");
    log.logger.verbose("v2");
    expect(calls.at(-1)).toBe("debug webpubsub-client:verbose v2");
    log.setLogLevel(undefined);
    log.logger.error("off again");
    expect(calls).toHaveLength(4);
  });

  it("refuses an unknown level with a TypeError and keeps the level it had", async () => {
    const log = (await import("../src/log-console.ts?fresh-2" as string)) as LogModule;
    log.setLogLevel("warning");
    expect(() => log.setLogLevel("debug" as never)).toThrow(
      'log level must be one of verbose, info, warning, error or undefined, got "debug"',
    );
    // a huge level is echoed by its first 64 characters only
    expect(() => log.setLogLevel(`debug${"g".repeat(100_000)}` as never)).toThrow(`got "debug${"g".repeat(59)}"...`);
    let message = "";
    try {
      log.setLogLevel("g".repeat(100_000) as never);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.length).toBeLessThan(200);
    expect(log.getLogLevel()).toBe("warning");
  });
});

describe("@azure/logger, loaded on the first line (Node)", () => {
  function capture(): string[] {
    const lines: string[] = [];
    AzureLogger.log = (...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    };
    return lines;
  }

  it("writes the lines logged while it loads once it is there, in order, at the level set before", async () => {
    const lines = capture();
    azureSetLogLevel(undefined);
    const log = (await import("../src/log-azure.ts?fresh-1" as string)) as LogModule;
    log.setLogLevel("info");
    expect(log.getLogLevel()).toBe("info");
    log.logger.verbose("a");
    log.logger.info("b");
    log.logger.warning("c");
    expect(lines).toEqual([]); // not loaded yet
    await vi.waitFor(() => expect(lines).toHaveLength(2));
    expect(lines).toEqual(["azure:webpubsub-client:info b", "azure:webpubsub-client:warning c"]);
    expect(azureGetLogLevel()).toBe("info");

    // Loaded: lines and levels take effect at once, both ways.
    log.setLogLevel("verbose");
    log.logger.verbose("d");
    expect(lines.at(-1)).toBe("azure:webpubsub-client:verbose d");
    azureSetLogLevel("error");
    expect(log.getLogLevel()).toBe("error");
    log.logger.warning("e");
    expect(lines).toHaveLength(3);
    expect(() => log.setLogLevel("loud" as never)).toThrow(TypeError);
  });

  it("keeps at most 100 lines while it loads", async () => {
    const lines = capture();
    azureSetLogLevel("verbose");
    const log = (await import("../src/log-azure.ts?fresh-2" as string)) as LogModule;
    for (let i = 0; i < 150; i++) log.logger.info(`line ${i}`);
    await vi.waitFor(() => expect(lines.length).toBeGreaterThan(0));
    expect(lines).toHaveLength(100);
    expect(lines[99]).toBe("azure:webpubsub-client:info line 99");
    log.logger.info("after");
    expect(lines.at(-1)).toBe("azure:webpubsub-client:info after");
  });

  it("importing the client does not load @azure/logger; its first log line does (fresh process)", () => {
    const script = `
      import { registerHooks } from "node:module";
      const seen = [];
      registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.push(r.url); return r; } });
      const loaded = () => seen.some((u) => u.includes("/@azure/logger/"));
      const { WebPubSubClient } = await import("@webpubsub/client");
      const atImport = loaded();
      const client = new WebPubSubClient("ws://127.0.0.1:1/client/hubs/h", { webSocketFactory: () => { throw new Error("no"); } });
      const atConstruction = loaded();
      await client.start().catch(() => {});
      await new Promise((r) => setTimeout(r, 0));
      process.stdout.write(JSON.stringify({ atImport, atConstruction, afterStart: loaded() }));`;
    const out = execFileSync(process.execPath, ["--conditions=source", "--input-type=module", "-e", script], {
      cwd: new URL("..", import.meta.url).pathname,
      encoding: "utf8",
    });
    expect(JSON.parse(out)).toEqual({ atImport: false, atConstruction: false, afterStart: true });
  });
});
