// The client's logger, under the name `webpubsub-client`: the lifecycle (state transitions, connection attempts and
// their delays, recoveries, closes with their codes) shows with AZURE_LOG_LEVEL=verbose or @azure/logger's
// setLogLevel("verbose") in Node (log-azure.ts), and with this package's setLogLevel("verbose") anywhere (in browsers
// lines go to the console, log-console.ts; the `#log` import of package.json picks one). No line carries a token: URLs
// are logged without their query (see loggableUrl), and error texts pass through loggableError.
import * as log from "#log";
import type { ClientLogger, LogLevel } from "./log-levels.ts";

export const logger: ClientLogger = log.logger;

/**
 * Sets the level of the client's log lines; undefined turns them off. In browsers the client logs to the console,
 * and only this sets its level; elsewhere it logs through @azure/logger and this sets @azure/logger's level (as
 * AZURE_LOG_LEVEL does).
 */
export function setLogLevel(level?: LogLevel): void {
  log.setLogLevel(level);
}

/** The level set with setLogLevel (outside browsers: @azure/logger's level); undefined when logging is off. */
export function getLogLevel(): LogLevel | undefined {
  return log.getLogLevel();
}

/** Longest text from outside (an error message, a close reason) that goes into one log line. */
const MAX_LOGGED_TEXT = 200;

/** A URL fit for a log line: scheme, host and path; never the query (access_token, reconnection token). */
export function loggableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "(an invalid URL)";
  }
}

/**
 * Text from the peer or the runtime, fit for a log line: any URL query and any token parameter is cut and the text is
 * bounded to MAX_LOGGED_TEXT characters.
 */
export function loggableText(text: string): string {
  // Bounded before the patterns run, so that they stay cheap whatever the text's length.
  const safe = text
    .slice(0, 2 * MAX_LOGGED_TEXT)
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s?#"'<>]*)\?[^\s"'<>]*/gi, "$1?...")
    .replace(/((?:access_token|awps_reconnection_token)=)[^&\s"'<>]+/gi, "$1...");
  const cut = text.length > 2 * MAX_LOGGED_TEXT || safe.length > MAX_LOGGED_TEXT;
  return cut ? `${safe.slice(0, MAX_LOGGED_TEXT)}...` : safe;
}

/** An error fit for a log line: its name and loggableText of its message. */
export function loggableError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${loggableText(error.message)}`;
  return loggableText(String(error));
}
