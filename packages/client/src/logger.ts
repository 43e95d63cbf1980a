// The client's logger: @azure/logger under the namespace `webpubsub-client`, so the lifecycle (state transitions,
// connection attempts and their delays, recoveries, closes with their codes) shows with AZURE_LOG_LEVEL=verbose (Node)
// or setLogLevel("verbose") from @azure/logger (any runtime). No line carries a token: URLs are logged without their
// query (see loggableUrl), and error texts pass through loggableError.
import { createClientLogger } from "@azure/logger";

export const logger = createClientLogger("webpubsub-client");

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
