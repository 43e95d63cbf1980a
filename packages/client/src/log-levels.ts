// What the client's two loggers share (the console logger of browsers, log-console.ts, and the lazy @azure/logger one
// of Node, log-azure.ts, chosen through the `#log` import of package.json): the levels, the logger's shape, the check
// of a level given by the caller.

import { shownValue } from "@webpubsub/core/client-wire";

/** Log levels, least to most severe (the levels of @azure/logger). */
export type LogLevel = "verbose" | "info" | "warning" | "error";

export const LOG_LEVELS: readonly LogLevel[] = ["verbose", "info", "warning", "error"];

/** What the client writes log lines through. */
export interface ClientLogger {
  verbose(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

/** A level given to setLogLevel: one of LOG_LEVELS, or undefined (logging off). */
export function checkLogLevel(level: unknown): asserts level is LogLevel | undefined {
  if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel)) {
    throw new TypeError(`log level must be one of ${LOG_LEVELS.join(", ")} or undefined, got ${shownValue(level)}`);
  }
}
