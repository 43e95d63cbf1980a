// The client's logger outside browsers (the default of the `#log` import): @azure/logger under the namespace
// `webpubsub-client`, so AZURE_LOG_LEVEL and @azure/logger's setLogLevel apply. @azure/logger is imported on the first
// log line or setLogLevel call, not with the client, so that importing the client stays cheap; the lines written
// while it loads wait in a bounded queue and go out in order once it is there (a tick later).
import type * as AzureLoggerModule from "@azure/logger";
import { type ClientLogger, checkLogLevel, LOG_LEVELS, type LogLevel } from "./log-levels.ts";

/** Lines kept while @azure/logger loads (it takes a few milliseconds; anything beyond is dropped). */
const MAX_WAITING_LINES = 100;

let azure: typeof AzureLoggerModule | undefined;
let loaded: ClientLogger | undefined;
let loadStarted = false;
const waiting: [LogLevel, string][] = [];
/** A level set before @azure/logger was there, applied once it is. */
let requested: { level: LogLevel | undefined } | undefined;

function load(): void {
  if (loadStarted) return;
  loadStarted = true;
  import("@azure/logger").then(
    (module) => {
      azure = module;
      if (requested) module.setLogLevel(requested.level);
      requested = undefined;
      loaded = module.createClientLogger("webpubsub-client");
      for (const [level, message] of waiting.splice(0)) loaded[level](message);
    },
    () => {
      // No @azure/logger: nothing is logged.
      waiting.length = 0;
    },
  );
}

/**
 * Sets @azure/logger's level (for every Azure SDK logger, like AZURE_LOG_LEVEL); undefined turns logging off. Before
 * the client logged anything, it takes effect once @azure/logger is loaded, before any line of the client is written.
 */
export function setLogLevel(level?: LogLevel): void {
  checkLogLevel(level);
  if (azure) {
    azure.setLogLevel(level);
    return;
  }
  requested = { level };
  load();
}

/** @azure/logger's level (before it is loaded: the level set with setLogLevel, or AZURE_LOG_LEVEL). */
export function getLogLevel(): LogLevel | undefined {
  if (azure) return azure.getLogLevel();
  if (requested) return requested.level;
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.AZURE_LOG_LEVEL;
  return LOG_LEVELS.includes(env as LogLevel) ? (env as LogLevel) : undefined;
}

function writer(level: LogLevel): (message: string) => void {
  return (message) => {
    if (loaded) {
      loaded[level](message);
      return;
    }
    if (waiting.length < MAX_WAITING_LINES) waiting.push([level, message]);
    load();
  };
}

export const logger: ClientLogger = {
  verbose: writer("verbose"),
  info: writer("info"),
  warning: writer("warning"),
  error: writer("error"),
};
