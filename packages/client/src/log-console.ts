// The client's logger in browsers (the `browser` condition of the `#log` import): lines go to the console under
// `webpubsub-client:<level>`, at or above the level set with this package's setLogLevel; off by default. It keeps
// @azure/logger out of browser bundles, so @azure/logger's own setLogLevel does not reach the client there.
import { type ClientLogger, checkLogLevel, LOG_LEVELS, type LogLevel } from "./log-levels.ts";

let current: LogLevel | undefined;

/** Sets the level of the client's log lines (undefined: off). */
export function setLogLevel(level?: LogLevel): void {
  checkLogLevel(level);
  current = level;
}

/** The level set with setLogLevel (undefined: off). */
export function getLogLevel(): LogLevel | undefined {
  return current;
}

/** Writes lines of `level` with the console's `method`, looked up on every line (so a replaced console is used). */
function writer(level: LogLevel, method: "debug" | "info" | "warn" | "error"): (message: string) => void {
  const rank = LOG_LEVELS.indexOf(level);
  return (message) => {
    if (current === undefined || rank < LOG_LEVELS.indexOf(current)) return;
    console[method](`webpubsub-client:${level}`, message);
  };
}

export const logger: ClientLogger = {
  verbose: writer("verbose", "debug"),
  info: writer("info", "info"),
  warning: writer("warning", "warn"),
  error: writer("error", "error"),
};
