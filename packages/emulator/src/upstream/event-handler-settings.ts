import type { EventHandlerSettings, SystemEventName, UpstreamEvent } from "./types.ts";

const SYSTEM_EVENTS: readonly SystemEventName[] = ["connect", "connected", "disconnected"];
const PLACEHOLDER = /\{(hub|event)\}/gi;

/**
 * Checks one event handler setting and throws a TypeError naming the argument and the rule.
 * The URL template must be an absolute http(s) URL once `{hub}` and `{event}` are filled in, and neither placeholder
 * may appear in the host part.
 */
export function validateEventHandlerSettings(
  settings: unknown,
  argName = "eventHandler",
): asserts settings is EventHandlerSettings {
  if (settings === null || typeof settings !== "object" || Array.isArray(settings)) {
    throw new TypeError(`${argName} must be an object with a urlTemplate`);
  }
  const s = settings as Record<string, unknown>;
  const template = s.urlTemplate;
  if (typeof template !== "string" || template.trim() === "") {
    throw new TypeError(`${argName}.urlTemplate must be a non-empty string`);
  }
  let url: URL;
  try {
    url = new URL(template.replace(PLACEHOLDER, "x"));
  } catch {
    throw new TypeError(`${argName}.urlTemplate must be an absolute http(s) URL, got "${template}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`${argName}.urlTemplate must use http or https, got "${url.protocol}"`);
  }
  const authorityEnd = template.indexOf("/", template.indexOf("//") + 2);
  const authority = authorityEnd === -1 ? template : template.slice(0, authorityEnd);
  if (/\{(hub|event)\}/i.test(authority)) {
    throw new TypeError(`${argName}.urlTemplate must not use {hub} or {event} in the host part`);
  }
  const pattern = s.userEventPattern;
  if (pattern !== undefined && (typeof pattern !== "string" || parsePattern(pattern).length === 0)) {
    throw new TypeError(`${argName}.userEventPattern must be "*", an event name, or a comma-separated list of names`);
  }
  const systemEvents = s.systemEvents;
  if (systemEvents !== undefined) {
    if (!Array.isArray(systemEvents)) {
      throw new TypeError(`${argName}.systemEvents must be an array of "connect", "connected", "disconnected"`);
    }
    for (const [i, e] of systemEvents.entries()) {
      if (typeof e !== "string" || !SYSTEM_EVENTS.includes(e.toLowerCase() as SystemEventName)) {
        throw new TypeError(`${argName}.systemEvents[${i}] must be one of "connect", "connected", "disconnected"`);
      }
    }
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
  if (typeof event === "string") {
    return settings.systemEvents?.some((e) => typeof e === "string" && e.toLowerCase() === event) ?? false;
  }
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
