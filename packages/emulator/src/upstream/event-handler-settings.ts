// Event handler settings (protocol.md 5.1): the one check of a setting (used for startEmulator options, the CLI's config
// file and by the invoker before each use), and how settings are matched to events and expanded into URLs.
import { isValidEventName, shown } from "@webpubsub/core";
import { isSystemEventName, SYSTEM_EVENT_NAMES } from "./system-events.ts";
import type { EventHandlerSettings, UpstreamEvent } from "./types.ts";

const PLACEHOLDER = /\{(hub|event)\}/gi;
const SYSTEM_EVENT_LIST = SYSTEM_EVENT_NAMES.map((e) => `"${e}"`).join(", ");

/**
 * Checks one event handler setting and throws a TypeError naming the argument and the rule.
 * - `urlTemplate`: an absolute http(s) URL once `{hub}` and `{event}` (any case) are filled in, neither placeholder in
 *   the host part.
 * - `userEventPattern`: `*`, an event name, or a comma-separated list of them (spaces around entries allowed); at
 *   least one entry, each `*` or a valid event name (core's EVENT_NAME_PATTERN: a name no client can send could never
 *   match).
 * - `systemEvents`: an array of "connect", "connected", "disconnected", spelled exactly so (lowercase, as the service's
 *   settings and protocol.md 5.1 write them).
 */
export function checkEventHandlerSettings(
  settings: unknown,
  argName = "eventHandler",
): asserts settings is EventHandlerSettings {
  if (settings === null || typeof settings !== "object" || Array.isArray(settings)) {
    throw new TypeError(`${argName} must be an object with a urlTemplate`);
  }
  const s = settings as Record<string, unknown>;
  checkUrlTemplate(s.urlTemplate, `${argName}.urlTemplate`);
  const pattern = s.userEventPattern;
  if (pattern !== undefined) {
    const entries = typeof pattern === "string" ? parsePattern(pattern) : [];
    if (entries.length === 0 || !entries.every((p) => p === "*" || isValidEventName(p))) {
      throw new TypeError(
        `${argName}.userEventPattern must be "*", an event name, or a comma-separated list of event names`,
      );
    }
  }
  const systemEvents = s.systemEvents;
  if (systemEvents !== undefined) {
    if (!Array.isArray(systemEvents)) {
      throw new TypeError(`${argName}.systemEvents must be an array of ${SYSTEM_EVENT_LIST}`);
    }
    for (const [i, e] of systemEvents.entries()) {
      if (!isSystemEventName(e)) {
        throw new TypeError(`${argName}.systemEvents[${i}] must be one of ${SYSTEM_EVENT_LIST} (lowercase)`);
      }
    }
  }
}

function checkUrlTemplate(template: unknown, name: string): asserts template is string {
  if (typeof template !== "string" || template.trim() === "") {
    throw new TypeError(`${name} must be a non-empty string`);
  }
  let url: URL;
  try {
    url = new URL(template.replace(PLACEHOLDER, "x"));
  } catch {
    throw new TypeError(`${name} must be an absolute http(s) URL, got ${shown(template)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`${name} must use http or https, got ${shown(url.protocol)}`);
  }
  // the host part ends at the first "/", "?" or "#" past the "//" (a template may have no path)
  const hostStart = template.indexOf("//") + 2;
  const hostLength = template.slice(hostStart).search(/[/?#]/);
  const authority = hostLength === -1 ? template : template.slice(0, hostStart + hostLength);
  if (/\{(hub|event)\}/i.test(authority)) {
    throw new TypeError(`${name} must not use {hub} or {event} in the host part`);
  }
}

function parsePattern(pattern: string): string[] {
  return pattern
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
}

/** Whether a user event pattern (`*`, a name, or a comma list) covers `event`. Names compare exactly. */
export function userEventPatternMatches(pattern: string | undefined, event: string): boolean {
  if (pattern === undefined) return false;
  return parsePattern(pattern).some((p) => p === "*" || p === event);
}

/** Whether one handler setting subscribes to the event. */
export function handlerMatches(settings: EventHandlerSettings, event: UpstreamEvent): boolean {
  if (typeof event === "string") return Array.isArray(settings.systemEvents) && settings.systemEvents.includes(event);
  return userEventPatternMatches(settings.userEventPattern, event.user);
}

/** The first handler (in configuration order) that subscribes to the event, as the service picks it. */
export function selectHandler(
  handlers: readonly EventHandlerSettings[],
  event: UpstreamEvent,
): EventHandlerSettings | undefined {
  return handlers.find((h) => handlerMatches(h, event));
}

/** Fills `{hub}` and `{event}` (case-insensitive placeholders) with URL-encoded values. */
export function expandUrlTemplate(template: string, hub: string, event: string): string {
  return template.replace(PLACEHOLDER, (_, name: string) =>
    encodeURIComponent(name.toLowerCase() === "hub" ? hub : event),
  );
}

/** The URL for logs: the `code` query parameter (a handler secret) is masked. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.searchParams.has("code")) u.searchParams.set("code", "***");
    return u.toString();
  } catch {
    return url;
  }
}
